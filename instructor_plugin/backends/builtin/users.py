"""Users of ``auth.User`` with the built-in profile."""

import hashlib
import hmac
from collections.abc import Iterable, Iterator, Mapping, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Func, Q
from opaque_keys.edx.keys import CourseKey

from ..data import AnonymousIdData, UserData, survey_rows
from ..exceptions import AccountTaken, AmbiguousIdentifier, UserNotFound
from .models import SurveyAnswer, UserOrgPreference, UserProfile
from .streaming import keyset_stream

User = get_user_model()
#: Survey answers per query of :meth:`BuiltinUserService.iter_survey_rows`.
_SURVEY_CHUNK = 10_000


class SameEmail(Func):
    """
    ``left = right`` ignoring case (what ``iexact`` means), written so that the case-insensitive
    ``auth_user.email`` index of migration 0002 answers it when ``left`` is that column.

    ``iexact`` against another column is a ``LIKE`` on SQLite and MariaDB: no index can answer it, and
    the right-hand email's ``_`` and ``%`` become wildcards.
    """

    arity = 2
    output_field = BooleanField()
    template = "UPPER(%(expressions)s)"
    arg_joiner = ") = UPPER("

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="%(expressions)s COLLATE NOCASE", arg_joiner=" = ")

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "UPPER(%(expressions)s::text)"
        return self.as_sql(compiler, connection, template=template, arg_joiner="::text) = UPPER(")

    def as_mysql(self, compiler, connection, **extra_context):
        # The columns' collation ignores case, as Django's own ``iexact`` (a ``LIKE``) relies on there.
        return self.as_sql(compiler, connection, template="%(expressions)s", arg_joiner=" = ")


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


_USER_DATA_COLUMNS = (
    "pk",
    "username",
    "email",
    "builtin_profile__name",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "builtin_profile__language",
)


def user_data_rows(users, stream: bool = False) -> Iterator[UserData]:
    """
    The boundary records of a ``User`` queryset, read as plain values (chunk by chunk, by id, with ``stream``).

    Reports read users chunk after chunk; model instances joined with ``select_related`` form reference
    cycles that pile up until a GC pass, plain values do not.
    """
    rows = keyset_stream(users, ["pk"], _USER_DATA_COLUMNS) if stream else users.values_list(*_USER_DATA_COLUMNS)
    for row in rows:
        yield _user_data(*row)


def _user_data(pk, username, email, name, first_name, last_name, is_active, is_staff, language) -> UserData:
    """The boundary record of one row of ``_USER_DATA_COLUMNS``."""
    return UserData(
        id=pk,
        username=username,
        email=email,
        full_name=name or f"{first_name} {last_name}".strip(),
        is_active=is_active,
        is_staff=is_staff,
        language=language or None,
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
        candidates = users_with_profile().filter(Q(username=identifier) | Q(email__iexact=identifier))[:3]
        # A case-insensitive collation (MySQL's default) also matches usernames that differ in case.
        matches = [
            user for user in candidates if user.username == identifier or user.email.lower() == identifier.lower()
        ]
        if not matches:
            raise UserNotFound(identifier)
        if len(matches) > 1:
            raise AmbiguousIdentifier(identifier)
        return to_user_data(matches[0])

    def find_user_by_email(self, email: str) -> UserData | None:
        user = users_with_profile().filter(email__iexact=email.strip()).first()
        return to_user_data(user) if user else None

    def get_users(self, user_ids: Iterable[int]) -> Mapping[int, UserData]:
        return {user.id: user for user in user_data_rows(User.objects.filter(pk__in=list(user_ids)))}

    def set_org_preference(self, user_id: int, org: str, key: str, value: str) -> None:
        UserOrgPreference.objects.update_or_create(user_id=user_id, org=org, key=key, defaults={"value": value})

    def get_org_preference(self, user_id: int, org: str, key: str) -> str | None:
        return (
            UserOrgPreference.objects.filter(user_id=user_id, org=org, key=key).values_list("value", flat=True).first()
        )

    def get_year_of_birth(self, user_id: int) -> int | None:
        return UserProfile.objects.filter(user_id=user_id).values_list("year_of_birth", flat=True).first()

    def create_account(self, username: str, email: str, full_name: str, country: str, password: str) -> UserData:
        if User.objects.filter(Q(username=username) | Q(email__iexact=email)).exists():
            raise AccountTaken(username)
        try:
            with transaction.atomic():
                user = User.objects.create_user(username=username, email=email, password=password)
                UserProfile.objects.create(user=user, name=full_name, country=country)
        except IntegrityError:
            raise AccountTaken(username) from None
        return self.get_user(user.pk)

    def survey_field_names(self, course_key: CourseKey) -> Sequence[str]:
        names = SurveyAnswer.objects.filter(course_key=course_key).values_list("field_name", flat=True)
        return list(names.distinct().order_by("field_name"))

    def iter_survey_rows(self, course_key: CourseKey, field_names: Sequence[str]) -> Iterator[Sequence[object]]:
        answers = SurveyAnswer.objects.filter(course_key=course_key)
        columns = ["user_id", "user__username", "user__email", "field_name", "field_value"]
        # By learner, then as recorded: the (course_key, user) index's order, each chunk a range of it.
        return survey_rows(keyset_stream(answers, ["user_id", "pk"], columns, chunk_size=_SURVEY_CHUNK), field_names)

    def anonymous_ids(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, AnonymousIdData]:
        # The key prepared once per call and copied per id, rather than hashed again for every digest.
        keyed = hmac.new(settings.SECRET_KEY.encode(), digestmod=hashlib.sha256)
        course = f"{course_key}|"
        return {
            user_id: AnonymousIdData(
                user_id=user_id,
                anonymous_user_id=_anonymous_id(keyed, f"{user_id}"),
                course_anonymous_user_id=_anonymous_id(keyed, f"{course}{user_id}"),
            )
            for user_id in user_ids
        }


def _anonymous_id(keyed: hmac.HMAC, message: str) -> str:
    """32 hex digits that only someone holding ``SECRET_KEY`` (which ``keyed`` was made with) can map back."""
    digest = keyed.copy()
    digest.update(message.encode())
    return digest.hexdigest()[:32]
