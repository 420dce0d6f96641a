"""
Stand-in of openedx-platform ``lms/djangoapps/program_enrollments/models.py``: ``ProgramEnrollment``,
``ProgramCourseEnrollment`` and ``CourseAccessRoleAssignment`` with the platform's fields, constraints
and django-simple-history ``historical_records``.
"""

from common.djangoapps.student.models import CourseEnrollment
from django.conf import settings
from django.db import models
from model_utils.models import TimeStampedModel
from opaque_keys.edx.django.models import CourseKeyField
from simple_history.models import HistoricalRecords

from .constants import ProgramCourseEnrollmentRoles


class ProgramEnrollment(TimeStampedModel):
    """A learner's enrollment in a program, by the organisation's key; ``user`` once an account is linked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    external_user_key = models.CharField(db_index=True, max_length=255, null=True)
    program_uuid = models.UUIDField(db_index=True)
    curriculum_uuid = models.UUIDField(db_index=True)
    status = models.CharField(max_length=9)
    historical_records = HistoricalRecords()

    class Meta:
        app_label = "program_enrollments"
        unique_together = (
            ("user", "program_uuid", "curriculum_uuid"),
            ("external_user_key", "program_uuid", "curriculum_uuid"),
        )


class ProgramCourseEnrollment(TimeStampedModel):
    """A program learner's enrollment in one of the program's course runs."""

    program_enrollment = models.ForeignKey(
        ProgramEnrollment, on_delete=models.CASCADE, related_name="program_course_enrollments"
    )
    course_enrollment = models.ForeignKey(CourseEnrollment, null=True, blank=True, on_delete=models.CASCADE)
    course_key = CourseKeyField(max_length=255)
    status = models.CharField(max_length=9)
    historical_records = HistoricalRecords()

    class Meta:
        app_label = "program_enrollments"
        unique_together = (("program_enrollment", "course_key"),)


class CourseAccessRoleAssignment(TimeStampedModel):
    """A course role a waiting program-course enrollment's learner gets with their account."""

    role = models.CharField(max_length=64, choices=ProgramCourseEnrollmentRoles.__MODEL_CHOICES__)
    enrollment = models.ForeignKey(ProgramCourseEnrollment, on_delete=models.CASCADE)

    class Meta:
        app_label = "program_enrollments"
        unique_together = ("role", "enrollment")
