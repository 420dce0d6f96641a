"""
Stand-in of edx-enterprise ``enterprise/models.py``: ``EnterpriseCustomer``, ``EnterpriseCustomerUser``
and ``EnterpriseCourseEnrollment``, with the columns the enterprise API writes for the platform's calls.
"""

import uuid

from django.db import models


class EnterpriseCustomer(models.Model):
    """An organisation buying learning for its learners."""

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255)

    class Meta:
        app_label = "enterprise"


class EnterpriseCustomerUser(models.Model):
    """A learner of a customer; ``active`` marks the customer the learner currently acts for."""

    enterprise_customer = models.ForeignKey(
        EnterpriseCustomer, related_name="enterprise_customer_users", on_delete=models.CASCADE
    )
    user_id = models.PositiveIntegerField(db_index=True)
    active = models.BooleanField(default=True)

    class Meta:
        app_label = "enterprise"
        unique_together = (("enterprise_customer", "user_id"),)


class EnterpriseCourseEnrollment(models.Model):
    """A course enrollment made for the customer of one of its learners."""

    enterprise_customer_user = models.ForeignKey(
        EnterpriseCustomerUser, related_name="enterprise_enrollments", on_delete=models.CASCADE
    )
    course_id = models.CharField(max_length=255)

    class Meta:
        app_label = "enterprise"
        unique_together = (("enterprise_customer_user", "course_id"),)
