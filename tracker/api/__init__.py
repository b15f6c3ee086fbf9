"""The JSON API under /api/v1: schemas, the route registry and the OpenAPI document."""
