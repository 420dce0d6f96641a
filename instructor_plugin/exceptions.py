"""
The root of every error the plugin raises on purpose: backends, domain modules and the resolve layer.

Each error has a stable snake_case ``error_code``, a ``message`` for people and an HTTP-neutral
``category``; the REST layer turns the category into a status in one table. Positional arguments
say what the error is about (for logs); the message is the class's, unless given::

    raise BlockNotFound(usage_key)
    raise InvalidEmailRequest(message="Unknown target: 'x'.", error_code="unknown_target", field="targets")
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ErrorCategory", "InstructorError"]


class ErrorCategory(StrEnum):
    """What kind of failure an error is, whatever the protocol answering it."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    TOO_LARGE = "too_large"


class InstructorError(Exception):
    """
    An error of the request, not of the server.

    ``field`` names the input at fault, when one is: the REST layer then answers ``field_errors``.
    """

    category: ErrorCategory = ErrorCategory.INVALID
    error_code: str = "invalid_request"
    message: str = "The request cannot be served."

    def __init__(
        self, *subject: object, message: str | None = None, error_code: str | None = None, field: str | None = None
    ):
        super().__init__(*subject)
        if message is not None:
            self.message = message
        if error_code is not None:
            self.error_code = error_code
        self.field = field

    def __str__(self) -> str:
        return self.message
