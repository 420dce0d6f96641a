"""
Certificates of the built-in backend: the generation switch, the list with its special cases,
exceptions (the allowlist), invalidations, generation and its history.

A page of every certificate, or of one status, is one query read in the order of an index, compiled once,
with its total; the other filters read the page's keys, then its rows. A row's enrollment and exception are
joined, its latest active invalidation read by subqueries; the status filters' totals are read from the
counts the triggers keep (``CertificateCount``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey

from ..data import (
    CertificateData,
    CertificateFilter,
    CertificateGenerationRunData,
    CertificateLearnerState,
    Page,
    PageRequest,
    UserData,
)
from ..exceptions import CourseNotFound
from ..rows import insert_rows, stored_datetime
from .compiled import CompiledQuery
from .courses import CERTIFICATE_SWITCH_CACHE
from .filters import user_search
from .models import (
    CertificateAllowlistEntry,
    CertificateCount,
    CertificateGenerationRun,
    CertificateInvalidation,
    Course,
    CourseEnrollment,
    CourseGrade,
    GeneratedCertificate,
)
from .users import named_rows

User = get_user_model()

#: The status of a certificate a learner can download: what "issued" counts.
DOWNLOADABLE = "downloadable"
NOTPASSING = "notpassing"
UNAVAILABLE = "unavailable"
AUDIT_PASSING = "audit_passing"
AUDIT_NOTPASSING = "audit_notpassing"
HONOR_PASSING = "honor_passing"
ERROR = "error"
#: Enrollment modes whose passing learners earn a downloadable certificate.
CERTIFICATE_MODES = frozenset(
    {"verified", "professional", "no-id-professional", "credit", "masters", "executive-education"}
)
#: ``filter`` of the issued list -> the certificate statuses it shows (the special filters are not here).
STATUS_FILTERS = {
    "received": (DOWNLOADABLE,),
    "not_received": (NOTPASSING, UNAVAILABLE),
    "audit_passing": (AUDIT_PASSING,),
    "audit_not_passing": (AUDIT_NOTPASSING,),
    "error": (ERROR,),
}
#: The filters whose totals the kept counts give: ``filter`` -> its statuses (None: every status).
_COUNTED_FILTERS: dict[str, Sequence[str] | None] = {"all": None, **STATUS_FILTERS}
_WRITE_BATCH = 500


def decide_status(mode: str | None, passed: bool, allowlisted: bool) -> str:
    """
    The status Open edX gives a learner's certificate.

    Audit learners get ``audit_passing`` or ``audit_notpassing`` (never a certificate, even allowlisted);
    learners of a certificate mode (verified, professional...) who passed or are allowlisted get
    ``downloadable``; honor learners who passed ``honor_passing``; everyone else ``notpassing``.
    """
    if mode == "audit":
        return AUDIT_PASSING if passed else AUDIT_NOTPASSING
    if mode in CERTIFICATE_MODES and (passed or allowlisted):
        return DOWNLOADABLE
    if passed:
        return HONOR_PASSING
    return NOTPASSING


def _in_course(course_key: CourseKey | str, relation: str) -> FilteredRelation:
    """``relation`` joined on its row in the course (enrollments, exceptions and certificates: one per learner)."""
    return FilteredRelation(relation, condition=Q(**{f"{relation}__course_key": course_key}))


def _latest_invalidation(certificate: str) -> dict[str, Subquery]:
    """Who, when and why of the latest active invalidation of the certificate whose key is the outer ``certificate``."""
    latest = CertificateInvalidation.objects.filter(certificate=OuterRef(certificate), active=True)
    latest = latest.order_by("-created", "-pk")
    return {
        "invalidated_by_email": Subquery(latest.values("invalidated_by__email")[:1]),
        "invalidation_created": Subquery(latest.values("created")[:1]),
        "invalidation_notes": Subquery(latest.values("notes")[:1]),
    }


def _derived_status(mode: str):
    """The status ``decide_status`` gives an allowlisted learner without a grade, in SQL."""
    return Case(
        When(**{mode: "audit"}, then=Value(AUDIT_NOTPASSING)),
        When(**{f"{mode}__in": sorted(CERTIFICATE_MODES)}, then=Value(DOWNLOADABLE)),
        default=Value(NOTPASSING),
        output_field=CharField(),
    )


_ROW_FIELDS = (
    "user_id",
    "user__username",
    "user__email",
    "row_status",
    "row_mode",
    "track",
    "exception_created",
    "exception_notes",
    "invalidated_by_email",
    "invalidation_created",
    "invalidation_notes",
)


def _learners(course_key: CourseKey):
    """Users joined to their enrollment, exception and certificate in the course (each unique per user)."""
    return User.objects.annotate(
        enrollment=_in_course(course_key, "builtin_enrollments"),
        exception=_in_course(course_key, "builtin_certificate_exceptions"),
        certificate=_in_course(course_key, "builtin_certificates"),
    ).annotate(
        invalidated=Exists(CertificateInvalidation.objects.filter(certificate=OuterRef("certificate__pk"), active=True))
    )


def _certificate_rows(course_key: CourseKey | str, certificates):
    """
    ``certificates`` with the columns of ``_ROW_FIELDS``: the learner's enrollment and exception joined (at most
    one each), the latest active invalidation read by the certificate's key (PostgreSQL planned the six
    subqueries that read them all by learner in about 1.7 ms).
    """
    joined = certificates.annotate(
        enrollment=_in_course(course_key, "user__builtin_enrollments"),
        exception=_in_course(course_key, "user__builtin_certificate_exceptions"),
    )
    return joined.annotate(
        row_status=F("status"),
        row_mode=F("mode"),
        track=F("enrollment__mode"),
        exception_created=F("exception__created"),
        exception_notes=F("exception__notes"),
        **_latest_invalidation("pk"),
    )


def _exception_rows(course_key: CourseKey, exceptions):
    """``exceptions`` with the columns of ``_ROW_FIELDS``: the learner's enrollment and certificate joined."""
    joined = exceptions.annotate(
        enrollment=_in_course(course_key, "user__builtin_enrollments"),
        certificate=_in_course(course_key, "user__builtin_certificates"),
    )
    return joined.annotate(
        row_status=Coalesce(F("certificate__status"), _derived_status("enrollment__mode")),
        row_mode=F("certificate__mode"),
        track=F("enrollment__mode"),
        exception_created=F("created"),
        exception_notes=F("notes"),
        **_latest_invalidation("certificate__pk"),
    )


def _index_ordered_page(statuses: Sequence[str] | None, course_id: str):
    """
    The course's certificates of ``statuses`` (all if None) read in the order of the (course_key, username) or
    (course_key, status, username) index, each row with the kept total.
    """
    certificates = GeneratedCertificate.objects.filter(course_key=course_id)
    if statuses is not None:
        certificates = certificates.filter(status__in=list(statuses))
    rows = _certificate_rows(course_id, certificates).annotate(total=_kept_total(course_id, statuses))
    return rows.order_by("username", "pk").values_list(*_ROW_FIELDS, "total")


#: Page 1 of the list is what the dashboard opens: the filters an index reads in order (every certificate, one
#: status) read it in one query with its total, compiled once (building it cost about 1 ms of CPU).
_INDEX_ORDERED_PAGES = {
    name: CompiledQuery(partial(_index_ordered_page, statuses), ["course-v1:a+b+c"], ["course-v1:d+e+f"])
    for name, statuses in _COUNTED_FILTERS.items()
    if statuses is None or len(statuses) == 1
}


_LEARNER_COLUMNS = (
    "pk",
    "username",
    "email",
    "is_active",
    "enrollment__is_active",
    "exception__pk",
    "certificate__status",
    "invalidated",
)


class BuiltinCertificateService:
    """Keeps the generation switch on the ``Course`` row and certificates in ``GeneratedCertificate``."""

    def is_generation_enabled(self, course_key: CourseKey) -> bool:
        """The switch as the course read earlier in this request found it, else read."""
        cached = RequestCache(CERTIFICATE_SWITCH_CACHE).get_cached_response(str(course_key))
        if cached.is_found:
            return cached.value
        enabled = Course.objects.filter(course_key=course_key).values_list("certificate_generation_enabled", flat=True)
        return bool(enabled.first())

    def set_generation_enabled(self, course_key: CourseKey, enabled: bool) -> None:
        RequestCache(CERTIFICATE_SWITCH_CACHE).delete(str(course_key))
        if not Course.objects.filter(course_key=course_key).update(certificate_generation_enabled=enabled):
            raise CourseNotFound(course_key)

    def list_certificates(
        self, course_key: CourseKey, filters: CertificateFilter, page: PageRequest
    ) -> Page[CertificateData]:
        window = slice(page.offset, page.offset + page.limit)
        rows: Sequence[Sequence]
        # Page 1 only: the rows an OFFSET skips would each be joined and their subqueries run (page 2,600
        # of every certificate took 900 ms so on PostgreSQL); a deeper page finds its keys first.
        if not page.offset and filters.status_filter in _INDEX_ORDERED_PAGES and not filters.search:
            found = _INDEX_ORDERED_PAGES[filters.status_filter].rows(str(course_key), window=window)
            total = found[0][-1] if found else None
            rows = [row[:-1] for row in found]
        else:
            total, rows = self._keys_then_rows(course_key, filters, window)
        # Else a page that is not full is the last, and ends what the filter found; only a full (or an
        # empty deep) page of a search, the exceptions or the invalidated needs a count.
        if total is None:
            last = 0 < len(rows) < page.limit or (not rows and not page.offset)
            total = page.offset + len(rows) if last else self._matching(course_key, filters).count()
        return Page(items=[_certificate_data(course_key, row) for row in rows], total=total)

    def _keys_then_rows(
        self, course_key: CourseKey, filters: CertificateFilter, window: slice
    ) -> tuple[int | None, Sequence[Sequence]]:
        """
        The page's keys first, sorted without the per-row joins and subqueries (which MariaDB would run for
        every row before its filesort), then the page's rows; a status filter's total rides along with its keys.
        """
        rows = self._matching(course_key, filters)
        # The two statuses of ``not_received`` are read in the order of the (course_key, username) index; a
        # search, the exceptions and the invalidated (few) sort what they found by joining its users.
        total: int | None = None
        if filters.status_filter in _COUNTED_FILTERS and not filters.search:
            statuses = _COUNTED_FILTERS[filters.status_filter]
            ordered = rows.order_by("username", "pk").annotate(total=_kept_total(course_key, statuses))
            found = list(ordered.values_list("pk", "total")[window])
            keys = [pk for pk, _ in found]
            total = found[0][1] if found else None
        else:
            keys = list(rows.order_by("user__username", "pk").values_list("pk", flat=True)[window])
        if filters.status_filter == "granted_exceptions":
            shown = _exception_rows(course_key, CertificateAllowlistEntry.objects.filter(pk__in=keys))
        else:
            shown = _certificate_rows(course_key, GeneratedCertificate.objects.filter(pk__in=keys))
        return total, list(shown.order_by("user__username", "pk").values_list(*_ROW_FIELDS))

    @staticmethod
    def _matching(course_key: CourseKey, filters: CertificateFilter):
        """What the filter lists: the course's exceptions for ``granted_exceptions``, else its certificates."""
        certificates = GeneratedCertificate.objects.filter(course_key=course_key)
        rows: QuerySet[Any]
        if filters.status_filter == "granted_exceptions":
            rows = CertificateAllowlistEntry.objects.filter(course_key=course_key)
        elif filters.status_filter == "invalidated":
            invalidations = CertificateInvalidation.objects.filter(certificate=OuterRef("pk"), active=True)
            rows = certificates.filter(Exists(invalidations))
        elif filters.status_filter in STATUS_FILTERS:
            rows = certificates.filter(status__in=list(STATUS_FILTERS[filters.status_filter]))
        else:
            rows = certificates
        if filters.search:
            rows = rows.filter(user_search(filters.search, names=False))
        return rows

    def list_generation_history(self, course_key: CourseKey, page: PageRequest) -> Page[CertificateGenerationRunData]:
        rows = CertificateGenerationRun.objects.filter(course_key=course_key).order_by("-created", "-pk")
        window = rows.values_list("is_regeneration", "created", "candidates", "generated_by_id", "task_id")
        items = [
            CertificateGenerationRunData(
                is_regeneration=is_regeneration,
                created=created,
                candidates=candidates,
                generated_by_id=generated_by_id,
                task_id=str(task_id) if task_id else None,
            )
            for is_regeneration, created, candidates, generated_by_id, task_id in window[
                page.offset : page.offset + page.limit
            ]
        ]
        return Page(items=items, total=rows.count())

    def record_generation_run(
        self, course_key: CourseKey, actor_id: int | None, is_regeneration: bool, candidates: str, task_id: str
    ) -> None:
        CertificateGenerationRun.objects.create(
            course_key=course_key,
            generated_by_id=actor_id,
            is_regeneration=is_regeneration,
            candidates=candidates[:255],
            task_id=task_id,
        )

    def find_learners(
        self, course_key: CourseKey, identifiers: Iterable[str]
    ) -> Mapping[str, Sequence[CertificateLearnerState]]:
        wanted = {identifier.strip() for identifier in identifiers if identifier.strip()}
        users = {}
        for pk, username, email, is_active, enrolled, exception, status, invalidated in named_rows(
            _learners(course_key), wanted, _LEARNER_COLUMNS
        ):
            users[pk] = CertificateLearnerState(
                user=UserData(id=pk, username=username, email=email, is_active=is_active),
                enrolled=bool(enrolled),
                allowlisted=exception is not None,
                invalidated=bool(invalidated),
                certificate_status=status,
            )
        by_username = {state.user.username: state for state in users.values()}
        by_email: dict[str, list[CertificateLearnerState]] = {}
        for state in users.values():
            by_email.setdefault(state.user.email.lower(), []).append(state)
        found = {}
        for identifier in wanted:
            states = {state.user.id: state for state in by_email.get(identifier.lower(), [])}
            if identifier in by_username:
                states[by_username[identifier].user.id] = by_username[identifier]
            found[identifier] = sorted(states.values(), key=lambda state: state.user.id)
        return found

    def add_exceptions(self, course_key: CourseKey, notes_by_user: Mapping[int, str], actor_id: int | None) -> None:
        course, now = str(course_key), stored_datetime(CertificateAllowlistEntry, timezone.now())
        try:
            with transaction.atomic():
                insert_rows(
                    CertificateAllowlistEntry,
                    ("course_key", "user", "notes", "created_by", "created"),
                    ((course, user_id, notes, actor_id, now) for user_id, notes in notes_by_user.items()),
                )
        except IntegrityError:
            # Some are on the list already (asked twice, or added by another request meanwhile): the others only.
            CertificateAllowlistEntry.objects.bulk_create(
                (
                    CertificateAllowlistEntry(
                        course_key=course_key, user_id=user_id, notes=notes, created_by_id=actor_id
                    )
                    for user_id, notes in notes_by_user.items()
                ),
                batch_size=_WRITE_BATCH,
                ignore_conflicts=True,
            )

    def remove_exception(self, course_key: CourseKey, user_id: int) -> bool:
        deleted, _ = CertificateAllowlistEntry.objects.filter(course_key=course_key, user_id=user_id).delete()
        if deleted:
            GeneratedCertificate.objects.filter(course_key=course_key, user_id=user_id).update(status=UNAVAILABLE)
        return bool(deleted)

    def invalidate(self, course_key: CourseKey, notes_by_user: Mapping[int, str], actor_id: int | None) -> None:
        certificates = GeneratedCertificate.objects.filter(course_key=course_key, user_id__in=list(notes_by_user))
        pairs = list(certificates.values_list("pk", "user_id"))
        CertificateInvalidation.objects.bulk_create(
            CertificateInvalidation(certificate_id=pk, invalidated_by_id=actor_id, notes=notes_by_user[user_id])
            for pk, user_id in pairs
        )
        GeneratedCertificate.objects.filter(pk__in=[pk for pk, _ in pairs]).update(status=UNAVAILABLE)

    def remove_invalidation(self, course_key: CourseKey, user_id: int) -> bool:
        active = CertificateInvalidation.objects.filter(
            certificate__course_key=course_key, certificate__user_id=user_id, active=True
        )
        return bool(active.update(active=False))

    def select_candidates(self, course_key: CourseKey, statuses: Sequence[str], student_set: str) -> Sequence[int]:
        if student_set in ("allowlisted", "allowlisted_not_generated"):
            exceptions = CertificateAllowlistEntry.objects.filter(course_key=course_key)
            if student_set == "allowlisted_not_generated":
                exceptions = exceptions.exclude(
                    Exists(GeneratedCertificate.objects.filter(course_key=course_key, user_id=OuterRef("user_id")))
                )
            return list(exceptions.order_by("user_id").values_list("user_id", flat=True))
        if statuses:
            certificates = GeneratedCertificate.objects.filter(course_key=course_key, status__in=list(statuses))
            return list(certificates.order_by("user_id").values_list("user_id", flat=True))
        enrollments = CourseEnrollment.objects.filter(course_key=course_key, is_active=True)
        return list(enrollments.order_by("user_id").values_list("user_id", flat=True))

    def generate(self, course_key: CourseKey, user_ids: Iterable[int], is_regeneration: bool) -> Mapping[int, str]:
        user_ids = list(user_ids)
        modes = dict(
            CourseEnrollment.objects.filter(course_key=course_key, user_id__in=user_ids, is_active=True).values_list(
                "user_id", "mode"
            )
        )
        grades = {
            user_id: (percent, passed)
            for user_id, percent, passed in CourseGrade.objects.filter(
                course_key=course_key, user_id__in=user_ids
            ).values_list("user_id", "percent", "passed")
        }
        allowlisted = set(
            CertificateAllowlistEntry.objects.filter(course_key=course_key, user_id__in=user_ids).values_list(
                "user_id", flat=True
            )
        )
        invalidated = set(
            CertificateInvalidation.objects.filter(
                certificate__course_key=course_key, certificate__user_id__in=user_ids, active=True
            ).values_list("certificate__user_id", flat=True)
        )
        existing = {
            certificate.user_id: certificate
            for certificate in GeneratedCertificate.objects.filter(course_key=course_key, user_id__in=user_ids)
        }
        statuses, changed, created = {}, [], []
        now = timezone.now()
        for user_id in user_ids:
            if user_id not in modes:
                continue
            percent, passed = grades.get(user_id, (0.0, False))
            status = (
                UNAVAILABLE if user_id in invalidated else decide_status(modes[user_id], passed, user_id in allowlisted)
            )
            statuses[user_id] = status
            values = {"status": status, "mode": modes[user_id], "grade": f"{percent:.2f}"}
            certificate = existing.get(user_id)
            if certificate is None:
                created.append(GeneratedCertificate(user_id=user_id, course_key=course_key, **values))
                continue
            for name, value in {**values, "modified": now}.items():
                setattr(certificate, name, value)
            changed.append(certificate)
        GeneratedCertificate.objects.bulk_create(created, batch_size=_WRITE_BATCH)
        GeneratedCertificate.objects.bulk_update(
            changed, ["status", "mode", "grade", "modified"], batch_size=_WRITE_BATCH
        )
        return statuses

    def count_issued_by_mode(self, course_key: CourseKey) -> Mapping[str, int]:
        """Read from the counts the triggers keep."""
        rows = CertificateCount.objects.filter(course_key=course_key, status=DOWNLOADABLE, certificates__gt=0)
        return dict(rows.order_by("mode").values_list("mode", "certificates"))


def _kept_total(course_key: CourseKey | str, statuses: Sequence[str] | None) -> Subquery:
    """The course's certificates in ``statuses`` (all of them if None), summed from the counts the triggers keep."""
    rows = CertificateCount.objects.filter(course_key=course_key)
    if statuses is not None:
        rows = rows.filter(status__in=list(statuses))
    return Subquery(rows.order_by().values("course_key").annotate(total=Sum("certificates")).values("total"))


def _certificate_data(course_key: CourseKey, row: Sequence) -> CertificateData:
    (
        user_id,
        username,
        email,
        status,
        mode,
        track,
        exception_created,
        exception_notes,
        invalidated_by,
        invalidation_created,
        invalidation_notes,
    ) = row
    invalidated = invalidation_created is not None
    return CertificateData(
        user=UserData(id=user_id, username=username, email=email),
        course_key=course_key,
        status=status,
        mode=mode,
        enrollment_track=track,
        exception_granted=exception_created,
        exception_notes=exception_notes,
        invalidated_by=invalidated_by if invalidated else None,
        invalidation_date=invalidation_created,
        invalidation_note=(invalidation_notes or "") if invalidated else "",
    )
