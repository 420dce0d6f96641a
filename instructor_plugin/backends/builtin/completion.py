"""Completion of the built-in backend: ``BlockCompletion`` rows."""

from opaque_keys.edx.keys import CourseKey, UsageKey

from .models import BlockCompletion


class BuiltinCompletionService:
    """Keeps one ``BlockCompletion`` row per learner and block."""

    def set_completion(self, course_key: CourseKey, user_id: int, usage_key: UsageKey, completion: float) -> None:
        BlockCompletion.objects.update_or_create(
            user_id=user_id, usage_key=usage_key, defaults={"course_key": course_key, "completion": completion}
        )
