"""Importing articles: fetching by URL, reading a page, proposing claims, deadlines from
time words."""
