"""Looking up one learner for the dashboard's "specify learner" fields."""

from __future__ import annotations

from opaque_keys.edx.keys import CourseKey

from . import resolve
from .backends.data import UserData
from .backends.registry import get_backend
from .conf import plugin_setting

__all__ = ["get_learner_summary", "progress_url"]


def progress_url(course_key: CourseKey, user_id: int) -> str:
    """The learner's progress page: in the learning MFE when configured, else in the LMS."""
    learning_mfe = plugin_setting("LEARNING_MICROFRONTEND_URL")
    if learning_mfe:
        return f"{learning_mfe.rstrip('/')}/course/{course_key}/progress/{user_id}/"
    return f"{plugin_setting('LMS_ROOT_URL').rstrip('/')}/courses/{course_key}/progress/{user_id}/"


def get_learner_summary(course_key: CourseKey, identifier: str) -> dict[str, object]:
    """
    The learner named by a username or email, and whether they are enrolled.

    Raises ``UserNotFound`` or ``AmbiguousIdentifier``.
    """
    backend = get_backend()
    user: UserData = resolve.learner(course_key, identifier)
    enrollment = backend.enrollments.get_enrollment(course_key, user.id)
    return {
        "username": user.username,
        "email": user.email,
        "full_name": user.full_name,
        "progress_url": progress_url(course_key, user.id),
        "is_enrolled": bool(enrollment and enrollment.is_active),
    }
