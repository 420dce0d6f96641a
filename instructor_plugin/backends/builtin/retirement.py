"""Users' retirement requests."""

from .models import UserRetirementStatus


class BuiltinRetirementService:
    """Reads the built-in ``UserRetirementStatus`` table."""

    def get_retirement_state(self, original_username: str) -> str | None:
        # Compared again here: a case-insensitive collation (MySQL's default) also finds other cases.
        rows = UserRetirementStatus.objects.filter(original_username=original_username)
        return next(
            (
                state
                for name, state in rows.values_list("original_username", "current_state")
                if name == original_username
            ),
            None,
        )
