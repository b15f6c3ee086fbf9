"""Reminders: planning prompts, the outbox, channels (email, webhook), calendars and the
scheduler process."""
