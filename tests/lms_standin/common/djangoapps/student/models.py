"""
Stand-in of openedx-platform ``common/djangoapps/student/models/user.py`` (re-exported by
``common/djangoapps/student/models/__init__.py``): ``UserProfile``, ``CourseAccessRole``,
``anonymous_id_for_user``.
"""

import hashlib

from django.conf import settings
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField


class UserProfile(models.Model):
    """The profile fields the Open edX backend reads."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, unique=True, on_delete=models.CASCADE, related_name="profile")
    name = models.CharField(blank=True, max_length=255, db_index=True)
    language = models.CharField(blank=True, max_length=255, db_index=True)
    year_of_birth = models.IntegerField(blank=True, null=True, db_index=True)

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


def anonymous_id_for_user(user, course_id):
    """A stable id of the user, for one course (``course_id``) or site-wide (``None``)."""
    material = f"{settings.SECRET_KEY}|{user.id}|{course_id or ''}"
    return hashlib.md5(material.encode(), usedforsecurity=False).hexdigest()
