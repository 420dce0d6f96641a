"""
Stand-in of openedx-platform ``common/djangoapps/course_modes/models.py``: ``CourseMode`` and
``CourseMode.modes_for_course``, which returns the platform's ``Mode`` named tuples (the default
``audit`` mode, ``CourseMode.DEFAULT_MODE``, for a course without modes).

The platform's ``CourseMode.course`` is a foreign key to ``CourseOverview`` (column ``course_id``).
"""

from collections import namedtuple

from django.db import models
from django.db.models import Q
from django.utils import timezone
from opaque_keys.edx.django.models import CourseKeyField

Mode = namedtuple(
    "Mode",
    [
        "slug",
        "name",
        "min_price",
        "suggested_prices",
        "currency",
        "expiration_datetime",
        "description",
        "sku",
        "android_sku",
        "ios_sku",
        "bulk_sku",
    ],
)


class CourseMode(models.Model):
    """An enrollment track of a course run."""

    #: ``Mode(**settings.COURSE_MODE_DEFAULTS)`` in the platform.
    DEFAULT_MODE = Mode("audit", "Audit", 0, "", "usd", None, None, None, None, None, None)

    course_id = CourseKeyField(max_length=255, db_index=True)
    mode_slug = models.CharField(max_length=100)
    mode_display_name = models.CharField(max_length=255)
    min_price = models.IntegerField(default=0)
    currency = models.CharField(default="usd", max_length=8)
    expiration_datetime = models.DateTimeField(default=None, null=True, blank=True)
    suggested_prices = models.CharField(max_length=255, blank=True, default="")
    description = models.TextField(null=True, blank=True)
    sku = models.CharField(max_length=255, null=True, blank=True)
    bulk_sku = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        app_label = "course_modes"
        unique_together = ("course_id", "mode_slug", "currency")

    def to_tuple(self):
        return Mode(
            self.mode_slug,
            self.mode_display_name,
            self.min_price,
            self.suggested_prices,
            self.currency,
            self.expiration_datetime,
            self.description,
            self.sku,
            None,
            None,
            self.bulk_sku,
        )

    @classmethod
    def modes_for_course(cls, course_id, include_expired=False, only_selectable=True):
        modes = cls.objects.filter(course_id=course_id).order_by("pk")
        if not include_expired:
            modes = modes.filter(Q(expiration_datetime__isnull=True) | Q(expiration_datetime__gte=timezone.now()))
        return [mode.to_tuple() for mode in modes] or [cls.DEFAULT_MODE]
