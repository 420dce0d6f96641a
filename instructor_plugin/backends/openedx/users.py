"""Users with the LMS's profiles, language preferences, org tags and anonymous ids."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from opaque_keys.edx.keys import CourseKey

from ..data import AnonymousIdData, UserData, survey_rows
from ..exceptions import AccountTaken, AmbiguousIdentifier, UserNotFound

#: The ``UserPreference`` key of the user's language.
LANGUAGE_KEY = "pref-lang"


def users_with_profile() -> Any:
    """
    ``User`` rows with the LMS's ``UserProfile`` joined in (``user.profile``).

    Typed ``Any``: the type check runs without an LMS, so it knows no ``profile`` relation.
    """
    user_model: Any = get_user_model()
    return user_model.objects.select_related("profile")


def languages(user_ids: Iterable[int]) -> dict[int, str]:
    """The ``pref-lang`` ``UserPreference`` of each of these users who has one."""
    from openedx.core.djangoapps.user_api.models import UserPreference

    rows = UserPreference.objects.filter(user_id__in=list(user_ids), key=LANGUAGE_KEY)
    return dict(rows.values_list("user_id", "value"))


def to_user_data(user: Any, language: str | None = None) -> UserData:
    """The boundary record of a ``User`` loaded with ``select_related("profile")``."""
    profile = getattr(user, "profile", None)
    return UserData(
        id=user.pk,
        username=user.username,
        email=user.email,
        full_name=(profile.name if profile and profile.name else user.get_full_name()),
        is_active=user.is_active,
        is_staff=user.is_staff,
        language=language or None,
    )


def user_records(users: Iterable[Any]) -> list[UserData]:
    """Boundary records of users (with their profiles), their languages read in one query."""
    users = list(users)
    by_user = languages(user.pk for user in users) if users else {}
    return [to_user_data(user, by_user.get(user.pk)) for user in users]


class OpenedxUserService:
    """``auth.User`` with ``student.UserProfile`` (``user.profile``) and ``user_api``'s preferences and org tags."""

    def get_user(self, user_id: int) -> UserData:
        """``User`` with ``UserProfile``; the language is the ``pref-lang`` ``UserPreference``."""
        user = users_with_profile().filter(pk=user_id).first()
        if user is None:
            raise UserNotFound(user_id)
        return user_records([user])[0]

    def find_user(self, identifier: str) -> UserData:
        """
        The user whose username is ``identifier`` or whose email equals it ignoring case (as the LMS's
        ``common.djangoapps.student.models.get_user_by_username_or_email``, which also refuses two matches).
        """
        identifier = identifier.strip()
        candidates = users_with_profile().filter(Q(username=identifier) | Q(email__iexact=identifier))[:3]
        matches = [u for u in candidates if u.username == identifier or u.email.lower() == identifier.lower()]
        if not matches:
            raise UserNotFound(identifier)
        if len(matches) > 1:
            raise AmbiguousIdentifier(identifier)
        return user_records(matches)[0]

    def find_user_by_email(self, email: str) -> UserData | None:
        """``User.objects.filter(email__iexact=email)``."""
        user = users_with_profile().filter(email__iexact=email.strip()).first()
        return user_records([user])[0] if user else None

    def get_users(self, user_ids: Iterable[int]) -> Mapping[int, UserData]:
        """``User`` rows with their profiles in one query, their languages in another."""
        return {user.id: user for user in user_records(users_with_profile().filter(pk__in=list(user_ids)))}

    def anonymous_ids(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, AnonymousIdData]:
        """``common.djangoapps.student.models.anonymous_id_for_user(user, course_key)`` and ``(user, None)``."""
        from common.djangoapps.student.models import anonymous_id_for_user

        return {
            user.pk: AnonymousIdData(
                user_id=user.pk,
                anonymous_user_id=anonymous_id_for_user(user, None),
                course_anonymous_user_id=anonymous_id_for_user(user, course_key),
            )
            for user in get_user_model().objects.filter(pk__in=list(user_ids))
        }

    def set_org_preference(self, user_id: int, org: str, key: str, value: str) -> None:
        """``openedx.core.djangoapps.user_api.models.UserOrgTag`` (update or create)."""
        from openedx.core.djangoapps.user_api.models import UserOrgTag

        UserOrgTag.objects.update_or_create(user_id=user_id, org=org, key=key, defaults={"value": value})

    def get_org_preference(self, user_id: int, org: str, key: str) -> str | None:
        """``openedx.core.djangoapps.user_api.models.UserOrgTag``."""
        from openedx.core.djangoapps.user_api.models import UserOrgTag

        return UserOrgTag.objects.filter(user_id=user_id, org=org, key=key).values_list("value", flat=True).first()

    def get_year_of_birth(self, user_id: int) -> int | None:
        """``common.djangoapps.student.models.UserProfile.year_of_birth``."""
        from common.djangoapps.student.models import UserProfile

        return UserProfile.objects.filter(user_id=user_id).values_list("year_of_birth", flat=True).first()

    def create_account(self, username: str, email: str, full_name: str, country: str, password: str) -> UserData:
        """
        ``lms.djangoapps.instructor.views.api.create_user_and_user_profile(email, username, name, country,
        password)``, as the instructor dashboard's CSV registration calls it; ``AccountTaken`` when the
        username or email (case-insensitive) has an account.
        """
        from lms.djangoapps.instructor.views.api import create_user_and_user_profile

        if get_user_model().objects.filter(Q(username=username) | Q(email__iexact=email)).exists():
            raise AccountTaken(username)
        try:
            with transaction.atomic():
                user = create_user_and_user_profile(email, username, full_name, country, password)
        except IntegrityError:
            raise AccountTaken(username) from None
        return self.get_user(user.pk)

    def survey_field_names(self, course_key: CourseKey) -> Sequence[str]:
        """The distinct ``field_name`` of ``lms.djangoapps.survey.models.SurveyAnswer`` rows of the course."""
        from lms.djangoapps.survey.models import SurveyAnswer

        names = SurveyAnswer.objects.filter(course_key=course_key).values_list("field_name", flat=True)
        return list(names.distinct().order_by("field_name"))

    def iter_survey_rows(self, course_key: CourseKey, field_names: Sequence[str]) -> Iterator[Sequence[object]]:
        """The course's ``SurveyAnswer`` rows with their users' usernames and emails, one row per user."""
        from lms.djangoapps.survey.models import SurveyAnswer

        answers = SurveyAnswer.objects.filter(course_key=course_key).order_by("user_id", "pk")
        columns = ("user_id", "pk", "user__username", "user__email", "field_name", "field_value")
        return survey_rows(answers.values_list(*columns).iterator(chunk_size=2000), field_names)
