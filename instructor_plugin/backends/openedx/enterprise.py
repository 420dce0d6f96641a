"""
Enterprise course enrollments and data-sharing consent, through the clients of edx-enterprise's REST
API that the LMS's enrollment API calls (``openedx.features.enterprise_support.api``).
"""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey

from ..exceptions import EnterpriseLinkFailed


def _username(user_id: int) -> str:
    username = get_user_model().objects.filter(pk=user_id).values_list("username", flat=True).first()
    if username is None:
        raise EnterpriseLinkFailed(user_id, message=f"There is no user {user_id}.")
    return username


class OpenedxEnterpriseService:
    """``EnterpriseApiServiceClient`` and ``ConsentApiServiceClient``, as the enrollment API calls them."""

    def create_enterprise_course_enrollment(self, user_id: int, course_key: CourseKey) -> None:
        """``EnterpriseApiServiceClient().post_enterprise_course_enrollment(username, str(course_key))``."""
        from openedx.features.enterprise_support.api import EnterpriseApiException, EnterpriseApiServiceClient

        try:
            EnterpriseApiServiceClient().post_enterprise_course_enrollment(_username(user_id), str(course_key))
        except EnterpriseApiException as error:
            raise EnterpriseLinkFailed(user_id, message=str(error)) from error

    def provide_consent(self, user_id: int, course_key: CourseKey, enterprise_customer_uuid: str) -> None:
        """
        ``ConsentApiServiceClient().provide_consent(username=..., course_id=..., enterprise_customer_uuid=...)``;
        its error answer (``requests.HTTPError``) and a customer id that is not a UUID are refused.
        """
        from openedx.features.enterprise_support.api import ConsentApiServiceClient
        from requests import HTTPError

        refused = EnterpriseLinkFailed(
            user_id, message=f"The user {user_id} is not a learner of enterprise customer {enterprise_customer_uuid}."
        )
        try:
            customer = str(uuid.UUID(str(enterprise_customer_uuid)))
        except ValueError:
            raise refused from None
        try:
            ConsentApiServiceClient().provide_consent(
                username=_username(user_id), course_id=str(course_key), enterprise_customer_uuid=customer
            )
        except HTTPError as error:
            raise refused from error
