"""Errors raised by the service layer; one handler maps them to HTTP answers."""

from __future__ import annotations


class TrackerError(Exception):
    """Base of every error a user can cause; `code` is stable for API clients."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries (Retry-After on a 429)."""
        return {}


class Invalid(TrackerError):
    status = 422
    code = "invalid"


class NotFound(TrackerError):
    status = 404
    code = "not_found"


class Conflict(TrackerError):
    status = 409
    code = "conflict"


class Forbidden(TrackerError):
    status = 403
    code = "forbidden"


class BadRequest(TrackerError):
    """The request itself is malformed: a query parameter that does not parse, broken JSON."""

    status = 400
    code = "bad_request"


class Unavailable(TrackerError):
    """The server cannot do this now; the client may try again after `retry_after` seconds."""

    status = 503
    code = "unavailable"

    def __init__(
        self, message: str, fields: dict[str, str] | None = None, *, retry_after: int = 30
    ) -> None:
        super().__init__(message, fields)
        self.retry_after = retry_after
