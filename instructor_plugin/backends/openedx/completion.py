"""Completion from edx-completion (the ``completion`` app every LMS installs)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from opaque_keys.edx.keys import CourseKey, UsageKey

from ..exceptions import UserNotFound


class OpenedxCompletionService:
    """Writes ``completion.models.BlockCompletion`` through its manager."""

    def set_completion(self, course_key: CourseKey, user_id: int, usage_key: UsageKey, completion: float) -> None:
        """
        ``BlockCompletion.objects.submit_completion(user, usage_key, completion)``.

        The LMS records completions only with the waffle switch ``completion.enable_completion_tracking`` on.
        """
        from completion.models import BlockCompletion
        from completion.waffle import ENABLE_COMPLETION_TRACKING_SWITCH

        if not ENABLE_COMPLETION_TRACKING_SWITCH.is_enabled():
            raise ImproperlyConfigured("Completion tracking is off: turn on completion.enable_completion_tracking.")
        if usage_key.course_key != course_key:
            raise ValueError(f"{usage_key} is not a block of {course_key}")
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            raise UserNotFound(user_id)
        BlockCompletion.objects.submit_completion(user, usage_key, completion)
