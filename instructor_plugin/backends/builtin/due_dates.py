"""Due dates of the built-in backend: the dates on the course's blocks."""

from collections.abc import Mapping
from datetime import datetime

from opaque_keys.edx.keys import CourseKey, UsageKey

from .models import Block


class BuiltinDueDateService:
    """Reads due dates from ``Block.due``."""

    def is_enabled(self, course_key: CourseKey) -> bool:
        return Block.objects.filter(course__course_key=course_key, due__isnull=False).exists()

    def get_due_dates(self, course_key: CourseKey) -> Mapping[UsageKey, datetime]:
        rows = Block.objects.filter(course__course_key=course_key, due__isnull=False)
        return dict(rows.order_by("position").values_list("usage_key", "due"))
