"""
``InstructorService``: what edx-proctoring (and other host code) calls on the instructor app.

The host registers it as edx-proctoring's runtime service ``"instructor"``:
``edx_proctoring.runtime.set_runtime_service("instructor", InstructorService())``. Ids arrive as
strings, as edx-proctoring passes them; a bad learner or content id is logged, never raised.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey

from .access import get_course_access
from .backends.data import MailMessage
from .backends.exceptions import AmbiguousIdentifier, CourseNotFound, UserNotFound
from .backends.registry import get_backend
from .completion import reset_exam_attempt, start_exam_completion
from .message_types import PROCTORING_REVIEW

__all__ = ["InstructorService"]

log = logging.getLogger(__name__)


def _course_key(course_id: str | CourseKey) -> CourseKey | None:
    if isinstance(course_id, CourseKey):
        return course_id
    try:
        return CourseKey.from_string(course_id)
    except (InvalidKeyError, TypeError):
        return None


class InstructorService:
    """The instructor app's runtime service; its method and argument names are edx-proctoring's."""

    def delete_student_attempt(self, student_identifier: str, course_id: str, content_id: str, requesting_user):
        """
        Reset a learner's exam: delete their state on the exam's problems and clear its completion.

        An unknown learner, a malformed course or content id, or content outside the course is logged.
        """
        prefix = f"Error occurred while attempting to reset student attempt for user {student_identifier}"
        course_key = _course_key(course_id)
        if course_key is None:
            log.error("%s: Invalid course_id %s!", prefix, course_id)
            return
        try:
            student = get_backend().users.find_user(student_identifier)
        except (UserNotFound, AmbiguousIdentifier):
            log.error("%s: User does not exist!", prefix)
            return
        try:
            usage_key = UsageKey.from_string(content_id)
        except InvalidKeyError:
            log.error("%s: Invalid content_id %s!", prefix, content_id)
            return
        if usage_key.course_key != course_key:
            log.error("%s: content_id %s is not in course %s!", prefix, content_id, course_key)
            return
        reset_exam_attempt(getattr(requesting_user, "pk", None), usage_key, student)

    def complete_student_attempt(self, user_identifier: str, content_id: str):
        """Queue the marking of every completable block of the exam content complete for the learner."""
        start_exam_completion(user_identifier, content_id, 1.0)

    def is_course_staff(self, user, course_id: str) -> bool:
        """Course or org staff or instructor, or global staff; False for a malformed course id."""
        course_key = _course_key(course_id)
        if course_key is None:
            log.warning("is_course_staff called with an invalid course_id %s", course_id)
            return False
        return get_course_access(user, course_key).is_course_staff

    def send_support_notification(
        self, course_id: str, exam_name: str, student_username: str, review_status: str, review_url: str | None = None
    ) -> None:
        """
        Tell the course's proctoring escalation contact about a review, when the course asks for tickets.

        Only when the course's ``create_zendesk_tickets`` is on. The plugin has no Zendesk client: the
        ``proctoring_review`` message goes through the mail backend to ``proctoring_escalation_email``;
        a host that wants a ticket replaces the mail service (or handles that message type).
        """
        course_key = _course_key(course_id)
        try:
            course = get_backend().courses.get_course(course_key) if course_key else None
        except CourseNotFound:
            course = None
        if course is None:
            log.error("Could not send a proctoring review notification: course %s does not exist.", course_id)
            return
        if not course.create_zendesk_tickets:
            return
        if not course.proctoring_escalation_email:
            log.warning("Course %s wants review notifications but has no proctoring escalation email.", course_id)
            return
        message = MailMessage(
            message_type=PROCTORING_REVIEW,
            recipient_email=course.proctoring_escalation_email,
            context={
                "course_name": course.display_name,
                "exam_name": exam_name,
                "student_username": student_username,
                "review_status": review_status,
                "review_url": review_url or "not available",
            },
        )
        transaction.on_commit(lambda: get_backend().mail.send(message))

    def get_proctoring_escalation_email(self, course_id: str | CourseKey) -> str | None:
        """The course's proctoring escalation email; ``ObjectDoesNotExist`` for an unknown course."""
        course_key = _course_key(course_id)
        try:
            if course_key is None:
                raise CourseNotFound(course_id)
            return get_backend().courses.get_course(course_key).proctoring_escalation_email
        except CourseNotFound:
            raise ObjectDoesNotExist(
                f"Could not find proctoring escalation email for course_id={course_id}. This course does not exist."
            ) from None
