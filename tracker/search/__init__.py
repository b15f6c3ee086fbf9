"""Finding things in the record: the full-text index, queries and their results."""
