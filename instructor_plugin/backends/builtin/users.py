"""Users of ``auth.User`` with the built-in profile."""

import hashlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, transaction
from django.db.models import Q, Value
from django.db.models.lookups import In
from opaque_keys.edx.keys import CourseKey

from ..data import AnonymousIdData, UserData, survey_rows
from ..emails import EmailKey
from ..exceptions import AccountTaken, AmbiguousIdentifier, UserNotFound
from .models import SurveyAnswer, UserOrgPreference, UserProfile
from .streaming import keyset_stream

User = get_user_model()
#: Survey answers per query of :meth:`BuiltinUserService.iter_survey_rows`.
_SURVEY_CHUNK = 10_000


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


#: Identifiers (or ids) looked up in one query: each chunk may cost the database a scan of the user table
#: when it has few users, and its two lists of parameters stay well below every database's limit.
NAMED_CHUNK = 5000


def _with_email_in(users, emails: list[str]):
    """
    ``users`` whose email is one of ``emails``, ignoring case, through the email index.

    PostgreSQL compares ``UPPER()`` of both sides: Python upper-cases an ASCII email as it does; any other is
    left to ``UPPER()`` itself, whose folding depends on the database's locale.
    """
    keys: list = emails
    if connections[users.db].vendor == "postgresql":
        keys = [email.upper() if email.isascii() else EmailKey(Value(email)) for email in emails]
    return users.filter(In(EmailKey("email"), keys))


def named_rows(users, texts: Collection[str], columns: Sequence[str]) -> list[tuple]:
    """
    ``columns`` of the ``users`` whose username is one of ``texts`` or whose email is one, ignoring case.

    One ``UNION`` of two lookups per chunk of ``texts``, each served by its index (an ``OR`` of the two
    is not, on every database); a user both find is one row. The caller matches the rows to ``texts``
    again: a case-insensitive collation (MySQL's default) also finds usernames that differ in case.
    """
    ordered = sorted(texts)
    rows = []
    for start in range(0, len(ordered), NAMED_CHUNK):
        chunk = ordered[start : start + NAMED_CHUNK]
        by_username = users.filter(username__in=chunk).values_list(*columns)
        rows.extend(by_username.union(_with_email_in(users, chunk).values_list(*columns)))
    return rows


def named_users(texts: Collection[str]) -> list[UserData]:
    """The users whose username is one of ``texts`` or whose email is one, ignoring case (see :func:`named_rows`)."""
    return [_user_data(*row) for row in named_rows(User.objects.all(), texts, _USER_DATA_COLUMNS)]


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
        columns = ["user_id", "pk", "user__username", "user__email", "field_name", "field_value"]
        # By learner, then as recorded: the (course_key, user) index's order, each chunk a range of it.
        return survey_rows(
            keyset_stream(answers, ["user_id", "pk"], columns, _SURVEY_CHUNK, "ipb_survey_answer_course"), field_names
        )

    def anonymous_ids(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, AnonymousIdData]:
        # 32 hex digits that only someone holding SECRET_KEY can map back to the user.
        digest = _HmacSha256(settings.SECRET_KEY.encode()).hexdigest
        course = f"{course_key}|"
        return {
            user_id: AnonymousIdData(
                user_id=user_id,
                anonymous_user_id=digest(f"{user_id}")[:32],
                course_anonymous_user_id=digest(f"{course}{user_id}")[:32],
            )
            for user_id in user_ids
        }


#: SHA-256's block size, in bytes.
_SHA256_BLOCK = 64
_INNER_PAD = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_PAD = bytes(byte ^ 0x5C for byte in range(256))


class _HmacSha256:
    """
    HMAC-SHA256 (RFC 2104) under one key, as ``hmac.new(key, message, hashlib.sha256)`` computes it.

    The padded key's two blocks are hashed once; each message then copies those two states (in C),
    about half the cost of copying an ``hmac.HMAC``.
    """

    def __init__(self, key: bytes):
        if len(key) > _SHA256_BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(key.translate(_INNER_PAD))
        self._outer = hashlib.sha256(key.translate(_OUTER_PAD))

    def hexdigest(self, message: str) -> str:
        """The HMAC of the UTF-8 ``message``, in hex."""
        inner = self._inner.copy()
        inner.update(message.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()
