"""Questions and speakers: one event resolved once, every claim on it compared; matching a new
claim to the questions already recorded."""

# Registers the flush listener that keeps each question's terms current, wherever the ORM
# writes questions or claims.
from tracker.questions import retrieval as retrieval
