"""Enterprise customers' learners, course enrollments and consent."""

import uuid

from opaque_keys.edx.keys import CourseKey

from ..exceptions import EnterpriseLinkFailed
from .models import EnterpriseCourseEnrollment, EnterpriseCustomerUser


class BuiltinEnterpriseService:
    """Reads and writes the built-in ``EnterpriseCustomerUser`` and ``EnterpriseCourseEnrollment`` tables."""

    def create_enterprise_course_enrollment(self, user_id: int, course_key: CourseKey) -> None:
        learner = EnterpriseCustomerUser.objects.filter(user_id=user_id, active=True).order_by("pk").first()
        if learner is None:
            raise EnterpriseLinkFailed(
                user_id, message=f"The user {user_id} is not a learner of any enterprise customer."
            )
        EnterpriseCourseEnrollment.objects.get_or_create(enterprise_customer_user=learner, course_key=course_key)

    def provide_consent(self, user_id: int, course_key: CourseKey, enterprise_customer_uuid: str) -> None:
        not_a_learner = EnterpriseLinkFailed(
            user_id, message=f"The user {user_id} is not a learner of enterprise customer {enterprise_customer_uuid}."
        )
        try:
            customer_uuid = uuid.UUID(str(enterprise_customer_uuid))
        except ValueError:
            raise not_a_learner from None
        learner = EnterpriseCustomerUser.objects.filter(user_id=user_id, enterprise_customer_uuid=customer_uuid).first()
        if learner is None:
            raise not_a_learner
        EnterpriseCourseEnrollment.objects.update_or_create(
            enterprise_customer_user=learner, course_key=course_key, defaults={"consent_granted": True}
        )
