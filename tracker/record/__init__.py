"""Recording sources and claims word for word: quotes, wording to probability, the audit
log, and the public source and claim pages."""
