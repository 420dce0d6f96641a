"""Enrollments, modes, allowed-to-enroll entries and the manual-enrollment audit."""

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import CharField, Count, Exists, FilteredRelation, Func, OuterRef, Q, Subquery, Sum, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull
from django.utils import timezone
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
from ..rows import insert_rows, stored_datetime
from .compiled import CompiledQuery
from .filters import EnrollmentFilterSet
from .models import (
    ENROLLMENT_KEYSET,
    CohortMembership,
    CourseAccessRole,
    CourseEmailOptout,
    CourseEnrollment,
    CourseEnrollmentAllowed,
    CourseEnrollmentAttribute,
    CourseMode,
    EnrollmentCount,
    ManualEnrollmentAudit,
    ProgramCourseEnrollment,
)
from .sql_text import IsoDateTime
from .streaming import keyset_chunks, keyset_stream
from .users import User, named_users, to_user_data

DEFAULT_MODE = "audit"
#: Emails read in one query by a stream of emails (a short column: large chunks cost little memory).
_EMAIL_CHUNK = 10_000
#: Rows read in one query by the enrolled-students and anonymised-ids reports: a 17 MB peak of profile rows at
#: most; on MariaDB each query's fixed cost (parse, plan, index dives) made 2,000-row chunks cost 10% more.
_REPORT_ROWS_CHUNK = 10_000
_NOT_LEARNER_ROLES = (STAFF, INSTRUCTOR, CCX_COACH)
#: A learner's profile as the enrolled-students report reads it: one row of the enrollment joined with its user.
_PROFILE_COLUMNS = [
    "user_id",
    "user__username",
    "user__email",
    "user__builtin_profile__name",
    "user__builtin_profile__language",
    "user__builtin_profile__year_of_birth",
    "user__builtin_profile__gender",
    "user__builtin_profile__level_of_education",
    "user__builtin_profile__goals",
    "user__builtin_profile__city",
    "user__builtin_profile__country",
    "mode",
    "created",
    "user__last_login",
    "user__date_joined",
]

#: The column of each :class:`LearnerProfileData` field the built-in tables store, as a report reads it.
_PROFILE_ROW_COLUMNS: dict[str, str | Combinable] = {
    "id": "user_id",
    "username": "user__username",
    "email": "user__email",
    "name": "user__builtin_profile__name",
    "language": "user__builtin_profile__language",
    "year_of_birth": "user__builtin_profile__year_of_birth",
    "gender": "user__builtin_profile__gender",
    "level_of_education": "user__builtin_profile__level_of_education",
    "goals": "user__builtin_profile__goals",
    "city": "user__builtin_profile__city",
    "country": "user__builtin_profile__country",
    "enrollment_mode": "mode",
    "enrollment_date": IsoDateTime("created"),
    "last_login": IsoDateTime("user__last_login"),
    "date_joined": IsoDateTime("user__date_joined"),
}
_UNSTORED_TEXT = Value("", output_field=CharField())


def _membership_in(course_key: CourseKey) -> FilteredRelation:
    """The enrolled learner's cohort membership in the course (one at most)."""
    return FilteredRelation(
        "user__builtin_cohort_memberships", condition=Q(user__builtin_cohort_memberships__course_key=course_key)
    )


def _profile_row_column(name: str, course_key: CourseKey) -> str | Combinable:
    """
    The column of the profile field ``name`` in a row of the course's active enrollments (annotated with
    ``membership`` for the cohort): the program key is the one of the learner's latest program enrollment with an
    enrollment in the course, read in the order of the program enrollments' user index (no sort per learner).
    """
    if name == "cohort":
        return "membership__cohort__name"
    if name == "external_user_key":
        keys = ProgramCourseEnrollment.objects.filter(
            course_key=course_key, program_enrollment__user=OuterRef("user_id")
        )
        return Subquery(keys.order_by("-program_enrollment").values("program_enrollment__external_user_key")[:1])
    return _PROFILE_ROW_COLUMNS.get(name, _UNSTORED_TEXT)


def _to_enrollment_data(enrollment: CourseEnrollment) -> EnrollmentData:
    return EnrollmentData(
        user_id=enrollment.user_id,
        course_key=enrollment.course_key,
        mode=enrollment.mode,
        is_active=enrollment.is_active,
        created=enrollment.created,
    )


def _to_allowed_data(allowed: CourseEnrollmentAllowed) -> AllowedEnrollmentData:
    return AllowedEnrollmentData(
        email=allowed.email,
        course_key=allowed.course_key,
        auto_enroll=allowed.auto_enroll,
        user_id=allowed.user_id,
        created=allowed.created,
    )


class _NotIndexed(Func):
    """``expression`` as it is, but that SQLite does not look up in an index (its unary ``+``)."""

    arity = 1
    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="+%(expressions)s")


def _active(course_key: CourseKey | str):
    """
    The course's active enrollments, ``is_active`` compared to true: Django writes ``is_active=True`` as the bare
    column, which SQLite does not match against the ``(course_key, is_active, ...)`` indexes, so a page sorted
    every enrollment of the course in a temporary B-tree (7.6 ms at 50,000 learners, 0.015 ms compared).
    """
    return CourseEnrollment.objects.filter(Q(is_active=Value(True)), course_key=course_key)


def _learner_counts(course_id: str):
    """The course's kept total beside its enrolled team, counted by a subquery: one query."""
    team = CourseAccessRole.objects.filter(course_key=course_id, role__in=_NOT_LEARNER_ROLES).values("user_id")
    enrolled_team = (
        _active(course_id)
        .filter(user_id__in=team)
        .order_by()
        .values("course_key")
        .annotate(n=Count("user_id", distinct=True))
        .values("n")
    )
    return (
        EnrollmentCount.objects.filter(course_key=course_id)
        .order_by()
        .values("course_key")
        .annotate(total=Sum("active"), team=Coalesce(Subquery(enrolled_team), 0))
        .values_list("total", "team")[:1]
    )


#: Course metadata counts the learners on every request: compiled once.
_LEARNER_COUNTS = CompiledQuery(_learner_counts, ["course-v1:a+b+c"], ["course-v1:d+e+f"])


def _recipients(course_key: CourseKey, targets: EmailTargets):
    """The users the targets select, as one query: a user matching several targets is one row."""
    team = CourseAccessRole.objects.filter(user_id=OuterRef("pk"), role__in=(STAFF, INSTRUCTOR)).filter(
        Q(course_key=course_key) | Q(course_key=CourseKeyField.Empty, org__iexact=course_key.org)
    )
    enrolled = _active(course_key).filter(user_id=OuterRef("pk"))
    learner_groups: Q | Combinable = Q(pk__in=[])
    if targets.learners:
        learner_groups |= ~Exists(team)
    if targets.cohorts:
        members = CohortMembership.objects.filter(
            user_id=OuterRef("pk"), course_key=course_key, cohort__name__in=targets.cohorts
        )
        learner_groups |= Exists(members)
    if targets.modes:
        learner_groups |= Exists(enrolled.filter(mode__in=targets.modes))
    opted_out = CourseEmailOptout.objects.filter(user_id=OuterRef("pk"), course_key=course_key)
    selected = Exists(enrolled) & ~Exists(opted_out) & learner_groups
    if targets.staff:
        selected |= Exists(team)
    if targets.myself_id is not None:
        selected |= Q(pk=targets.myself_id)
    return User.objects.filter(selected, is_active=True)


class BuiltinEnrollmentService:
    """Reads and writes the built-in enrollment tables."""

    def get_enrollment(self, course_key: CourseKey, user_id: int) -> EnrollmentData | None:
        enrollment = CourseEnrollment.objects.filter(course_key=course_key, user_id=user_id).first()
        return _to_enrollment_data(enrollment) if enrollment else None

    def enroll(self, course_key: CourseKey, user_id: int, mode: str | None = None) -> EnrollmentData:
        enrollment, created = CourseEnrollment.objects.get_or_create(
            course_key=course_key, user_id=user_id, defaults={"mode": mode or DEFAULT_MODE}
        )
        if not created and (not enrollment.is_active or (mode and mode != enrollment.mode)):
            enrollment.is_active = True
            enrollment.mode = mode or enrollment.mode
            enrollment.save(update_fields=["is_active", "mode"])
        return _to_enrollment_data(enrollment)

    def unenroll(self, course_key: CourseKey, user_id: int) -> EnrollmentData | None:
        enrollment = CourseEnrollment.objects.filter(course_key=course_key, user_id=user_id).first()
        if enrollment is None:
            return None
        if enrollment.is_active:
            enrollment.is_active = False
            enrollment.save(update_fields=["is_active"])
        return _to_enrollment_data(enrollment)

    def list_enrollments(
        self, course_key: CourseKey, filters: EnrollmentFilter, page: PageRequest
    ) -> Page[EnrolledLearner]:
        filtered = bool(filters.search) or filters.is_beta_tester is not None
        rows = _active(course_key)
        if filtered:
            data = {"search": filters.search or "", "is_beta_tester": filters.is_beta_tester}
            rows = EnrollmentFilterSet(data, rows, course_key=course_key).qs
        if filters.is_beta_tester is not None:
            is_beta_tester: Combinable = Value(filters.is_beta_tester)
        else:
            beta_testers = CourseAccessRole.objects.filter(course_key=course_key, role=BETA)
            is_beta_tester = Exists(beta_testers.filter(user_id=OuterRef("user_id")))
        related = ("user", "user__builtin_profile")
        if filters.is_beta_tester and not filters.search:
            # The beta testers (few, read from the roles table) sorted and sliced with their accounts: one query.
            learners = rows.annotate(is_beta_tester=is_beta_tester).select_related(*related)
            window = list(learners.order_by("user__username")[page.offset : page.offset + page.limit])
            found = len(window)
        else:
            # The page's ids first, from the (course_key, is_active, username) index alone however deep the
            # page; a search or the learners who are not beta testers sort what the filter found rather than
            # walk the whole course in index order. Then those rows with their users, profiles and flags.
            order = "user__username" if filtered else "username"
            ids = list(rows.order_by(order).values_list("pk", flat=True)[page.offset : page.offset + page.limit])
            window = list(
                CourseEnrollment.objects.filter(pk__in=ids)
                .annotate(is_beta_tester=is_beta_tester)
                .select_related(*related)
                .order_by("username")
            )
            found = len(ids)
        # A filtered page that is not full is the last: what the filter found ends there, its total needs no count.
        if not filtered:
            total = self.count_active(course_key)
        elif 0 < found < page.limit or (not found and not page.offset):
            total = page.offset + found
        else:
            total = rows.count()
        items = [
            EnrolledLearner(user=to_user_data(row.user), mode=row.mode, is_beta_tester=row.is_beta_tester)
            for row in window
        ]
        return Page(items=items, total=total)

    def count_by_mode(self, course_key: CourseKey) -> Mapping[str, int]:
        """Read from the counts the triggers keep: a few rows, whatever the course size."""
        rows = EnrollmentCount.objects.filter(course_key=course_key, active__gt=0).order_by("mode")
        return dict(rows.values_list("mode", "active"))

    def count_learners(self, course_key: CourseKey) -> int:
        """Every active enrollment but the enrolled team's: the count kept, less the team read from the roles table."""
        counts = _LEARNER_COUNTS.rows(str(course_key))
        return next((total - team for total, team in counts), 0)

    def count_active(self, course_key: CourseKey, limit: int | None = None) -> int:
        """The kept count; with ``limit``, a count that stops there (at most ``limit`` index entries read)."""
        if limit is not None:
            return _active(course_key).order_by()[:limit].count()
        return EnrollmentCount.objects.filter(course_key=course_key).aggregate(total=Sum("active"))["total"] or 0

    def list_modes(self, course_key: CourseKey) -> Sequence[CourseModeData]:
        modes = CourseMode.objects.filter(course__course_key=course_key).order_by("pk")
        return [CourseModeData(slug=m.slug, display_name=m.display_name) for m in modes]

    def get_allowed(self, course_key: CourseKey, email: str) -> AllowedEnrollmentData | None:
        allowed = CourseEnrollmentAllowed.objects.filter(course_key=course_key, email=email.strip().lower()).first()
        return _to_allowed_data(allowed) if allowed else None

    def allow(self, course_key: CourseKey, email: str, auto_enroll: bool) -> AllowedEnrollmentData:
        allowed, _ = CourseEnrollmentAllowed.objects.update_or_create(
            course_key=course_key, email=email.strip().lower(), defaults={"auto_enroll": auto_enroll}
        )
        return _to_allowed_data(allowed)

    def disallow(self, course_key: CourseKey, email: str) -> None:
        CourseEnrollmentAllowed.objects.filter(course_key=course_key, email=email.strip().lower()).delete()

    def record_manual_enrollment(self, audit: ManualEnrollmentAuditData) -> None:
        ManualEnrollmentAudit.objects.create(
            enrolled_by_id=audit.enrolled_by_id,
            enrolled_email=audit.enrolled_email,
            course_key=audit.course_key,
            state_transition=audit.state_transition,
            reason=audit.reason,
        )

    def enroll_many(self, course_key: CourseKey, user_ids: Collection[int]) -> Mapping[int, EnrollmentData]:
        """Three queries at most: the existing rows, one update re-activating some, one insert of the others."""
        rows = {
            row.user_id: row for row in CourseEnrollment.objects.filter(course_key=course_key, user_id__in=user_ids)
        }
        inactive = [row for row in rows.values() if not row.is_active]
        if inactive:
            CourseEnrollment.objects.filter(pk__in=[row.pk for row in inactive]).update(is_active=True)
            for row in inactive:
                row.is_active = True
        missing = [user_id for user_id in dict.fromkeys(user_ids) if user_id not in rows]
        now = timezone.now()
        course, stored_now = str(course_key), stored_datetime(CourseEnrollment, now)
        insert_rows(
            CourseEnrollment,
            ("user", "course_key", "mode", "is_active", "created"),
            ((user_id, course, DEFAULT_MODE, True, stored_now) for user_id in missing),
        )
        enrolled = {user_id: _to_enrollment_data(row) for user_id, row in rows.items()}
        for user_id in missing:
            enrolled[user_id] = EnrollmentData(user_id, course_key, DEFAULT_MODE, is_active=True, created=now)
        return enrolled

    def unenroll_many(self, course_key: CourseKey, user_ids: Collection[int]) -> Mapping[int, EnrollmentData]:
        rows = list(CourseEnrollment.objects.filter(course_key=course_key, user_id__in=user_ids))
        active = [row.pk for row in rows if row.is_active]
        if active:
            CourseEnrollment.objects.filter(pk__in=active).update(is_active=False)
        for row in rows:
            row.is_active = False
        return {row.user_id: _to_enrollment_data(row) for row in rows}

    def allow_many(
        self, course_key: CourseKey, emails: Collection[str], auto_enroll: bool
    ) -> Mapping[str, AllowedEnrollmentData]:
        wanted = list(dict.fromkeys(email.strip().lower() for email in emails))
        rows = {
            row.email: row for row in CourseEnrollmentAllowed.objects.filter(course_key=course_key, email__in=wanted)
        }
        changed = [row for row in rows.values() if row.auto_enroll != auto_enroll]
        if changed:
            CourseEnrollmentAllowed.objects.filter(pk__in=[row.pk for row in changed]).update(auto_enroll=auto_enroll)
            for row in changed:
                row.auto_enroll = auto_enroll
        missing = [email for email in wanted if email not in rows]
        now = timezone.now()
        course, stored_now = str(course_key), stored_datetime(CourseEnrollmentAllowed, now)
        insert_rows(
            CourseEnrollmentAllowed,
            ("course_key", "email", "auto_enroll", "created"),
            ((course, email, auto_enroll, stored_now) for email in missing),
        )
        allowed = {email: _to_allowed_data(row) for email, row in rows.items()}
        for email in missing:
            allowed[email] = AllowedEnrollmentData(email, course_key, auto_enroll, user_id=None, created=now)
        return allowed

    def disallow_many(self, course_key: CourseKey, emails: Collection[str]) -> None:
        lowered = {email.strip().lower() for email in emails}
        CourseEnrollmentAllowed.objects.filter(course_key=course_key, email__in=lowered).delete()

    def record_manual_enrollments(self, audits: Sequence[ManualEnrollmentAuditData]) -> None:
        now = stored_datetime(ManualEnrollmentAudit, timezone.now())
        insert_rows(
            ManualEnrollmentAudit,
            ("enrolled_by", "enrolled_email", "course_key", "state_transition", "reason", "created"),
            (
                (a.enrolled_by_id, a.enrolled_email, str(a.course_key), a.state_transition, a.reason, now)
                for a in audits
            ),
        )

    def get_identifier_states(
        self, course_key: CourseKey, identifiers: Sequence[str]
    ) -> Mapping[str, IdentifierEnrollmentState]:
        """Three queries: the users named (by username, or email ignoring case), their enrollments, the entries."""
        texts = {identifier: identifier.strip() for identifier in identifiers}
        # Matched again here: a case-insensitive collation (MySQL's default) also finds usernames that differ in case.
        by_name: dict[str, list[UserData]] = {}
        by_email: dict[str, list[UserData]] = {}
        for user in named_users(set(texts.values())):
            by_name.setdefault(user.username, []).append(user)
            by_email.setdefault(user.email.lower(), []).append(user)
        users: dict[str, list[UserData]] = {}
        for identifier, text in texts.items():
            found = {user.id: user for user in by_name.get(text, []) + by_email.get(text.lower(), [])}
            users[identifier] = list(found.values())
        user_ids = {user.id for matches in users.values() for user in matches}
        enrollments = {
            row.user_id: _to_enrollment_data(row)
            for row in CourseEnrollment.objects.filter(course_key=course_key, user_id__in=user_ids)
        }
        emails = {
            identifier: (matches[0].email if len(matches) == 1 else texts[identifier]).strip().lower()
            for identifier, matches in users.items()
        }
        allowed = {
            row.email: _to_allowed_data(row)
            for row in CourseEnrollmentAllowed.objects.filter(course_key=course_key, email__in=set(emails.values()))
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
        for (
            user_id,
            username,
            email,
            name,
            language,
            year_of_birth,
            gender,
            level_of_education,
            goals,
            city,
            country,
            enrollment_mode,
            enrollment_date,
            last_login,
            date_joined,
        ) in keyset_stream(_active(course_key), ["user_id"], _PROFILE_COLUMNS, index=ENROLLMENT_KEYSET):
            yield LearnerProfileData(
                id=user_id,
                username=username or "",
                email=email or "",
                name=name or "",
                language=language or "",
                year_of_birth=year_of_birth,
                gender=gender or "",
                level_of_education=level_of_education or "",
                goals=goals or "",
                city=city or "",
                country=country or "",
                enrollment_mode=enrollment_mode or "",
                enrollment_date=enrollment_date,
                last_login=last_login,
                date_joined=date_joined,
            )

    def iter_learner_profile_rows(self, course_key: CourseKey, fields: Sequence[str]) -> Iterator[Sequence[object]]:
        # The database does the formatting (datetimes as ISO text, fields it does not store as '') and the
        # joins (the cohort, the program key), so the rows come straight from the cursor, with no converter,
        # object or lookup per learner.
        enrollments = _active(course_key)
        if "cohort" in fields:
            enrollments = enrollments.annotate(membership=_membership_in(course_key))
        columns = [_profile_row_column(name, course_key) for name in fields]
        return keyset_stream(enrollments, ["user_id"], columns, _REPORT_ROWS_CHUNK, ENROLLMENT_KEYSET)

    def iter_enrolled_user_ids(self, course_key: CourseKey) -> Iterator[int]:
        ids = keyset_stream(_active(course_key), ["user_id"], ["user_id"], _REPORT_ROWS_CHUNK, ENROLLMENT_KEYSET)
        for (user_id,) in ids:
            yield user_id

    def iter_pending_enrollment_emails(self, course_key: CourseKey) -> Iterator[str]:
        # Each invitation looks its email up in the users' email index, then the user's enrollment.
        enrolled = User.objects.filter(
            same_email("email", OuterRef("email")), Exists(_active(course_key).filter(user_id=OuterRef("pk")))
        )
        rows = CourseEnrollmentAllowed.objects.filter(course_key=course_key).exclude(Exists(enrolled))
        for (email,) in keyset_stream(rows, ["email"], ["email"], chunk_size=_EMAIL_CHUNK):
            yield email

    def iter_inactive_enrolled_emails(self, course_key: CourseKey) -> Iterator[str]:
        if connection.vendor == "mysql":
            # MariaDB turns EXISTS into a semi-join that scans every enrollment of the course and sorts the
            # matches; a scalar subquery it keeps as one lookup per inactive user, read in primary-key order.
            enrolled = _active(course_key).filter(user_id=OuterRef("pk"))
            inactive = User.objects.filter(IsNull(Subquery(enrolled.values("pk")[:1]), False), is_active=False)
        else:
            # Each inactive user's enrollment looked up by the user's index, the course compared on the row:
            # SQLite would otherwise pick the (course, user) index and compare the course's key at each of its levels.
            enrolled = CourseEnrollment.objects.alias(course=_NotIndexed("course_key")).filter(
                course=str(course_key), is_active=True, user_id=OuterRef("pk")
            )
            inactive = User.objects.filter(Exists(enrolled), is_active=False)
        for chunk in keyset_chunks(inactive, ["id"], ["email"], chunk_size=_EMAIL_CHUNK):
            yield from map(itemgetter(0), chunk)

    def iter_email_recipients(self, course_key: CourseKey, targets: EmailTargets) -> Iterator[EmailRecipientData]:
        columns = ["id", "email", "builtin_profile__name", "builtin_profile__language"]
        for user_id, email, name, language in keyset_stream(_recipients(course_key, targets), ["id"], columns):
            yield EmailRecipientData(user_id=user_id, email=email, full_name=name or "", language=language or None)

    def count_email_recipients(self, course_key: CourseKey, targets: EmailTargets) -> int:
        return _recipients(course_key, targets).count()

    # --- The enrollment API (seed 002) ---

    def update_enrollment(
        self, course_key: CourseKey, user_id: int, mode: str | None = None, is_active: bool | None = None
    ) -> EnrollmentData | None:
        enrollment = CourseEnrollment.objects.filter(course_key=course_key, user_id=user_id).first()
        if enrollment is None:
            return None
        if mode is not None:
            enrollment.mode = mode
        if is_active is not None:
            enrollment.is_active = is_active
        enrollment.save(update_fields=["mode", "is_active"])
        return _to_enrollment_data(enrollment)

    def list_user_enrollments(self, user_id: int, include_inactive: bool = False) -> Sequence[EnrollmentData]:
        rows = CourseEnrollment.objects.filter(user_id=user_id)
        if not include_inactive:
            rows = rows.filter(is_active=True)
        return [_to_enrollment_data(row) for row in rows.order_by("created", "pk")]

    def unenroll_all(self, user_id: int) -> Sequence[CourseKey]:
        with transaction.atomic():
            rows = CourseEnrollment.objects.select_for_update().filter(user_id=user_id, is_active=True)
            course_keys = list(rows.order_by("pk").values_list("course_key", flat=True))
            rows.update(is_active=False)
        return course_keys

    def list_mode_details(self, course_key: CourseKey, include_expired: bool = False) -> Sequence[CourseModeDetails]:
        modes = CourseMode.objects.filter(course__course_key=course_key).order_by("pk")
        if not include_expired:
            modes = modes.filter(Q(expiration_datetime__isnull=True) | Q(expiration_datetime__gt=timezone.now()))
        return [
            CourseModeDetails(
                slug=m.slug,
                name=m.display_name,
                min_price=m.min_price,
                suggested_prices=m.suggested_prices,
                currency=m.currency,
                expiration_datetime=m.expiration_datetime,
                description=m.description or None,
                sku=m.sku or None,
                bulk_sku=m.bulk_sku or None,
            )
            for m in modes
        ]

    def get_enrollment_attributes(self, course_key: CourseKey, user_id: int) -> Sequence[EnrollmentAttributeData]:
        rows = CourseEnrollmentAttribute.objects.filter(
            enrollment__course_key=course_key, enrollment__user_id=user_id
        ).order_by("pk")
        return [EnrollmentAttributeData(namespace=a.namespace, name=a.name, value=a.value) for a in rows]

    def set_enrollment_attributes(
        self, course_key: CourseKey, user_id: int, attributes: Sequence[EnrollmentAttributeData]
    ) -> None:
        enrollment = CourseEnrollment.objects.filter(course_key=course_key, user_id=user_id).first()
        if enrollment is None:
            return
        for attribute in attributes:
            CourseEnrollmentAttribute.objects.update_or_create(
                enrollment=enrollment,
                namespace=attribute.namespace,
                name=attribute.name,
                defaults={"value": attribute.value},
            )

    def search_enrollments(
        self, filters: EnrollmentSearch, cursor: EnrollmentCursor | None, limit: int
    ) -> Sequence[EnrollmentSearchRow]:
        rows = CourseEnrollment.objects.all()
        if filters.course_key is not None:
            rows = rows.filter(course_key=filters.course_key)
        if filters.course_id_contains:
            contains = Q(pk__in=[])
            for text in filters.course_id_contains:
                contains |= Q(course_key__icontains=text)
            rows = rows.filter(contains)
        if filters.usernames:
            rows = rows.filter(user__username__in=list(filters.usernames))
        if filters.emails:
            rows = rows.filter(user__email__in=list(filters.emails))
        newest_first = ("-created", "-pk")
        if cursor is not None and cursor.backwards:
            after = Q(created__gt=cursor.created) | Q(created=cursor.created, pk__gt=cursor.id)
            window = list(rows.filter(after).order_by("created", "pk").select_related("user")[:limit])[::-1]
        else:
            if cursor is not None:
                rows = rows.filter(Q(created__lt=cursor.created) | Q(created=cursor.created, pk__lt=cursor.id))
            window = list(rows.order_by(*newest_first).select_related("user")[:limit])
        return [
            EnrollmentSearchRow(id=row.pk, username=row.user.username, enrollment=_to_enrollment_data(row))
            for row in window
        ]

    def list_allowed_by_email(self, email: str) -> Sequence[AllowedEnrollmentData]:
        rows = CourseEnrollmentAllowed.objects.filter(email=email.strip().lower()).order_by("created", "pk")
        return [_to_allowed_data(row) for row in rows]

    # --- Program enrollments (seed 004): enrollments in sets ---

    def get_enrollments(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, EnrollmentData]:
        rows = CourseEnrollment.objects.filter(course_key=course_key, user_id__in=list(user_ids))
        return {row.user_id: _to_enrollment_data(row) for row in rows}

    def set_enrollments(self, course_key: CourseKey, enrollments: Mapping[int, tuple[str, bool]]) -> None:
        if not enrollments:
            return
        existing = set(
            CourseEnrollment.objects.filter(course_key=course_key, user_id__in=list(enrollments)).values_list(
                "user_id", flat=True
            )
        )
        CourseEnrollment.objects.bulk_create(
            CourseEnrollment(course_key=course_key, user_id=user_id, mode=mode, is_active=is_active)
            for user_id, (mode, is_active) in enrollments.items()
            if user_id not in existing
        )
        by_state: dict[tuple[str, bool], list[int]] = defaultdict(list)
        for user_id in existing:
            by_state[enrollments[user_id]].append(user_id)
        for (mode, is_active), user_ids in by_state.items():
            CourseEnrollment.objects.filter(course_key=course_key, user_id__in=user_ids).update(
                mode=mode, is_active=is_active
            )
