"""
Stand-in of openedx-platform ``openedx/features/enterprise_support/api.py``: the service-user clients
of edx-enterprise's REST API the enrollment API calls.

The platform's clients POST to edx-enterprise's ``enterprise-course-enrollment/`` and
``data_sharing_consent`` endpoints (served by the LMS itself) and raise on an error answer: its own
``EnterpriseApiException``, and ``requests.HTTPError`` from the consent client. These write the
stand-in's edx-enterprise rows as those endpoints do and refuse what they refuse.
"""

from consent.models import DataSharingConsent
from django.contrib.auth import get_user_model
from enterprise.models import EnterpriseCourseEnrollment, EnterpriseCustomerUser
from requests import HTTPError


class EnterpriseApiException(Exception):
    """An error answer of the enterprise API."""


class EnterpriseApiServiceClient:
    def post_enterprise_course_enrollment(self, username, course_id):
        user = get_user_model().objects.filter(username=username).first()
        learner = (
            EnterpriseCustomerUser.objects.filter(user_id=user.pk, active=True).first() if user is not None else None
        )
        if learner is None:
            raise EnterpriseApiException(
                f"An error occured while posting EnterpriseCourseEnrollment for user {username} and course run "
                f"{course_id}."
            )
        EnterpriseCourseEnrollment.objects.get_or_create(enterprise_customer_user=learner, course_id=course_id)


class ConsentApiServiceClient:
    def provide_consent(self, **kwargs):
        user = get_user_model().objects.filter(username=kwargs["username"]).first()
        learner = EnterpriseCustomerUser.objects.filter(
            user_id=getattr(user, "pk", None), enterprise_customer_id=kwargs["enterprise_customer_uuid"]
        ).first()
        if learner is None:
            raise HTTPError("400 Client Error: Bad Request for url: data_sharing_consent")
        consent, _ = DataSharingConsent.objects.update_or_create(
            username=kwargs["username"],
            enterprise_customer_id=kwargs["enterprise_customer_uuid"],
            course_id=kwargs["course_id"],
            defaults={"granted": True},
        )
        return {
            "username": consent.username,
            "course_id": consent.course_id,
            "enterprise_customer_uuid": str(consent.enterprise_customer_id),
            "consent_provided": True,
        }
