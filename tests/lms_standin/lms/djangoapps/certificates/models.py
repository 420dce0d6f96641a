"""
Stand-in of openedx-platform ``lms/djangoapps/certificates/models.py``: the allowlist, generated certificates,
their invalidations, the generation history and the per-course generation setting.
"""

import json

from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField

from lms.djangoapps.certificates.data import CertificateStatuses
from lms.djangoapps.instructor_task.models import InstructorTask


class CertificateAllowlist(models.Model):
    """A learner on a course run's allowlist (``allowlist`` False: an entry switched off)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255, blank=True, default=None)
    allowlist = models.BooleanField(default=0)
    notes = models.TextField(default=None, null=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "certificates"
        unique_together = [["course_id", "user"]]


class GeneratedCertificate(models.Model):
    """A learner's certificate in a course run."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255, blank=True, default=None)
    grade = models.CharField(max_length=5, blank=True, default="")
    status = models.CharField(max_length=32, default="unavailable")
    mode = models.CharField(max_length=32, default="honor")
    created_date = models.DateTimeField(auto_now_add=True)
    modified_date = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "certificates"
        unique_together = (("user", "course_id"),)

    def invalidate(self, mode=None, source=None):
        """Make the certificate unavailable (the platform also emits revocation signals and events)."""
        self.status = CertificateStatuses.unavailable
        if mode:
            self.mode = mode
        self.save()


class CertificateGenerationHistory(models.Model):
    """One (re)generation an instructor started, through its ``InstructorTask``."""

    course_id = CourseKeyField(max_length=255)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    instructor_task = models.ForeignKey(InstructorTask, on_delete=models.CASCADE)
    is_regeneration = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "certificates"

    def get_certificate_generation_candidates(self):
        """Who the run covered, from the task's input: all learners, the statuses regenerated, or the exceptions."""
        task_input = self.instructor_task.task_input
        if not task_input.strip():
            return "All learners"
        task_input_json = json.loads(task_input)
        if task_input_json.get("statuses_to_regenerate"):
            return ", ".join(task_input_json["statuses_to_regenerate"])
        if "student_set" in task_input_json or "students" in task_input_json:
            return "For exceptions"
        return "All learners"


class CertificateInvalidation(models.Model):
    """An invalidation of a generated certificate; ``active`` until lifted."""

    generated_certificate = models.ForeignKey(GeneratedCertificate, on_delete=models.CASCADE)
    invalidated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    notes = models.TextField(default=None, null=True)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "certificates"

    def deactivate(self):
        self.active = False
        self.save()


class CertificateGenerationCourseSetting(models.Model):
    """A course's certificate settings; the latest row counts."""

    course_key = CourseKeyField(max_length=255, db_index=True)
    self_generation_enabled = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "certificates"
        get_latest_by = "created"

    @classmethod
    def is_self_generation_enabled_for_course(cls, course_key):
        latest = cls.objects.filter(course_key=course_key).order_by("-created", "-pk").first()
        return bool(latest and latest.self_generation_enabled)

    @classmethod
    def set_self_generation_enabled_for_course(cls, course_key, is_enabled):
        latest = cls.objects.filter(course_key=course_key).order_by("-created", "-pk").first()
        if latest is None:
            latest = cls(course_key=course_key)
        latest.self_generation_enabled = is_enabled
        latest.save()
