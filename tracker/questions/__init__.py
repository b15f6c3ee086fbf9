"""Questions and speakers: one event resolved once, every claim on it compared; matching a new
claim to the questions already recorded."""
