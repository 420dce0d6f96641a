"""Stand-in of edx-enterprise ``consent/models.py``: ``DataSharingConsent``."""

from django.db import models


class DataSharingConsent(models.Model):
    """Whether a learner consents to share their course data with the enterprise customer."""

    username = models.CharField(max_length=255)
    enterprise_customer = models.ForeignKey(
        "enterprise.EnterpriseCustomer", related_name="enterprise_customer_consent", on_delete=models.CASCADE
    )
    course_id = models.CharField(max_length=255, blank=True)
    granted = models.BooleanField(null=True)

    class Meta:
        app_label = "consent"
        unique_together = (("enterprise_customer", "username", "course_id"),)
