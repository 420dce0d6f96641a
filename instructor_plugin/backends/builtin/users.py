"""Users of ``auth.User`` with the built-in profile."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from ..data import UserData
from ..exceptions import AmbiguousIdentifier, UserNotFound

User = get_user_model()


def to_user_data(user) -> UserData:
    """The boundary record of a ``User`` loaded with ``select_related("builtin_profile")``."""
    profile = getattr(user, "builtin_profile", None)
    full_name = profile.name if profile and profile.name else user.get_full_name()
    return UserData(
        id=user.pk,
        username=user.username,
        email=user.email,
        full_name=full_name,
        is_active=user.is_active,
        is_staff=user.is_staff,
        language=(profile.language or None) if profile else None,
    )


def users_with_profile():
    """``User`` rows with their profile joined in."""
    return User.objects.select_related("builtin_profile")


class BuiltinUserService:
    """Looks users up by id, username or email."""

    def get_user(self, user_id: int) -> UserData:
        try:
            return to_user_data(users_with_profile().get(pk=user_id))
        except User.DoesNotExist:
            raise UserNotFound(user_id) from None

    def find_user(self, identifier: str) -> UserData:
        identifier = identifier.strip()
        matches = list(users_with_profile().filter(Q(username=identifier) | Q(email__iexact=identifier))[:2])
        if not matches:
            raise UserNotFound(identifier)
        if len(matches) > 1:
            raise AmbiguousIdentifier(identifier)
        return to_user_data(matches[0])

    def find_user_by_email(self, email: str) -> UserData | None:
        user = users_with_profile().filter(email__iexact=email.strip()).first()
        return to_user_data(user) if user else None
