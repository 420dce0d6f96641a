"""
Stand-in of openedx-platform ``openedx/core/djangoapps/user_api/models.py``: ``UserPreference``,
``UserOrgTag``, and the retirement pipeline's ``RetirementState`` and ``UserRetirementStatus``.
"""

from django.conf import settings
from django.db import models


class UserPreference(models.Model):
    """A user's preference, e.g. ``pref-lang``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_index=True, related_name="preferences", on_delete=models.CASCADE
    )
    key = models.CharField(max_length=255, db_index=True)
    value = models.TextField()

    class Meta:
        app_label = "user_api"
        unique_together = ("user", "key")


class UserOrgTag(models.Model):
    """A user's setting for one organization, e.g. ``email-optin``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, db_index=True, related_name="+", on_delete=models.CASCADE)
    key = models.CharField(max_length=255, db_index=True)
    org = models.CharField(max_length=255, db_index=True)
    value = models.TextField()

    class Meta:
        app_label = "user_api"
        unique_together = ("user", "org", "key")


class RetirementState(models.Model):
    """A step of the retirement pipeline, such as ``PENDING`` or ``RETIRING_ENROLLMENTS``."""

    state_name = models.CharField(max_length=30, unique=True)
    state_execution_order = models.SmallIntegerField(unique=True)
    is_dead_end_state = models.BooleanField(default=False, db_index=True)
    required = models.BooleanField(default=False)

    class Meta:
        app_label = "user_api"


class UserRetirementStatus(models.Model):
    """Where a user's retirement request stands; names the account as it was before retirement."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    original_username = models.CharField(max_length=150, db_index=True)
    original_email = models.EmailField(db_index=True)
    original_name = models.CharField(max_length=255, blank=True, db_index=True)
    retired_username = models.CharField(max_length=150, db_index=True)
    retired_email = models.EmailField(db_index=True)
    current_state = models.ForeignKey(RetirementState, related_name="current_state", on_delete=models.CASCADE)
    last_state = models.ForeignKey(RetirementState, blank=True, related_name="last_state", on_delete=models.CASCADE)
    responses = models.TextField()

    class Meta:
        app_label = "user_api"
