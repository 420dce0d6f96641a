"""Users' retirement requests, from the LMS's ``user_api`` app."""

from __future__ import annotations


class OpenedxRetirementService:
    """``openedx.core.djangoapps.user_api.models.UserRetirementStatus``."""

    def get_retirement_state(self, original_username: str) -> str | None:
        """``UserRetirementStatus.objects.filter(original_username=...)``: its ``current_state.state_name``."""
        from openedx.core.djangoapps.user_api.models import UserRetirementStatus

        rows = UserRetirementStatus.objects.filter(original_username=original_username)
        # Compared again here: a case-insensitive collation (MySQL's default) also finds other cases.
        return next(
            (
                state
                for name, state in rows.values_list("original_username", "current_state__state_name")
                if name == original_username
            ),
            None,
        )
