"""Certificates of the built-in backend: the course's generation switch."""

from opaque_keys.edx.keys import CourseKey

from ..exceptions import CourseNotFound
from .models import Course


class BuiltinCertificateService:
    """Keeps the generation switch on the ``Course`` row."""

    def is_generation_enabled(self, course_key: CourseKey) -> bool:
        enabled = Course.objects.filter(course_key=course_key).values_list("certificate_generation_enabled", flat=True)
        return bool(enabled.first())

    def set_generation_enabled(self, course_key: CourseKey, enabled: bool) -> None:
        if not Course.objects.filter(course_key=course_key).update(certificate_generation_enabled=enabled):
            raise CourseNotFound(course_key)
