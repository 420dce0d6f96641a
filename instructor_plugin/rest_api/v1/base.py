"""What every legacy endpoint shares: POST with CSRF, no caching, the original's statuses, its input forms."""

from __future__ import annotations

import re

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers, status
from rest_framework.schemas.inspectors import ViewInspector

from ...instructor_tasks import AlreadyRunning
from ..errors import exception_handler
from ..views import CourseAPIView

#: The status message of a report request, as the legacy dashboard shows it.
SUCCESS_MESSAGE_TEMPLATE = (
    "The {report_type} report is being created. To view the status of the report, see Pending Tasks below."
)
#: The OpenAPI request body of a POST that reads no body: any object (JSON or form) is accepted and ignored.
NO_BODY = {"application/json": OpenApiTypes.OBJECT, "application/x-www-form-urlencoded": OpenApiTypes.OBJECT}


def legacy_exception_handler(exc: Exception, context: dict):
    """The envelope; a task of the same kind still running is a 400, as the original answers it."""
    response = exception_handler(exc, context)
    if isinstance(exc, AlreadyRunning):
        response.status_code = status.HTTP_400_BAD_REQUEST
    return response


@method_decorator(never_cache, name="dispatch")
class LegacyAPIView(CourseAPIView):
    """
    A legacy endpoint under ``/courses/{course_id}/instructor/api/``: POST only, CSRF for session callers.

    Out of the v2 OpenAPI document unless a view describes itself (``schema = InstructorAutoSchema()`` and
    :func:`~..schema.documented` methods); a documented body is one of the form, multipart and JSON bodies
    its parsers read.
    """

    schema: ViewInspector | None = None  # type: ignore[assignment]

    def get_exception_handler(self):
        return legacy_exception_handler


def split_input_list(text: str) -> list[str]:
    """The identifiers of a textarea: separated by commas, spaces or line breaks."""
    return [item for item in re.split(r"[\s,]+", text) if item]


class IdentifierListField(serializers.CharField):
    """A comma, space or newline separated list of usernames or emails, as one string (at least one)."""

    default_error_messages = {"empty": "The identifiers list cannot be empty."}

    def to_internal_value(self, data) -> list[str]:  # type: ignore[override]
        identifiers = split_input_list(super().to_internal_value(data))
        if not identifiers:
            self.fail("empty")
        return identifiers
