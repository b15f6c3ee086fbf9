"""Accounts: users, roles, passwords, API tokens, logging in and the admin pages."""
