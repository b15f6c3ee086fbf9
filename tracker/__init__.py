"""Claim tracker: published forecasts and factual claims, recorded word for word and scored."""
