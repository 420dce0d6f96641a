"""Receivers of the openedx-events exam signals, calling the same code as ``InstructorService``."""

from __future__ import annotations

import logging

from django.dispatch import receiver
from openedx_events.learning.signals import EXAM_ATTEMPT_RESET, EXAM_ATTEMPT_SUBMITTED

from .backends.exceptions import UserNotFound
from .backends.registry import get_backend
from .completion import reset_exam_attempt, start_exam_completion

log = logging.getLogger(__name__)


@receiver(EXAM_ATTEMPT_SUBMITTED, dispatch_uid="instructor_plugin.handle_exam_completion")
def handle_exam_completion(signal, sender, exam_attempt, metadata, **kwargs):
    """A submitted exam: mark its completable content complete for the learner."""
    start_exam_completion(exam_attempt.student_user.pii.username, str(exam_attempt.usage_key), 1.0)


@receiver(EXAM_ATTEMPT_RESET, dispatch_uid="instructor_plugin.handle_exam_reset")
def handle_exam_reset(signal, sender, exam_attempt, metadata, **kwargs):
    """A reset exam: delete the learner's state on its problems and clear its completion."""
    users = get_backend().users
    requesting = exam_attempt.requesting_user
    try:
        student = users.get_user(exam_attempt.student_user.id)
        requester_id = users.get_user(requesting.id).id if requesting else None
    except UserNotFound:
        requester_id = student = None
    if student is None or requester_id is None:
        log.error(
            "Exam reset of %s ignored: the learner or the requesting user does not exist.", exam_attempt.usage_key
        )
        return
    reset_exam_attempt(requester_id, exam_attempt.usage_key, student)
