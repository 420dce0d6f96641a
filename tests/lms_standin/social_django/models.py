"""Stand-in of social-auth-app-django's ``social_django/models.py``: ``UserSocialAuth``, a user's id at a provider."""

from django.conf import settings
from django.db import models


class UserSocialAuth(models.Model):
    """The account ``uid`` names at ``provider`` (for a SAML provider: ``<idp slug>:<remote id>``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="social_auth", on_delete=models.CASCADE)
    provider = models.CharField(max_length=32)
    uid = models.CharField(max_length=255, db_index=True)
    extra_data = models.JSONField(default=dict)

    class Meta:
        app_label = "social_django"
        unique_together = ("provider", "uid")
