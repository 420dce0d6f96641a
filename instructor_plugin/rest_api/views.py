"""The base class of every plugin endpoint: authentication, course checks, errors, schema."""

from __future__ import annotations

from django.utils.module_loading import import_string
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from ..access import get_course_access
from ..backends.data import CourseData
from ..backends.registry import get_backend
from ..conf import plugin_setting
from ..permissions import HasCoursePermission
from .errors import exception_handler
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
        try:
            course_key = CourseKey.from_string(view.kwargs["course_id"])
        except InvalidKeyError:
            raise NotFound("Course not found.", "course_not_found") from None
        view.course = get_backend().courses.get_course(course_key)
        view.course_access = get_course_access(request.user, course_key)
        return True


class CourseAPIView(APIView):
    """
    A view under ``courses/{course_id}/``: 401 anonymous, 404 unknown course, 403 without ``permission_name``.

    Errors use the plugin's envelope and the OpenAPI schema comes from
    drf-spectacular, whatever the host's REST framework defaults are.
    """

    permission_classes = (CourseResolved, HasCoursePermission)
    permission_name: str = ""
    schema = InstructorAutoSchema()
    course: CourseData

    @property
    def course_key(self) -> CourseKey:
        return self.course.course_key

    def get_authenticators(self):
        return [import_string(path)() for path in plugin_setting("AUTHENTICATION_CLASSES")]

    def get_exception_handler(self):
        return exception_handler


class UnknownEndpointView(APIView):
    """Any other path under the API prefix: a 404 in the envelope, like every plugin error."""

    authentication_classes = ()
    permission_classes = ()
    schema = None

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        raise NotFound("No such endpoint.", "endpoint_not_found")
