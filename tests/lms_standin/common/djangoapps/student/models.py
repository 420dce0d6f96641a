"""
Stand-in of openedx-platform ``common/djangoapps/student/models/`` (``__init__.py`` re-exports them):
from ``user.py`` ``UserProfile``, ``CourseAccessRole``, ``AnonymousUserId``, ``anonymous_id_for_user``; from
``course_enrollment.py`` ``CourseEnrollment``, ``CourseEnrollmentAllowed``, ``ManualEnrollmentAudit``,
``CourseEnrollmentAttribute``, ``get_user_by_username_or_email``; from ``__init__.py`` itself
``EntranceExamConfiguration``.

The platform's ``CourseEnrollment.course`` is a foreign key to ``CourseOverview`` (column ``course_id``);
here ``course_id`` is the key itself, which the same ``course_id=`` lookups read.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class UserProfile(models.Model):
    """The profile fields the Open edX backend reads."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, unique=True, on_delete=models.CASCADE, related_name="profile")
    name = models.CharField(blank=True, max_length=255, db_index=True)
    language = models.CharField(blank=True, max_length=255, db_index=True)
    year_of_birth = models.IntegerField(blank=True, null=True, db_index=True)
    location = models.CharField(blank=True, max_length=255, db_index=True)
    gender = models.CharField(blank=True, null=True, max_length=6, db_index=True)
    level_of_education = models.CharField(blank=True, null=True, max_length=6, db_index=True)
    mailing_address = models.TextField(blank=True, null=True)
    city = models.TextField(blank=True, null=True)
    country = models.CharField(blank=True, null=True, max_length=2)
    goals = models.TextField(blank=True, null=True)

    class Meta:
        app_label = "student"
        db_table = "auth_userprofile"


class CourseAccessRole(models.Model):
    """A role held in one course, or (``course_id`` empty) in every course of ``org``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    org = models.CharField(max_length=64, db_index=True, blank=True)
    course_id = CourseKeyField(max_length=255, db_index=True, blank=True)
    role = models.CharField(max_length=64, db_index=True)

    class Meta:
        app_label = "student"
        unique_together = ("user", "org", "course_id", "role")


class AnonymousUserId(models.Model):
    """The anonymous ids handed out, so that ORA2 and others find the user behind one (``anonymoususerid``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, db_index=True, on_delete=models.CASCADE)
    anonymous_user_id = models.CharField(unique=True, max_length=32)
    course_id = CourseKeyField(db_index=True, max_length=255, blank=True)

    class Meta:
        app_label = "student"


def anonymous_id_for_user(user, course_id):
    """A stable id of the user, for one course (``course_id``) or site-wide (``None``), recorded on first use."""
    material = f"{settings.SECRET_KEY}|{user.id}|{course_id or ''}"
    anonymous_user_id = hashlib.md5(material.encode(), usedforsecurity=False).hexdigest()
    AnonymousUserId.objects.get_or_create(
        anonymous_user_id=anonymous_user_id, defaults={"user": user, "course_id": course_id or CourseKeyField.Empty}
    )
    return anonymous_user_id


class CourseEnrollment(models.Model):
    """A user's enrollment in a course run, active or not."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255, db_index=True)
    created = models.DateTimeField(auto_now_add=True, null=True, db_index=True)
    is_active = models.BooleanField(default=True)
    mode = models.CharField(default="audit", max_length=100)

    class Meta:
        app_label = "student"
        unique_together = (("user", "course_id"),)
        ordering = ("user", "course_id")

    @classmethod
    def get_enrollment(cls, user, course_key):
        return cls.objects.filter(user=user, course_id=course_key).first()

    @classmethod
    def get_or_create_enrollment(cls, user, course_key):
        """The user's enrollment, created inactive in the default mode when missing."""
        return cls.objects.get_or_create(user=user, course_id=course_key, defaults={"is_active": False})[0]

    @classmethod
    def enroll(cls, user, course_key, mode=None, check_access=False, can_upgrade=False, enterprise_uuid=None):
        enrollment, _ = cls.objects.get_or_create(user=user, course_id=course_key)
        enrollment.update_enrollment(is_active=True, mode=mode or "audit")
        return enrollment

    @classmethod
    def unenroll(cls, user, course_id, skip_refund=False):
        enrollment = cls.get_enrollment(user, course_id)
        if enrollment is not None:
            enrollment.update_enrollment(is_active=False, skip_refund=skip_refund)

    def update_enrollment(self, mode=None, is_active=None, skip_refund=False, enterprise_uuid=None):
        if mode is not None:
            self.mode = mode
        if is_active is not None:
            self.is_active = is_active
        self.save()


class CourseEnrollmentAllowed(models.Model):
    """An email allowed to enroll in a course (before registering, with ``auto_enroll``)."""

    email = models.CharField(max_length=255, db_index=True)
    course_id = CourseKeyField(max_length=255, db_index=True)
    auto_enroll = models.BooleanField(default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    created = models.DateTimeField(auto_now_add=True, null=True, db_index=True)

    class Meta:
        app_label = "student"
        unique_together = (("email", "course_id"),)


class ManualEnrollmentAudit(models.Model):
    """An enrollment change made by course staff; ``enrollment`` is None for an email without an account."""

    enrollment = models.ForeignKey(CourseEnrollment, null=True, on_delete=models.CASCADE)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE)
    enrolled_email = models.CharField(max_length=255, db_index=True)
    time_stamp = models.DateTimeField(auto_now_add=True, null=True)
    state_transition = models.CharField(max_length=255)
    reason = models.TextField(null=True)
    role = models.CharField(blank=True, null=True, max_length=64)

    class Meta:
        app_label = "student"

    @classmethod
    def create_manual_enrollment_audit(cls, user, email, state_transition, reason, enrollment=None, role=None):
        return cls.objects.create(
            enrolled_by=user,
            enrolled_email=email,
            state_transition=state_transition,
            reason=reason,
            enrollment=enrollment,
            role=role,
        )


class CourseEnrollmentAttribute(models.Model):
    """A ``namespace:name = value`` attribute of an enrollment."""

    enrollment = models.ForeignKey(CourseEnrollment, related_name="attributes", on_delete=models.CASCADE)
    namespace = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    value = models.CharField(max_length=255)

    class Meta:
        app_label = "student"
        unique_together = ("name", "namespace", "enrollment")


class EntranceExamConfiguration(models.Model):
    """A learner allowed (``skip_entrance_exam``) to skip a course's entrance exam."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, db_index=True, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255, db_index=True)
    created = models.DateTimeField(auto_now_add=True, null=True, db_index=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)
    skip_entrance_exam = models.BooleanField(default=True)

    class Meta:
        app_label = "student"
        unique_together = (("user", "course_id"),)

    @classmethod
    def user_can_skip_entrance_exam(cls, user, course_key):
        """False while the ``ENTRANCE_EXAMS`` feature is off, as in the platform."""
        if not settings.FEATURES.get("ENTRANCE_EXAMS", False):
            return False
        record = cls.objects.filter(user=user, course_id=course_key).first()
        return bool(record and record.skip_entrance_exam)


def get_user_by_username_or_email(username_or_email):
    """The one user whose username or email this is; ``User.DoesNotExist`` otherwise."""
    username_or_email = username_or_email.strip()
    return get_user_model().objects.get(models.Q(email=username_or_email) | models.Q(username=username_or_email))
