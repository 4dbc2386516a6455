"""Domain errors: raised by services, turned into pages in one place
(`meetup.web.errors`)."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. `code` is stable for tests and logs; `status` is HTTP."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class UniqueViolation(Conflict):
    """A concurrent request took a unique value (a slug, a handle) first."""


class OverlapViolation(Conflict):
    """The database refused a row whose time range overlaps another's
    (a PostgreSQL exclusion constraint)."""


class Unauthorized(DomainError):
    """No valid credentials (an API token missing, wrong or revoked)."""

    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Invalid(DomainError):
    """Input that breaks the rules, with what is wrong in each field."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, fields: dict[str, list[str]]) -> None:
        super().__init__(message)
        self.fields = fields


class LoginRequired(Exception):
    """The page needs a signed-in host: redirect to /login."""
