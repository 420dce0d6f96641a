"""Stand-in of openedx-platform ``openedx/core/djangoapps/user_api/models.py``: ``UserPreference``, ``UserOrgTag``."""

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
