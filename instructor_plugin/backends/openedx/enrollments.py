"""
Enrollments, course modes, allowed-to-enroll entries and the manual-enrollment audit, from the LMS's
``student`` and ``course_modes`` apps.

Writes go through the platform's own methods (``CourseEnrollment.enroll``, ``unenroll``,
``update_enrollment``, ``ManualEnrollmentAudit.create_manual_enrollment_audit``) so that its signals
and events fire; lists and counts query its models, filtering, counting and slicing in the database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.expressions import Combinable
from django.db.models.functions import Lower
from opaque_keys.edx.django.models import CourseKeyField
from opaque_keys.edx.keys import CourseKey

from ..data import (
    BETA,
    CCX_COACH,
    INSTRUCTOR,
    STAFF,
    AllowedEnrollmentData,
    CourseModeData,
    CourseModeDetails,
    EmailRecipientData,
    EmailTargets,
    EnrolledLearner,
    EnrollmentAttributeData,
    EnrollmentCursor,
    EnrollmentData,
    EnrollmentFilter,
    EnrollmentSearch,
    EnrollmentSearchRow,
    IdentifierEnrollmentState,
    LearnerProfileData,
    ManualEnrollmentAuditData,
    Page,
    PageRequest,
    UserData,
)
from ..emails import same_email
from ..exceptions import UserNotFound
from .users import languages, user_records, users_with_profile

if TYPE_CHECKING:
    from .cohorts import OpenedxCohortService
    from .programs import OpenedxProgramService

#: The platform's ``CourseMode.DEFAULT_MODE_SLUG`` (``settings.COURSE_MODE_DEFAULTS["slug"]``).
DEFAULT_MODE = "audit"
_NOT_LEARNER_ROLES = (STAFF, INSTRUCTOR, CCX_COACH)
#: Rows read per round trip by the streaming methods.
CHUNK = 1000
_PROFILE_COLUMNS = {
    "id": "user_id",
    "username": "user__username",
    "email": "user__email",
    "name": "user__profile__name",
    "language": "user__profile__language",
    "location": "user__profile__location",
    "year_of_birth": "user__profile__year_of_birth",
    "gender": "user__profile__gender",
    "level_of_education": "user__profile__level_of_education",
    "mailing_address": "user__profile__mailing_address",
    "goals": "user__profile__goals",
    "city": "user__profile__city",
    "country": "user__profile__country",
    "enrollment_mode": "mode",
    "enrollment_date": "created",
    "last_login": "user__last_login",
    "date_joined": "user__date_joined",
}
_NOT_TEXT = frozenset({"year_of_birth", "enrollment_date", "last_login", "date_joined"})


def _models() -> Any:
    from common.djangoapps.student import models

    return models


def _user(user_id: int) -> Any:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise UserNotFound(user_id)
    return user


def _to_enrollment_data(enrollment: Any) -> EnrollmentData:
    return EnrollmentData(
        user_id=enrollment.user_id,
        course_key=enrollment.course_id,
        mode=enrollment.mode,
        is_active=enrollment.is_active,
        created=enrollment.created,
    )


def _to_allowed_data(allowed: Any) -> AllowedEnrollmentData:
    return AllowedEnrollmentData(
        email=allowed.email,
        course_key=allowed.course_id,
        auto_enroll=allowed.auto_enroll,
        user_id=allowed.user_id,
        created=allowed.created,
    )


def _active(course_key: CourseKey) -> Any:
    return _models().CourseEnrollment.objects.filter(course_id=course_key, is_active=True)


def _stream(rows: Any, key: str, columns: Sequence[str]) -> Iterator[tuple]:
    """``values_list(*columns)`` of ``rows`` ordered by ``key`` (the first column), ``CHUNK`` rows a query."""
    last = None
    while True:
        window = rows if last is None else rows.filter(**{f"{key}__gt": last})
        chunk = list(window.order_by(key).values_list(*columns)[:CHUNK])
        yield from chunk
        if len(chunk) < CHUNK:
            return
        last = chunk[-1][0]


def _recipients(course_key: CourseKey, targets: EmailTargets) -> Any:
    """The users the targets select, one query; a user several targets select is one row."""
    from lms.djangoapps.bulk_email.models import Optout
    from openedx.core.djangoapps.course_groups.models import CourseUserGroup

    team = (
        _models()
        .CourseAccessRole.objects.filter(user_id=OuterRef("pk"), role__in=(STAFF, INSTRUCTOR))
        .filter(Q(course_id=course_key) | Q(course_id=CourseKeyField.Empty, org__iexact=course_key.org))
    )
    enrolled = _active(course_key).filter(user_id=OuterRef("pk"))
    learner_groups: Q | Combinable = Q(pk__in=[])
    if targets.learners:
        learner_groups |= ~Exists(team)
    if targets.cohorts:
        cohorts = CourseUserGroup.objects.filter(
            course_id=course_key, group_type=CourseUserGroup.COHORT, name__in=targets.cohorts, users=OuterRef("pk")
        )
        learner_groups |= Exists(cohorts)
    if targets.modes:
        learner_groups |= Exists(enrolled.filter(mode__in=targets.modes))
    opted_out = Optout.objects.filter(user_id=OuterRef("pk"), course_id=course_key)
    selected = Exists(enrolled) & ~Exists(opted_out) & learner_groups
    if targets.staff:
        selected |= Exists(team)
    if targets.myself_id is not None:
        selected |= Q(pk=targets.myself_id)
    return users_with_profile().filter(selected, is_active=True)


class OpenedxEnrollmentService:
    """
    ``common.djangoapps.student.models`` and ``common.djangoapps.course_modes.models.CourseMode``; report rows
    take the learners' cohorts and program keys from the cohort and program services.
    """

    def __init__(self, cohorts: OpenedxCohortService, programs: OpenedxProgramService) -> None:
        self.cohorts = cohorts
        self.programs = programs

    def get_enrollment(self, course_key: CourseKey, user_id: int) -> EnrollmentData | None:
        """The user's ``CourseEnrollment`` row (as ``CourseEnrollment.get_enrollment`` reads it)."""
        enrollment = _models().CourseEnrollment.objects.filter(course_id=course_key, user_id=user_id).first()
        return _to_enrollment_data(enrollment) if enrollment else None

    def enroll(self, course_key: CourseKey, user_id: int, mode: str | None = None) -> EnrollmentData:
        """``CourseEnrollment.enroll(user, course_key, mode=...)``: ``None`` keeps the mode held, else the default."""
        current = self.get_enrollment(course_key, user_id)
        chosen = mode or (current.mode if current else DEFAULT_MODE)
        return _to_enrollment_data(_models().CourseEnrollment.enroll(_user(user_id), course_key, mode=chosen))

    def unenroll(self, course_key: CourseKey, user_id: int) -> EnrollmentData | None:
        """``CourseEnrollment.unenroll(user, course_key)``."""
        if self.get_enrollment(course_key, user_id) is None:
            return None
        _models().CourseEnrollment.unenroll(_user(user_id), course_key)
        return self.get_enrollment(course_key, user_id)

    def list_enrollments(
        self, course_key: CourseKey, filters: EnrollmentFilter, page: PageRequest
    ) -> Page[EnrolledLearner]:
        """Active ``CourseEnrollment`` rows by username; the beta flag from ``CourseAccessRole`` (``beta``)."""
        beta_testers = _models().CourseAccessRole.objects.filter(course_id=course_key, role=BETA).values("user_id")
        rows = _active(course_key)
        if filters.search and filters.search.strip():
            term = filters.search.strip()
            rows = rows.filter(
                Q(user__username__icontains=term)
                | Q(user__email__icontains=term)
                | Q(user__first_name__icontains=term)
                | Q(user__last_name__icontains=term)
                | Q(user__profile__name__icontains=term)
            )
        if filters.is_beta_tester is not None:
            rows = (
                rows.filter(user_id__in=beta_testers)
                if filters.is_beta_tester
                else rows.exclude(user_id__in=beta_testers)
            )
        total = rows.count()
        window = list(
            rows.annotate(is_beta_tester=Exists(beta_testers.filter(user_id=OuterRef("user_id"))))
            .select_related("user", "user__profile")
            .order_by("user__username", "pk")[page.offset : page.offset + page.limit]
        )
        users = user_records(row.user for row in window)
        return Page(
            items=[
                EnrolledLearner(user=user, mode=row.mode, is_beta_tester=row.is_beta_tester)
                for user, row in zip(users, window, strict=True)
            ],
            total=total,
        )

    def count_by_mode(self, course_key: CourseKey) -> Mapping[str, int]:
        """Active ``CourseEnrollment`` rows counted per mode."""
        rows = _active(course_key).order_by().values("mode").annotate(n=Count("pk")).order_by("mode")
        return {row["mode"]: row["n"] for row in rows}

    def count_learners(self, course_key: CourseKey) -> int:
        """Active enrollments of users without a ``staff``, ``instructor`` or ``ccx_coach`` ``CourseAccessRole``."""
        team = _models().CourseAccessRole.objects.filter(course_id=course_key, role__in=_NOT_LEARNER_ROLES)
        return _active(course_key).exclude(user_id__in=team.values("user_id")).count()

    def count_active(self, course_key: CourseKey, limit: int | None = None) -> int:
        """Active ``CourseEnrollment`` rows, counting at most ``limit``."""
        rows = _active(course_key).order_by()
        return rows[:limit].count() if limit is not None else rows.count()

    def list_modes(self, course_key: CourseKey) -> Sequence[CourseModeData]:
        """``CourseMode.modes_for_course(course_key, include_expired=True, only_selectable=False)``."""
        from common.djangoapps.course_modes.models import CourseMode

        modes = CourseMode.modes_for_course(course_key, include_expired=True, only_selectable=False)
        return [CourseModeData(slug=mode.slug, display_name=mode.name) for mode in modes]

    def get_allowed(self, course_key: CourseKey, email: str) -> AllowedEnrollmentData | None:
        """The ``CourseEnrollmentAllowed`` row of the email (case-insensitive)."""
        allowed = (
            _models().CourseEnrollmentAllowed.objects.filter(course_id=course_key, email__iexact=email.strip()).first()
        )
        return _to_allowed_data(allowed) if allowed else None

    def allow(self, course_key: CourseKey, email: str, auto_enroll: bool) -> AllowedEnrollmentData:
        """Create or update the ``CourseEnrollmentAllowed`` row of the email."""
        rows = _models().CourseEnrollmentAllowed.objects
        allowed = rows.filter(course_id=course_key, email__iexact=email.strip()).first()
        if allowed is None:
            allowed = rows.create(course_id=course_key, email=email.strip().lower(), auto_enroll=auto_enroll)
        elif allowed.auto_enroll != auto_enroll:
            allowed.auto_enroll = auto_enroll
            allowed.save(update_fields=["auto_enroll"])
        return _to_allowed_data(allowed)

    def disallow(self, course_key: CourseKey, email: str) -> None:
        """Delete the ``CourseEnrollmentAllowed`` row of the email."""
        rows = _models().CourseEnrollmentAllowed.objects
        rows.filter(course_id=course_key, email__iexact=email.strip()).delete()

    def record_manual_enrollment(self, audit: ManualEnrollmentAuditData) -> None:
        """
        ``ManualEnrollmentAudit.create_manual_enrollment_audit(enrolled_by, email, transition, reason, enrollment)``.

        The platform's audit names the course only through the enrollment: the audit of an email without
        an account (or enrollment) in the course is recorded without one, as the LMS itself records it.
        """
        models = _models()
        enrollment = models.CourseEnrollment.objects.filter(
            course_id=audit.course_key, user__email__iexact=audit.enrolled_email
        ).first()
        enrolled_by = get_user_model().objects.filter(pk=audit.enrolled_by_id).first() if audit.enrolled_by_id else None
        models.ManualEnrollmentAudit.create_manual_enrollment_audit(
            enrolled_by, audit.enrolled_email, audit.state_transition, audit.reason, enrollment=enrollment
        )

    def enroll_many(self, course_key: CourseKey, user_ids: Collection[int]) -> Mapping[int, EnrollmentData]:
        """
        :meth:`enroll` of each user: ``CourseEnrollment.enroll`` one at a time, as the platform's own batch
        enrollment does, so that its enrollment signals and events fire for every learner.
        """
        return {user_id: self.enroll(course_key, user_id) for user_id in user_ids}

    def unenroll_many(self, course_key: CourseKey, user_ids: Collection[int]) -> Mapping[int, EnrollmentData]:
        """:meth:`unenroll` (``CourseEnrollment.unenroll``) of each user, one at a time for the platform's signals."""
        unenrolled = {user_id: self.unenroll(course_key, user_id) for user_id in user_ids}
        return {user_id: enrollment for user_id, enrollment in unenrolled.items() if enrollment is not None}

    def allow_many(
        self, course_key: CourseKey, emails: Collection[str], auto_enroll: bool
    ) -> Mapping[str, AllowedEnrollmentData]:
        """:meth:`allow` of each email (``CourseEnrollmentAllowed`` rows), by the email stripped and lower-cased."""
        return {email.strip().lower(): self.allow(course_key, email, auto_enroll) for email in emails}

    def disallow_many(self, course_key: CourseKey, emails: Collection[str]) -> None:
        """Delete the ``CourseEnrollmentAllowed`` rows of these emails (case-insensitive), in one statement."""
        wanted = Q(pk__in=[])
        for email in emails:
            wanted |= Q(email__iexact=email.strip())
        _models().CourseEnrollmentAllowed.objects.filter(wanted, course_id=course_key).delete()

    def record_manual_enrollments(self, audits: Sequence[ManualEnrollmentAuditData]) -> None:
        """:meth:`record_manual_enrollment` of each row, in order (``create_manual_enrollment_audit``)."""
        for audit in audits:
            self.record_manual_enrollment(audit)

    def get_identifier_states(
        self, course_key: CourseKey, identifiers: Sequence[str]
    ) -> Mapping[str, IdentifierEnrollmentState]:
        """Four queries: the users named, their languages, their ``CourseEnrollment`` rows, the allowed entries."""
        models = _models()
        texts = {identifier: identifier.strip() for identifier in identifiers}
        lowered = {text.lower() for text in texts.values()}
        candidates = list(
            users_with_profile()
            .annotate(email_lower=Lower("email"))
            .filter(Q(username__in=set(texts.values())) | Q(email_lower__in=lowered))
        )
        by_name: dict[str, list[UserData]] = {}
        by_email: dict[str, list[UserData]] = {}
        for user in user_records(candidates):
            by_name.setdefault(user.username, []).append(user)
            by_email.setdefault(user.email.lower(), []).append(user)
        users: dict[str, list[UserData]] = {}
        for identifier, text in texts.items():
            found = {user.id: user for user in by_name.get(text, []) + by_email.get(text.lower(), [])}
            users[identifier] = list(found.values())
        user_ids = {user.id for matches in users.values() for user in matches}
        enrollments = {
            row.user_id: _to_enrollment_data(row)
            for row in models.CourseEnrollment.objects.filter(course_id=course_key, user_id__in=user_ids)
        }
        emails = {
            identifier: (matches[0].email if len(matches) == 1 else texts[identifier]).strip().lower()
            for identifier, matches in users.items()
        }
        allowed = {
            row.email.lower(): _to_allowed_data(row)
            for row in models.CourseEnrollmentAllowed.objects.annotate(email_lower=Lower("email")).filter(
                course_id=course_key, email_lower__in=set(emails.values())
            )
        }
        states = {}
        for identifier, matches in users.items():
            ambiguous = len(matches) > 1
            named = None if ambiguous or not matches else matches[0]
            states[identifier] = IdentifierEnrollmentState(
                identifier=identifier,
                user=named,
                enrollment=enrollments.get(named.id) if named else None,
                allowed=None if ambiguous else allowed.get(emails[identifier]),
                ambiguous=ambiguous,
            )
        return states

    def iter_learner_profiles(self, course_key: CourseKey) -> Iterator[LearnerProfileData]:
        """Active ``CourseEnrollment`` rows with ``User`` and ``UserProfile`` columns, by user id."""
        for row in _stream(_active(course_key), "user_id", list(_PROFILE_COLUMNS.values())):
            values = dict(zip(_PROFILE_COLUMNS, row, strict=True))
            profile: dict[str, Any] = {
                name: "" if value is None and name not in _NOT_TEXT else value for name, value in values.items()
            }
            yield LearnerProfileData(**profile)

    def iter_learner_profile_rows(self, course_key: CourseKey, fields: Sequence[str]) -> Iterator[Sequence[object]]:
        """
        :meth:`iter_learner_profiles` cut to ``fields``, the datetimes as ISO 8601 text; the cohorts and program
        keys asked for are looked up a chunk of learners at a time.
        """
        profiles = iter(self.iter_learner_profiles(course_key))
        while chunk := list(islice(profiles, CHUNK)):
            user_ids = [profile.id for profile in chunk]
            cohorts = self.cohorts.get_cohort_names(course_key, user_ids) if "cohort" in fields else {}
            keys = self.programs.get_external_user_keys(course_key, user_ids) if "external_user_key" in fields else {}
            for profile in chunk:
                completed = (
                    replace(profile, cohort=cohorts.get(profile.id, ""), external_user_key=keys.get(profile.id, ""))
                    if profile.id in cohorts or profile.id in keys
                    else profile
                )
                yield tuple(_profile_cell(getattr(completed, name)) for name in fields)

    def iter_enrolled_user_ids(self, course_key: CourseKey) -> Iterator[int]:
        """Ids of the users of active ``CourseEnrollment`` rows, ascending."""
        for (user_id,) in _stream(_active(course_key), "user_id", ["user_id"]):
            yield user_id

    def iter_pending_enrollment_emails(self, course_key: CourseKey) -> Iterator[str]:
        """``CourseEnrollmentAllowed`` emails no actively enrolled user has."""
        enrolled = _active(course_key).filter(same_email("user__email", OuterRef("email")))
        rows = _models().CourseEnrollmentAllowed.objects.filter(course_id=course_key).exclude(Exists(enrolled))
        for (email,) in _stream(rows, "email", ["email"]):
            yield email

    def iter_inactive_enrolled_emails(self, course_key: CourseKey) -> Iterator[str]:
        """Emails of the actively enrolled ``User`` rows with ``is_active`` false, by id."""
        enrolled = _active(course_key).filter(user_id=OuterRef("pk"))
        rows = get_user_model().objects.filter(Exists(enrolled), is_active=False)
        for _, email in _stream(rows, "pk", ["pk", "email"]):
            yield email

    def iter_email_recipients(self, course_key: CourseKey, targets: EmailTargets) -> Iterator[EmailRecipientData]:
        """Users the targets select (``CourseEnrollment``, ``CourseAccessRole``, cohorts, ``bulk_email.Optout``)."""
        columns = ["id", "email", "profile__name"]
        last = 0
        while True:
            chunk = list(
                _recipients(course_key, targets).filter(pk__gt=last).order_by("pk").values_list(*columns)[:CHUNK]
            )
            by_user = languages([user_id for user_id, _, _ in chunk])
            for user_id, email, name in chunk:
                yield EmailRecipientData(
                    user_id=user_id, email=email, full_name=name or "", language=by_user.get(user_id)
                )
            if len(chunk) < CHUNK:
                return
            last = chunk[-1][0]

    def count_email_recipients(self, course_key: CourseKey, targets: EmailTargets) -> int:
        """How many users :meth:`iter_email_recipients` yields, in one query."""
        return _recipients(course_key, targets).count()

    # --- The enrollment API (seed 002) ---

    def update_enrollment(
        self, course_key: CourseKey, user_id: int, mode: str | None = None, is_active: bool | None = None
    ) -> EnrollmentData | None:
        """``enrollment.update_enrollment(mode=..., is_active=...)`` on the user's ``CourseEnrollment``."""
        enrollment = _models().CourseEnrollment.objects.filter(course_id=course_key, user_id=user_id).first()
        if enrollment is None:
            return None
        enrollment.update_enrollment(mode=mode, is_active=is_active)
        return _to_enrollment_data(enrollment)

    def list_user_enrollments(self, user_id: int, include_inactive: bool = False) -> Sequence[EnrollmentData]:
        """The user's ``CourseEnrollment`` rows, oldest first."""
        rows = _models().CourseEnrollment.objects.filter(user_id=user_id)
        if not include_inactive:
            rows = rows.filter(is_active=True)
        return [_to_enrollment_data(row) for row in rows.order_by("created", "pk")]

    def unenroll_all(self, user_id: int) -> Sequence[CourseKey]:
        """``CourseEnrollment.unenroll(user, course_id)`` for each active enrollment, in one transaction."""
        models = _models()
        with transaction.atomic():
            rows = models.CourseEnrollment.objects.select_for_update().filter(user_id=user_id, is_active=True)
            course_keys = list(rows.order_by("pk").values_list("course_id", flat=True))
            user = _user(user_id) if course_keys else None
            for course_key in course_keys:
                models.CourseEnrollment.unenroll(user, course_key)
        return course_keys

    def list_mode_details(self, course_key: CourseKey, include_expired: bool = False) -> Sequence[CourseModeDetails]:
        """
        ``CourseMode.modes_for_course(course_key, include_expired=..., only_selectable=False)`` of a course
        ``modulestore().get_course`` knows (the platform's default ``audit`` mode for one without modes).
        """
        from common.djangoapps.course_modes.models import CourseMode
        from xmodule.modulestore.django import modulestore

        if modulestore().get_course(course_key, depth=0) is None:
            return []
        modes = CourseMode.modes_for_course(course_key, include_expired=include_expired, only_selectable=False)
        return [
            CourseModeDetails(
                slug=mode.slug,
                name=mode.name,
                min_price=mode.min_price,
                suggested_prices=mode.suggested_prices or "",
                currency=mode.currency,
                expiration_datetime=mode.expiration_datetime,
                description=mode.description or None,
                sku=mode.sku or None,
                bulk_sku=mode.bulk_sku or None,
            )
            for mode in modes
        ]

    def get_enrollment_attributes(self, course_key: CourseKey, user_id: int) -> Sequence[EnrollmentAttributeData]:
        """The ``CourseEnrollmentAttribute`` rows of the user's enrollment."""
        rows = _models().CourseEnrollmentAttribute.objects.filter(
            enrollment__course_id=course_key, enrollment__user_id=user_id
        )
        return [EnrollmentAttributeData(namespace=a.namespace, name=a.name, value=a.value) for a in rows.order_by("pk")]

    def set_enrollment_attributes(
        self, course_key: CourseKey, user_id: int, attributes: Sequence[EnrollmentAttributeData]
    ) -> None:
        """Create or update ``CourseEnrollmentAttribute`` rows (by namespace and name) of the enrollment."""
        models = _models()
        enrollment = models.CourseEnrollment.objects.filter(course_id=course_key, user_id=user_id).first()
        if enrollment is None:
            return
        for attribute in attributes:
            models.CourseEnrollmentAttribute.objects.update_or_create(
                enrollment=enrollment,
                namespace=attribute.namespace,
                name=attribute.name,
                defaults={"value": attribute.value},
            )

    def search_enrollments(
        self, filters: EnrollmentSearch, cursor: EnrollmentCursor | None, limit: int
    ) -> Sequence[EnrollmentSearchRow]:
        """``CourseEnrollment`` rows of every course, newest first, sliced at the cursor."""
        rows = _models().CourseEnrollment.objects.all()
        if filters.course_key is not None:
            rows = rows.filter(course_id=filters.course_key)
        if filters.course_id_contains:
            contains = Q(pk__in=[])
            for text in filters.course_id_contains:
                contains |= Q(course_id__icontains=text)
            rows = rows.filter(contains)
        if filters.usernames:
            rows = rows.filter(user__username__in=list(filters.usernames))
        if filters.emails:
            rows = rows.filter(user__email__in=list(filters.emails))
        if cursor is not None and cursor.backwards:
            after = Q(created__gt=cursor.created) | Q(created=cursor.created, pk__gt=cursor.id)
            window = list(rows.filter(after).order_by("created", "pk").select_related("user")[:limit])[::-1]
        else:
            if cursor is not None:
                rows = rows.filter(Q(created__lt=cursor.created) | Q(created=cursor.created, pk__lt=cursor.id))
            window = list(rows.order_by("-created", "-pk").select_related("user")[:limit])
        return [
            EnrollmentSearchRow(id=row.pk, username=row.user.username, enrollment=_to_enrollment_data(row))
            for row in window
        ]

    def list_allowed_by_email(self, email: str) -> Sequence[AllowedEnrollmentData]:
        """The email's ``CourseEnrollmentAllowed`` rows in every course, oldest first."""
        rows = _models().CourseEnrollmentAllowed.objects.filter(email__iexact=email.strip())
        return [_to_allowed_data(row) for row in rows.order_by("created", "pk")]

    def get_enrollments(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, EnrollmentData]:
        """The users' ``CourseEnrollment`` rows in the course, one query."""
        rows = _models().CourseEnrollment.objects.filter(course_id=course_key, user_id__in=list(user_ids))
        return {row.user_id: _to_enrollment_data(row) for row in rows}

    def set_enrollments(self, course_key: CourseKey, enrollments: Mapping[int, tuple[str, bool]]) -> None:
        """
        ``CourseEnrollment.get_or_create_enrollment(user, course_key)`` then ``update_enrollment(mode=...,
        is_active=...)`` for each user (as ``CourseEnrollment.enroll`` does), so the platform's signals fire.
        """
        models = _models()
        users = get_user_model().objects.in_bulk(list(enrollments))
        with transaction.atomic():
            for user_id, (mode, is_active) in enrollments.items():
                if user_id not in users:
                    raise UserNotFound(user_id)
                enrollment = models.CourseEnrollment.get_or_create_enrollment(users[user_id], course_key)
                enrollment.update_enrollment(mode=mode, is_active=is_active)


def _profile_cell(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
