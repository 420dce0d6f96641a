"""
Stand-in of openedx-platform ``common/djangoapps/third_party_auth/models.py``: ``SAMLProviderConfig``,
an organisation's identity provider, with the uid mapping of its social auth records. The platform's
model is a django-config-models ``ConfigurationModel`` (a row per change, ``current_set()`` the newest
per ``slug``); here a row per provider, ``current_set()`` all of them.
"""

from django.db import models
from organizations.models import Organization


class SAMLProviderConfigManager(models.Manager):
    def current_set(self):
        return self.get_queryset()


class SAMLProviderConfig(models.Model):
    """A SAML identity provider; its learners' social auth uids are ``<slug>:<remote id>``."""

    backend_name = models.CharField(max_length=50, default="tpa-saml")
    slug = models.SlugField(max_length=30, db_index=True)
    enabled = models.BooleanField(default=True)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE)

    objects = SAMLProviderConfigManager()

    class Meta:
        app_label = "third_party_auth"

    @property
    def provider_id(self):
        return f"saml-{self.slug}"

    def get_social_auth_uid(self, remote_id):
        return f"{self.slug}:{remote_id}"

    def get_remote_id_from_social_auth(self, social_auth):
        return social_auth.uid[len(self.slug) + 1 :]
