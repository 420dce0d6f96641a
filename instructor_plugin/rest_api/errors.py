"""
The one error envelope of every plugin endpoint.

Every response with status >= 400 has the body::

    {"error": "Learner not found.", "error_code": "learner_not_found",
     "detail": "Learner not found.", "developer_message": "Learner not found.",
     "field_errors": {"identifier": ["This field is required."]}}

``field_errors`` appears on validation failures only.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ..exceptions import ErrorCategory, InstructorError
from ..instructor_tasks import AlreadyRunning
from .tasks import task_status_path

log = logging.getLogger(__name__)


class BadRequest(exceptions.APIException):
    """A request that is well-formed but cannot be served as asked (HTTP 400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Bad request."
    default_code = "bad_request"


class RequestTooLarge(exceptions.APIException):
    """A request body larger than the plugin reads (HTTP 413)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


#: Django's refusals of a request body, met while parsing it (most specific first).
_REQUEST_ERRORS: dict[type[Exception], tuple[type[exceptions.APIException], str, str]] = {
    RequestDataTooBig: (RequestTooLarge, "The request body is too large.", "request_too_large"),
    TooManyFieldsSent: (BadRequest, "The request has too many form fields.", "too_many_fields"),
    TooManyFilesSent: (BadRequest, "The request has too many files.", "too_many_files"),
    MultiPartParserError: (exceptions.ParseError, "Malformed multipart body.", "parse_error"),
    SuspiciousOperation: (BadRequest, "The request was refused as suspicious.", "suspicious_request"),
}

#: The one table from the category of a plugin error to its HTTP status.
STATUS_OF_CATEGORY = {
    ErrorCategory.INVALID: status.HTTP_400_BAD_REQUEST,
    ErrorCategory.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    ErrorCategory.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ErrorCategory.CONFLICT: status.HTTP_409_CONFLICT,
    ErrorCategory.TOO_LARGE: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
}


class PluginError(exceptions.APIException):
    """A plugin error answered with its category's status, its code and message, and its field or task."""

    def __init__(self, error: InstructorError):
        super().__init__(error.message, error.error_code)
        self.status_code = STATUS_OF_CATEGORY[error.category]
        self.field = error.field
        self.extra = _extra(error)


def _extra(error: InstructorError) -> dict:
    if isinstance(error, AlreadyRunning):
        return {"task_id": str(error.task.task_id), "status_url": task_status_path(error.task)}
    return {}


def _as_api_exception(exc: Exception) -> exceptions.APIException | None:
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, InstructorError):
        return PluginError(exc)
    for error_class, (api_class, message, code) in _REQUEST_ERRORS.items():
        if isinstance(exc, error_class):
            return api_class(message, code)
    return None


def _flatten(errors, prefix: str = "") -> list[str]:
    if isinstance(errors, dict):
        return [
            message
            for key, value in errors.items()
            for message in _flatten(value, f"{prefix}item {int(key) + 1}: " if str(key).isdigit() else prefix)
        ]
    if isinstance(errors, list):
        return [message for value in errors for message in _flatten(value, prefix)]
    return [f"{prefix}{errors}"]


def _envelope(message: str, code: str, field_errors: dict | None = None) -> dict:
    body: dict[str, object] = {"error": message, "error_code": code, "detail": message, "developer_message": message}
    if field_errors is not None:
        body["field_errors"] = field_errors
    return body


def _validation_body(exc: exceptions.ValidationError) -> dict:
    detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    field_errors = {field: _flatten(errors) for field, errors in detail.items()}
    first_field, first_messages = next(iter(field_errors.items()))
    where = "" if first_field == "non_field_errors" else f"{first_field}: "
    return _envelope(f"Invalid request. {where}{first_messages[0]}", "validation_error", field_errors)


def exception_handler(exc: Exception, context: dict) -> Response:
    """
    Turn any exception raised by a plugin view into the envelope.

    Like DRF's own handler, it marks the request's transaction for rollback (when the host runs
    with ``ATOMIC_REQUESTS``), so a view that wrote and then failed leaves nothing behind.
    """
    set_rollback()
    api_exc = _as_api_exception(exc)
    if api_exc is None:
        log.exception("Unexpected error in %s", context.get("view").__class__.__name__)
        return Response(
            _envelope("An unexpected error occurred.", "server_error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR
        )
    if isinstance(api_exc, exceptions.ValidationError):
        body = _validation_body(api_exc)
    else:
        codes = api_exc.get_codes()
        message = str(api_exc.detail)
        field = getattr(api_exc, "field", None)
        field_errors = {field: [message]} if field else None
        body = _envelope(message, codes if isinstance(codes, str) else str(api_exc.default_code), field_errors)
        body.update(getattr(api_exc, "extra", {}))
    headers = {}
    auth_header = getattr(api_exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(api_exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
    return Response(body, status=api_exc.status_code, headers=headers)
