"""
Certificates from the LMS's ``certificates`` app: the per-course generation setting, the allowlist,
invalidations, generated certificates and the generation history.

Changes go through ``lms.djangoapps.certificates.api`` (and the models' own methods where the API has
none) so that the platform's events and signals fire; lists, counts and look-ups query its models,
filtering, counting and slicing in the database. An allowlist entry counts only with ``allowlist=True``,
as in the platform.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower
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

DOWNLOADABLE = "downloadable"
NOTPASSING = "notpassing"
AUDIT_NOTPASSING = "audit_notpassing"
#: The enrollment modes whose learners earn a certificate (the platform's ``CourseMode.CERTIFICATE_RELEVANT_MODES``
#: less audit and honor).
_CERTIFICATE_MODES = ("verified", "professional", "no-id-professional", "credit", "masters", "executive-education")
_STATUS_FILTERS = {
    "received": (DOWNLOADABLE,),
    "not_received": (NOTPASSING, "unavailable"),
    "audit_passing": ("audit_passing",),
    "audit_not_passing": (AUDIT_NOTPASSING,),
    "error": ("error",),
}
#: The platform's ``InstructorTask.task_type`` of the runs it lists in the generation history.
_GENERATE_TASK = "generate_certificates_all_students"
_REGENERATE_TASK = "regenerate_certificates_all_students"
_LOOKUP_CHUNK = 500
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


def _models() -> Any:
    from lms.djangoapps.certificates import models

    return models


def _enrollments() -> Any:
    from common.djangoapps.student.models import CourseEnrollment

    return CourseEnrollment.objects


def _allowlist(course_key: CourseKey) -> Any:
    return _models().CertificateAllowlist.objects.filter(course_id=course_key, allowlist=True)


def _active_invalidations(course_key: CourseKey) -> Any:
    rows = _models().CertificateInvalidation.objects.filter(generated_certificate__course_id=course_key, active=True)
    return rows.order_by("-created", "-pk")


def _derived_status(mode: str) -> Case:
    """The status an allowlisted learner without a certificate would get from their enrollment mode."""
    return Case(
        When(**{mode: "audit"}, then=Value(AUDIT_NOTPASSING)),
        When(**{f"{mode}__in": _CERTIFICATE_MODES}, then=Value(DOWNLOADABLE)),
        default=Value(NOTPASSING),
        output_field=CharField(),
    )


class OpenedxCertificateService:
    """Certificates as the LMS's ``certificates`` app keeps them."""

    def is_generation_enabled(self, course_key: CourseKey) -> bool:
        """``CertificateGenerationCourseSetting.is_self_generation_enabled_for_course`` (the course's switch)."""
        return bool(_models().CertificateGenerationCourseSetting.is_self_generation_enabled_for_course(course_key))

    def set_generation_enabled(self, course_key: CourseKey, enabled: bool) -> None:
        """``certificates.api.set_cert_generation_enabled``."""
        from lms.djangoapps.certificates.api import set_cert_generation_enabled

        set_cert_generation_enabled(course_key, enabled)

    def list_certificates(
        self, course_key: CourseKey, filters: CertificateFilter, page: PageRequest
    ) -> Page[CertificateData]:
        """``GeneratedCertificate`` (or ``CertificateAllowlist``) rows, sliced and counted in the database."""
        rows = self._rows(course_key, filters.status_filter)
        if filters.search:
            term = filters.search
            rows = rows.filter(Q(user__username__icontains=term) | Q(user__email__icontains=term))
        rows = rows.order_by("user__username", "pk")
        # The page's keys first, sorted without the per-row subqueries (MariaDB would run them for every
        # row before sorting), then the page's rows with them.
        keys = list(rows.values_list("pk", flat=True)[page.offset : page.offset + page.limit])
        window = self._rows(course_key, filters.status_filter).filter(pk__in=keys).order_by("user__username", "pk")
        items = [_certificate_data(course_key, row) for row in window.values_list(*_ROW_FIELDS)]
        return Page(items=items, total=rows.count())

    @staticmethod
    def _rows(course_key: CourseKey, status_filter: str) -> Any:
        models = _models()
        exception = _allowlist(course_key).filter(user_id=OuterRef("user_id"))
        invalidation = _active_invalidations(course_key).filter(generated_certificate__user_id=OuterRef("user_id"))
        annotations = {
            "track": Subquery(
                _enrollments().filter(course_id=course_key, user_id=OuterRef("user_id")).values("mode")[:1]
            ),
            "exception_created": Subquery(exception.values("created")[:1]),
            "exception_notes": Subquery(exception.values("notes")[:1]),
            "invalidated_by_email": Subquery(invalidation.values("invalidated_by__email")[:1]),
            "invalidation_created": Subquery(invalidation.values("created")[:1]),
            "invalidation_notes": Subquery(invalidation.values("notes")[:1]),
        }
        if status_filter == "granted_exceptions":
            certificate = models.GeneratedCertificate.objects.filter(course_id=course_key, user_id=OuterRef("user_id"))
            exceptions = _allowlist(course_key).annotate(
                **annotations,
                certificate_status=Subquery(certificate.values("status")[:1]),
                row_mode=Subquery(certificate.values("mode")[:1]),
            )
            return exceptions.annotate(row_status=Coalesce(F("certificate_status"), _derived_status("track")))
        certificates = models.GeneratedCertificate.objects.filter(course_id=course_key).annotate(
            **annotations, row_status=F("status"), row_mode=F("mode")
        )
        if status_filter == "invalidated":
            active = models.CertificateInvalidation.objects.filter(generated_certificate=OuterRef("pk"), active=True)
            return certificates.filter(Exists(active))
        if status_filter in _STATUS_FILTERS:
            return certificates.filter(status__in=_STATUS_FILTERS[status_filter])
        return certificates

    def list_generation_history(self, course_key: CourseKey, page: PageRequest) -> Page[CertificateGenerationRunData]:
        """
        ``CertificateGenerationHistory`` rows, newest first; the candidates of a run the LMS started come from
        ``get_certificate_generation_candidates``.
        """
        rows = (
            _models()
            .CertificateGenerationHistory.objects.filter(course_id=course_key)
            .select_related("instructor_task")
            .order_by("-created", "-pk")
        )
        items = [
            CertificateGenerationRunData(
                is_regeneration=run.is_regeneration,
                created=run.created,
                candidates=_candidates(run),
                generated_by_id=run.generated_by_id,
                task_id=run.instructor_task.task_id or None,
            )
            for run in rows[page.offset : page.offset + page.limit]
        ]
        return Page(items=items, total=rows.count())

    def record_generation_run(
        self, course_key: CourseKey, actor_id: int | None, is_regeneration: bool, candidates: str, task_id: str
    ) -> None:
        """
        A ``CertificateGenerationHistory`` row and the ``InstructorTask`` it requires, naming the plugin's task.

        The plugin's own task record tracks the run; the LMS's task row is created finished (``SUCCESS``) so
        that the LMS never lists it as pending. The platform requires a requester: without an actor no
        history row is written.
        """
        if actor_id is None:
            return
        from lms.djangoapps.instructor_task.models import InstructorTask

        task_type = _REGENERATE_TASK if is_regeneration else _GENERATE_TASK
        task = InstructorTask.objects.create(
            task_type=task_type,
            course_id=course_key,
            task_key="",
            task_input=json.dumps({"candidates": candidates}),
            task_id=task_id,
            task_state="SUCCESS",
            requester_id=actor_id,
        )
        _models().CertificateGenerationHistory.objects.create(
            course_id=course_key, generated_by_id=actor_id, instructor_task=task, is_regeneration=is_regeneration
        )

    def find_learners(
        self, course_key: CourseKey, identifiers: Iterable[str]
    ) -> Mapping[str, Sequence[CertificateLearnerState]]:
        """``User`` rows by username or email, with their enrollment, allowlist entry, invalidation and certificate."""
        models = _models()
        wanted = sorted({identifier.strip() for identifier in identifiers if identifier.strip()})
        states: dict[int, CertificateLearnerState] = {}
        for start in range(0, len(wanted), _LOOKUP_CHUNK):
            chunk = wanted[start : start + _LOOKUP_CHUNK]
            matches = (
                get_user_model()
                .objects.annotate(email_lower=Lower("email"))
                .filter(Q(username__in=chunk) | Q(email_lower__in=[identifier.lower() for identifier in chunk]))
                .annotate(
                    enrolled=Exists(
                        _enrollments().filter(course_id=course_key, user_id=OuterRef("pk"), is_active=True)
                    ),
                    allowlisted=Exists(_allowlist(course_key).filter(user_id=OuterRef("pk"))),
                    invalidated=Exists(
                        _active_invalidations(course_key).filter(generated_certificate__user_id=OuterRef("pk"))
                    ),
                    certificate_status=Subquery(
                        models.GeneratedCertificate.objects.filter(course_id=course_key, user_id=OuterRef("pk")).values(
                            "status"
                        )[:1]
                    ),
                )
                .values_list(
                    "pk",
                    "username",
                    "email",
                    "is_active",
                    "enrolled",
                    "allowlisted",
                    "invalidated",
                    "certificate_status",
                )
            )
            for pk, username, email, is_active, enrolled, allowlisted, invalidated, status in matches:
                states[pk] = CertificateLearnerState(
                    user=UserData(id=pk, username=username, email=email, is_active=is_active),
                    enrolled=enrolled,
                    allowlisted=allowlisted,
                    invalidated=invalidated,
                    certificate_status=status,
                )
        found = {}
        for identifier in wanted:
            matching = [
                state
                for state in states.values()
                if state.user.username == identifier or state.user.email.lower() == identifier.lower()
            ]
            found[identifier] = sorted(matching, key=lambda state: state.user.id)
        return found

    def add_exceptions(self, course_key: CourseKey, notes_by_user: Mapping[int, str], actor_id: int | None) -> None:
        """``certificates.api.create_or_update_certificate_allowlist_entry`` for each learner not yet allowlisted."""
        from lms.djangoapps.certificates.api import create_or_update_certificate_allowlist_entry

        already = set(_allowlist(course_key).filter(user_id__in=list(notes_by_user)).values_list("user_id", flat=True))
        for user in get_user_model().objects.filter(pk__in=[pk for pk in notes_by_user if pk not in already]):
            create_or_update_certificate_allowlist_entry(user, course_key, notes_by_user[user.pk])

    def remove_exception(self, course_key: CourseKey, user_id: int) -> bool:
        """``certificates.api.remove_allowlist_entry`` (which invalidates the learner's certificate)."""
        from lms.djangoapps.certificates.api import remove_allowlist_entry

        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None or not _allowlist(course_key).filter(user_id=user_id).exists():
            return False
        return bool(remove_allowlist_entry(user, course_key))

    def invalidate(self, course_key: CourseKey, notes_by_user: Mapping[int, str], actor_id: int | None) -> None:
        """
        ``certificates.api.create_certificate_invalidation_entry`` then ``GeneratedCertificate.invalidate`` for each
        learner's certificate, as the LMS's invalidation view does. The platform requires who invalidates: without
        an actor nothing is invalidated.
        """
        from lms.djangoapps.certificates.api import create_certificate_invalidation_entry

        actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id is not None else None
        if actor is None:
            return
        certificates = (
            _models()
            .GeneratedCertificate.objects.filter(course_id=course_key, user_id__in=list(notes_by_user))
            .select_related("user")
        )
        for certificate in certificates:
            create_certificate_invalidation_entry(certificate, actor, notes_by_user[certificate.user_id])
            certificate.invalidate(source="certificate_invalidation_list")

    def remove_invalidation(self, course_key: CourseKey, user_id: int) -> bool:
        """
        ``certificates.api.get_certificate_invalidation_entry(active=True)``, then the entry's ``deactivate``.
        """
        from lms.djangoapps.certificates.api import get_certificate_invalidation_entry

        certificate = _models().GeneratedCertificate.objects.filter(course_id=course_key, user_id=user_id).first()
        if certificate is None:
            return False
        invalidation = get_certificate_invalidation_entry(certificate, active=True)
        if invalidation is None:
            return False
        invalidation.deactivate()
        return True

    def select_candidates(self, course_key: CourseKey, statuses: Sequence[str], student_set: str) -> Sequence[int]:
        """``CertificateAllowlist``, ``GeneratedCertificate`` or active ``CourseEnrollment`` user ids."""
        models = _models()
        if student_set in ("allowlisted", "allowlisted_not_generated"):
            exceptions = _allowlist(course_key)
            if student_set == "allowlisted_not_generated":
                generated = models.GeneratedCertificate.objects.filter(
                    course_id=course_key, user_id=OuterRef("user_id")
                )
                exceptions = exceptions.exclude(Exists(generated))
            return list(exceptions.order_by("user_id").values_list("user_id", flat=True))
        if statuses:
            certificates = models.GeneratedCertificate.objects.filter(course_id=course_key, status__in=list(statuses))
            return list(certificates.order_by("user_id").values_list("user_id", flat=True))
        enrolled = _enrollments().filter(course_id=course_key, is_active=True)
        return list(enrolled.order_by("user_id").values_list("user_id", flat=True))

    def generate(self, course_key: CourseKey, user_ids: Iterable[int], is_regeneration: bool) -> Mapping[int, str]:
        """
        ``certificates.api.generate_certificate_task(user, course_key, generation_mode="batch")`` for each actively
        enrolled learner, then the status of their ``GeneratedCertificate``.

        The platform decides the certificate (grade, mode, allowlist, invalidation, identity verification).
        Without a certificate row a learner reads ``generating`` when the platform queued its task, else
        ``unavailable`` (what the platform's ``certificate_status`` says of no certificate).
        """
        from lms.djangoapps.certificates.api import generate_certificate_task

        user_ids = list(user_ids)
        enrolled = set(
            _enrollments()
            .filter(course_id=course_key, user_id__in=user_ids, is_active=True)
            .values_list("user_id", flat=True)
        )
        queued = {
            user.pk
            for user in get_user_model().objects.filter(pk__in=enrolled).order_by("pk")
            if generate_certificate_task(user, course_key, generation_mode="batch")
        }
        statuses = dict(
            _models()
            .GeneratedCertificate.objects.filter(course_id=course_key, user_id__in=enrolled)
            .values_list("user_id", "status")
        )
        return {
            user_id: statuses.get(user_id, "generating" if user_id in queued else "unavailable")
            for user_id in user_ids
            if user_id in enrolled
        }

    def count_issued_by_mode(self, course_key: CourseKey) -> Mapping[str, int]:
        """Downloadable ``GeneratedCertificate`` rows per mode."""
        rows = _models().GeneratedCertificate.objects.filter(course_id=course_key, status=DOWNLOADABLE)
        counts = rows.values("mode").annotate(n=Count("pk")).order_by("mode")
        return {row["mode"]: row["n"] for row in counts}


def _candidates(run: Any) -> str:
    """The plugin's wording of a run it recorded, else the platform's (``get_certificate_generation_candidates``)."""
    try:
        recorded = json.loads(run.instructor_task.task_input or "{}")
    except ValueError:
        recorded = {}
    if isinstance(recorded, dict) and isinstance(recorded.get("candidates"), str):
        return recorded["candidates"]
    return str(run.get_certificate_generation_candidates())


def _certificate_data(course_key: CourseKey, row: tuple) -> CertificateData:
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
