"""Certificates of the built-in backend: the course's generation switch."""

from collections.abc import Mapping

from django.db.models import Count
from opaque_keys.edx.keys import CourseKey

from ..exceptions import CourseNotFound
from .models import Course, GeneratedCertificate

#: The status of a certificate a learner can download: what "issued" counts.
DOWNLOADABLE = "downloadable"


class BuiltinCertificateService:
    """Keeps the generation switch on the ``Course`` row."""

    def is_generation_enabled(self, course_key: CourseKey) -> bool:
        enabled = Course.objects.filter(course_key=course_key).values_list("certificate_generation_enabled", flat=True)
        return bool(enabled.first())

    def set_generation_enabled(self, course_key: CourseKey, enabled: bool) -> None:
        if not Course.objects.filter(course_key=course_key).update(certificate_generation_enabled=enabled):
            raise CourseNotFound(course_key)

    def count_issued_by_mode(self, course_key: CourseKey) -> Mapping[str, int]:
        rows = GeneratedCertificate.objects.filter(course_key=course_key, status=DOWNLOADABLE)
        counts = rows.values("mode").annotate(n=Count("pk")).order_by("mode")
        return {row["mode"]: row["n"] for row in counts}
