"""The base class of every plugin endpoint: authentication, course checks, errors, schema."""

from __future__ import annotations

from django.utils.module_loading import import_string
from opaque_keys.edx.keys import CourseKey
from rest_framework.exceptions import NotFound
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.views import APIView

from .. import resolve
from ..access import CourseAccess, get_course_access
from ..backends.data import CourseData
from ..conf import plugin_setting
from ..permissions import HasCoursePermission
from .errors import exception_handler
from .parsers import LimitedFormParser, ObjectJSONParser, read_request_body
from .schema import InstructorAutoSchema


class CourseResolved(IsAuthenticated):
    """
    Authenticated, and the URL's course exists.

    A malformed or unknown course id is a 404 before any permission check; the
    course and the caller's access are left on the view.
    """

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        view.course = resolve.course(view.kwargs["course_id"])
        view.course_access = get_course_access(request.user, view.course.course_key)
        return True


class CourseAPIView(APIView):
    """
    A view under ``courses/{course_id}/``: 401 anonymous, 404 unknown course, 403 without ``permission_name``.

    Errors use the plugin's envelope, bodies are read by the plugin's parsers (an object, within
    ``MAX_REQUEST_BODY_BYTES``, checked before authentication) and the OpenAPI schema comes from
    drf-spectacular, whatever the host's REST framework defaults are.
    """

    parser_classes: tuple[type[BaseParser], ...] = (ObjectJSONParser, LimitedFormParser, MultiPartParser)
    permission_classes: tuple[type[BasePermission], ...] = (CourseResolved, HasCoursePermission)
    permission_name: str = ""
    schema = InstructorAutoSchema()
    course: CourseData
    course_access: CourseAccess

    @property
    def course_key(self) -> CourseKey:
        return self.course.course_key

    def get_permission_name(self) -> str:
        """The permission the caller needs in the course (views that vary it by method override this)."""
        return self.permission_name

    def get_authenticators(self):
        return [import_string(path)() for path in plugin_setting("AUTHENTICATION_CLASSES")]

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        read_request_body(request)
        super().initial(request, *args, **kwargs)


class UnknownEndpointView(APIView):
    """Any other path under the API prefix: a 404 in the envelope, like every plugin error."""

    authentication_classes = ()
    permission_classes = ()
    schema = None

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        raise NotFound("No such endpoint.", "endpoint_not_found")
