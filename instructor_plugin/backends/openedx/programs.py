"""
Programs over the LMS: the catalog cache (``openedx.core.djangoapps.catalog.utils``), the
``program_enrollments`` app's enrollments with their django-simple-history ``historical_records``, and
external user keys as the LMS maps them: an organisation's SAML provider (``third_party_auth``) names
each learner's social auth uid ``<provider slug>:<external key>``.

Reads go through ``lms.djangoapps.program_enrollments.api``; writes build the app's models and save them
with simple-history's ``bulk_create_with_history`` / ``bulk_update_with_history``, as the app's writing
API does, so that each change has its history row naming the actor; a learner's program-course
enrollment points at their ``CourseEnrollment`` as the LMS's do. What the app's writing functions add
beyond the rows (the ``masters`` mode and status of that enrollment, the course staff role) the plugin's
``program_enrollments`` module does through the other services.

Where the LMS and the plugin's records differ: a program-course enrollment's course staff request is
the app's ``CourseAccessRoleAssignment`` (``course_staff`` True while one exists, None otherwise: the
LMS keeps no refusal); program admins are not a notion of the LMS (only global staff, which the
plugin checks itself, and the Registrar's restricted JWT applications administer programs).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey

from ..data import (
    CourseData,
    CourseGradeData,
    CurriculumData,
    CursorPage,
    CursorRequest,
    LearnerCourseRunData,
    NewProgramCourseEnrollment,
    NewProgramEnrollment,
    OrganizationResetData,
    ProgramCourseEnrollmentData,
    ProgramData,
    ProgramEnrollmentData,
    ProgramEnrollmentHistoryData,
    UserData,
    learner_course_runs,
)
from .courses import to_course_data
from .users import user_records, users_with_profile

log = logging.getLogger(__name__)

_USER_COLUMNS = (
    "user_id",
    "user__username",
    "user__email",
    "user__profile__name",
    "user__first_name",
    "user__last_name",
    "user__is_active",
    "user__is_staff",
)
_ENROLLMENT_COLUMNS = ("id", "program_uuid", "curriculum_uuid", "external_user_key", "status", *_USER_COLUMNS)
_COURSE_COLUMNS = (
    "id",
    "course_key",
    "status",
    "staff_requested",
    *(f"program_enrollment__{column}" for column in _ENROLLMENT_COLUMNS),
)


def _models() -> Any:
    from lms.djangoapps.program_enrollments import models

    return models


def _api() -> Any:
    from lms.djangoapps.program_enrollments import api

    return api


def _catalog() -> Any:
    from openedx.core.djangoapps.catalog import utils

    return utils


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def _listed(values: Iterable | None) -> list | None:
    return None if values is None else list(values)


def _uuids(values: Iterable[str] | None) -> list[UUID] | None:
    if values is None:
        return None
    return [uuid for uuid in map(_uuid, values) if uuid is not None]


def _actor(actor_id: int | None) -> Any:
    """The ``User`` simple-history records as the author of a change (None: nobody)."""
    return None if actor_id is None else get_user_model().objects.filter(pk=actor_id).first()


def _user(row: Sequence[Any]) -> UserData | None:
    user_id, username, email, name, first_name, last_name, is_active, is_staff = row
    if user_id is None:
        return None
    return UserData(user_id, username, email, name or f"{first_name} {last_name}".strip(), is_active, is_staff)


def _enrollment(row: Sequence[Any]) -> ProgramEnrollmentData:
    pk, program_uuid, curriculum_uuid, key, status = row[:5]
    return ProgramEnrollmentData(pk, str(program_uuid), str(curriculum_uuid), key or "", status, _user(row[5:]))


def _course_enrollment(row: Sequence[Any]) -> ProgramCourseEnrollmentData:
    pk, course_key, status, staff_requested = row[:4]
    return ProgramCourseEnrollmentData(pk, _enrollment(row[4:]), course_key, status, True if staff_requested else None)


def _with_staff_request(rows: Any) -> Any:
    """Annotate program-course enrollments with whether a ``CourseAccessRoleAssignment`` asks for course staff."""
    models = _models()
    from lms.djangoapps.program_enrollments.constants import ProgramCourseEnrollmentRoles

    assignments = models.CourseAccessRoleAssignment.objects.filter(
        enrollment=OuterRef("pk"), role=ProgramCourseEnrollmentRoles.COURSE_STAFF
    )
    return rows.annotate(staff_requested=Exists(assignments))


def _slice(rows: Any, cursor: CursorRequest, columns: Sequence[str]) -> tuple[list, bool]:
    if cursor.before is not None:
        rows = rows.filter(id__lt=cursor.before).order_by("-id")
    else:
        if cursor.after is not None:
            rows = rows.filter(id__gt=cursor.after)
        rows = rows.order_by("id")
    values = list(rows.values_list(*columns)[: cursor.limit + 1])
    has_more = len(values) > cursor.limit
    values = values[: cursor.limit]
    if cursor.before is not None:
        values.reverse()
    return values, has_more


def _course_runs(container: Mapping[str, Any]) -> tuple[CourseKey, ...]:
    """The course run keys of a catalog curriculum (``courses[].course_runs[].key``), malformed ones left out."""
    keys = []
    for course in container.get("courses") or []:
        for run in course.get("course_runs") or []:
            try:
                keys.append(CourseKey.from_string(run["key"]))
            except (InvalidKeyError, KeyError, TypeError):
                log.warning("Program course run without a valid key: %r", run)
    return tuple(dict.fromkeys(keys))


def to_program_data(program: Mapping[str, Any]) -> ProgramData:
    """The boundary record of a catalog program dict; its org is the first authoring organisation's key."""
    organizations = program.get("authoring_organizations") or []
    return ProgramData(
        uuid=str(program["uuid"]),
        title=program.get("title") or "",
        marketing_slug=program.get("marketing_slug") or "",
        program_type=program.get("type") or "",
        org=(organizations[0].get("key") if organizations else None) or "",
        curricula=tuple(
            CurriculumData(str(c["uuid"]), c.get("name") or "", bool(c.get("is_active")), _course_runs(c))
            for c in program.get("curricula") or []
        ),
    )


def _course_enrollment_of(user: Any, course_key: CourseKey) -> Any:
    """
    ``CourseEnrollment.get_or_create_enrollment(user, course_key)``: the enrollment a realised program-course
    enrollment points at, as the LMS's ``enroll_in_masters_track`` makes it (inactive until the plugin's
    ``program_enrollments`` module sets its ``masters`` mode and status through the enrollments service).
    """
    from common.djangoapps.student.models import CourseEnrollment

    return CourseEnrollment.get_or_create_enrollment(user, course_key)


def _current_site() -> Any:
    """The request's site (the LMS's site middleware sets ``request.site``), else ``SITE_ID``'s."""
    from crum import get_current_request
    from django.contrib.sites.models import Site

    return getattr(get_current_request(), "site", None) or Site.objects.get_current()


class OpenedxProgramService:
    """The catalog cache, ``program_enrollments``' models and API, SAML providers' social auth uids."""

    # --- the catalog ----------------------------------------------------------

    def get_program(self, program_uuid: str) -> ProgramData | None:
        """``catalog.utils.get_programs(uuid=...)``: the cached program, or None."""
        uuid = _uuid(program_uuid)
        program = _catalog().get_programs(uuid=str(uuid)) if uuid is not None else None
        return to_program_data(program) if program else None

    def list_programs(
        self, program_type: str | None = None, course_keys: Iterable[CourseKey] | None = None
    ) -> Sequence[ProgramData]:
        """
        ``get_programs(course=...)`` for each course run when given (as the LMS finds a course staff's
        programs), else ``get_programs_by_type(site, type)`` or every program of ``get_programs(site=...)``;
        types compared by ``normalize_program_type``. By uuid.
        """
        catalog = _catalog()
        if course_keys is not None:
            found: dict[str, Mapping[str, Any]] = {}
            for course_key in course_keys:
                for program in catalog.get_programs(course=str(course_key)) or []:
                    found.setdefault(str(program["uuid"]), program)
            programs = list(found.values())
        elif program_type is not None:
            programs = catalog.get_programs_by_type(_current_site(), program_type)
        else:
            programs = catalog.get_programs(site=_current_site())
        if program_type is not None:
            wanted = catalog.normalize_program_type(program_type)
            programs = [p for p in programs if catalog.normalize_program_type(p.get("type")) == wanted]
        return sorted((to_program_data(program) for program in programs), key=lambda program: program.uuid)

    def list_admin_program_uuids(self, user_id: int) -> Sequence[str]:
        """
        None: the LMS's program enrollment views admit global staff (``JWT_RESTRICTED_APPLICATION_OR_USER_ACCESS``)
        and the Registrar's restricted applications, and keep no per-program administrators.
        """
        return []

    # --- program enrollments -----------------------------------------------------

    def _enrollments(
        self,
        program_uuid: str | None = None,
        external_user_keys: Iterable[str] | None = None,
        user_ids: Iterable[int] | None = None,
        statuses: Iterable[str] | None = None,
        curriculum_uuids: Iterable[str] | None = None,
        realized: bool | None = None,
    ) -> Any:
        """``ProgramEnrollment`` rows through the API's ``fetch_program_enrollments(_by_students)``, or None."""
        keys, users, wanted = _listed(external_user_keys), _listed(user_ids), _listed(statuses)
        curricula = _uuids(curriculum_uuids)
        program = _uuid(program_uuid) if program_uuid is not None else None
        if [] in (keys, users, wanted, curricula) or (program_uuid is not None and program is None):
            return None
        realized_only, waiting_only = realized is True, realized is False
        api = _api()
        if program is not None:
            return api.fetch_program_enrollments(
                program,
                curriculum_uuids=curricula,
                users=users,
                external_user_keys=keys,
                program_enrollment_statuses=wanted,
                realized_only=realized_only,
                waiting_only=waiting_only,
            )
        if users or keys:
            rows = api.fetch_program_enrollments_by_students(
                users=users,
                external_user_keys=keys,
                program_enrollment_statuses=wanted,
                realized_only=realized_only,
                waiting_only=waiting_only,
            )
        else:
            rows = _models().ProgramEnrollment.objects.all()
            if wanted is not None:
                rows = rows.filter(status__in=wanted)
            if realized is not None:
                rows = rows.filter(user__isnull=not realized)
        return rows if curricula is None else rows.filter(curriculum_uuid__in=curricula)

    def list_program_enrollments(self, program_uuid: str, cursor: CursorRequest) -> CursorPage[ProgramEnrollmentData]:
        """``fetch_program_enrollments(program_uuid)`` sliced by id at the cursor."""
        rows = self._enrollments(program_uuid)
        if rows is None:
            return CursorPage(items=[], has_more=False)
        values, has_more = _slice(rows, cursor, _ENROLLMENT_COLUMNS)
        return CursorPage(items=[_enrollment(row) for row in values], has_more=has_more)

    def fetch_program_enrollments(
        self,
        program_uuid: str | None = None,
        external_user_keys: Iterable[str] | None = None,
        user_ids: Iterable[int] | None = None,
        statuses: Iterable[str] | None = None,
        curriculum_uuids: Iterable[str] | None = None,
        realized: bool | None = None,
    ) -> Sequence[ProgramEnrollmentData]:
        """
        ``fetch_program_enrollments`` (one program) or ``fetch_program_enrollments_by_students`` (by learner),
        by id; an empty filter keeps nothing.
        """
        rows = self._enrollments(program_uuid, external_user_keys, user_ids, statuses, curriculum_uuids, realized)
        return (
            [] if rows is None else [_enrollment(row) for row in rows.order_by("id").values_list(*_ENROLLMENT_COLUMNS)]
        )

    def create_program_enrollments(
        self, program_uuid: str, enrollments: Sequence[NewProgramEnrollment], actor_id: int | None
    ) -> Sequence[ProgramEnrollmentData]:
        """``ProgramEnrollment`` rows saved with ``bulk_create_with_history``, as ``write_program_enrollments`` does."""
        from simple_history.utils import bulk_create_with_history

        if not enrollments:
            return []
        model = _models().ProgramEnrollment
        bulk_create_with_history(
            [
                model(
                    program_uuid=program_uuid,
                    curriculum_uuid=new.curriculum_uuid,
                    user_id=new.user_id,
                    external_user_key=new.external_user_key,
                    status=new.status,
                )
                for new in enrollments
            ],
            model,
            default_user=_actor(actor_id),
        )
        return self.fetch_program_enrollments(program_uuid, [new.external_user_key for new in enrollments])

    def set_program_enrollment_statuses(self, statuses: Mapping[int, str], actor_id: int | None) -> None:
        """What ``change_program_enrollment_status`` does to each, saved with ``bulk_update_with_history``."""
        from simple_history.utils import bulk_update_with_history

        model = _models().ProgramEnrollment
        now = timezone.now()
        changed = []
        for row in model.objects.filter(pk__in=list(statuses)):
            if row.status != statuses[row.pk]:
                row.status, row.modified = statuses[row.pk], now
                changed.append(row)
        if changed:
            bulk_update_with_history(changed, model, ["status", "modified"], default_user=_actor(actor_id))

    def link_program_enrollment(self, enrollment_id: int, user_id: int, actor_id: int | None) -> ProgramEnrollmentData:
        """
        What ``link_program_enrollment_to_lms_user`` records: the ``user``, saved with the actor as its history
        user, and each of its program-course enrollments' ``course_enrollment`` (see :func:`_course_enrollment_of`).
        """
        models = _models()
        row = models.ProgramEnrollment.objects.get(pk=enrollment_id)
        if row.user_id != user_id:
            actor = _actor(actor_id)
            with transaction.atomic():
                row.user_id = user_id
                row._history_user = actor
                row.save()
                user = get_user_model().objects.get(pk=user_id)
                for course_row in models.ProgramCourseEnrollment.objects.filter(program_enrollment=row):
                    course_row.course_enrollment = _course_enrollment_of(user, course_row.course_key)
                    course_row._history_user = actor
                    course_row.save()
        return _enrollment(
            models.ProgramEnrollment.objects.filter(pk=enrollment_id).values_list(*_ENROLLMENT_COLUMNS).get()
        )

    # --- program-course enrollments ----------------------------------------------

    def _course_enrollments(
        self,
        program_uuid: str | None = None,
        course_keys: Iterable[CourseKey] | None = None,
        external_user_keys: Iterable[str] | None = None,
        user_ids: Iterable[int] | None = None,
        program_enrollment_ids: Iterable[int] | None = None,
        statuses: Iterable[str] | None = None,
    ) -> Any:
        """
        ``ProgramCourseEnrollment`` rows: ``fetch_program_course_enrollments`` for one program and course run,
        ``fetch_program_course_enrollments_by_students`` by learner, the model otherwise; None keeps nothing.
        """
        keys, users, courses = _listed(external_user_keys), _listed(user_ids), _listed(course_keys)
        enrollment_ids, wanted = _listed(program_enrollment_ids), _listed(statuses)
        program = _uuid(program_uuid) if program_uuid is not None else None
        if [] in (keys, users, courses, enrollment_ids, wanted) or (program_uuid is not None and program is None):
            return None
        api = _api()
        if program is not None and courses is not None and len(courses) == 1:
            rows = api.fetch_program_course_enrollments(
                program, courses[0], users=users, external_user_keys=keys, program_enrollments=enrollment_ids
            )
        else:
            if users or keys:
                rows = api.fetch_program_course_enrollments_by_students(
                    users=users,
                    external_user_keys=keys,
                    program_uuids=None if program is None else [program],
                    course_keys=courses,
                )
            else:
                rows = _models().ProgramCourseEnrollment.objects.all()
                if program is not None:
                    rows = rows.filter(program_enrollment__program_uuid=program)
                if courses is not None:
                    rows = rows.filter(course_key__in=courses)
            if enrollment_ids is not None:
                rows = rows.filter(program_enrollment_id__in=enrollment_ids)
        if wanted is not None:
            rows = rows.filter(status__in=wanted)
        return _with_staff_request(rows)

    def list_program_course_enrollments(
        self, program_uuid: str, course_key: CourseKey, cursor: CursorRequest, realized: bool | None = None
    ) -> CursorPage[ProgramCourseEnrollmentData]:
        """``fetch_program_course_enrollments(program_uuid, course_key, realized_only/waiting_only)`` sliced by id."""
        program = _uuid(program_uuid)
        if program is None:
            return CursorPage(items=[], has_more=False)
        rows = _api().fetch_program_course_enrollments(
            program, course_key, realized_only=realized is True, waiting_only=realized is False
        )
        values, has_more = _slice(_with_staff_request(rows), cursor, _COURSE_COLUMNS)
        return CursorPage(items=[_course_enrollment(row) for row in values], has_more=has_more)

    def fetch_program_course_enrollments(
        self,
        program_uuid: str | None = None,
        course_keys: Iterable[CourseKey] | None = None,
        external_user_keys: Iterable[str] | None = None,
        user_ids: Iterable[int] | None = None,
        program_enrollment_ids: Iterable[int] | None = None,
        statuses: Iterable[str] | None = None,
    ) -> Sequence[ProgramCourseEnrollmentData]:
        """The rows of ``_course_enrollments`` (the API's fetch functions), by id."""
        rows = self._course_enrollments(
            program_uuid, course_keys, external_user_keys, user_ids, program_enrollment_ids, statuses
        )
        if rows is None:
            return []
        return [_course_enrollment(row) for row in rows.order_by("id").values_list(*_COURSE_COLUMNS)]

    def _request_staff(self, enrollment_ids: Iterable[int], requested: bool) -> None:
        """Create (or delete) the ``course_staff`` ``CourseAccessRoleAssignment`` of these enrollments."""
        from lms.djangoapps.program_enrollments.constants import ProgramCourseEnrollmentRoles

        assignments = _models().CourseAccessRoleAssignment.objects
        ids = list(enrollment_ids)
        role = ProgramCourseEnrollmentRoles.COURSE_STAFF
        if not requested:
            assignments.filter(enrollment_id__in=ids, role=role).delete()
            return
        existing = set(assignments.filter(enrollment_id__in=ids, role=role).values_list("enrollment_id", flat=True))
        assignments.bulk_create(
            _models().CourseAccessRoleAssignment(enrollment_id=pk, role=role) for pk in ids if pk not in existing
        )

    def create_program_course_enrollments(
        self, course_key: CourseKey, enrollments: Sequence[NewProgramCourseEnrollment], actor_id: int | None
    ) -> Sequence[ProgramCourseEnrollmentData]:
        """
        ``ProgramCourseEnrollment`` rows saved with ``bulk_create_with_history`` (as
        ``write_program_course_enrollments`` does), a learner with an account's linked to their course enrollment
        (see :func:`_course_enrollment_of`), a ``CourseAccessRoleAssignment`` where course staff is asked.
        """
        from simple_history.utils import bulk_create_with_history

        if not enrollments:
            return []
        models = _models()
        model = models.ProgramCourseEnrollment
        ids = [new.program_enrollment_id for new in enrollments]
        with transaction.atomic():
            learners = {
                row.pk: row.user
                for row in models.ProgramEnrollment.objects.filter(pk__in=ids, user__isnull=False).select_related(
                    "user"
                )
            }
            bulk_create_with_history(
                [
                    model(
                        program_enrollment_id=new.program_enrollment_id,
                        course_key=course_key,
                        status=new.status,
                        course_enrollment=(
                            _course_enrollment_of(learners[new.program_enrollment_id], course_key)
                            if new.program_enrollment_id in learners
                            else None
                        ),
                    )
                    for new in enrollments
                ],
                model,
                default_user=_actor(actor_id),
            )
            created = dict(
                model.objects.filter(course_key=course_key, program_enrollment_id__in=ids).values_list(
                    "program_enrollment_id", "pk"
                )
            )
            self._request_staff((created[new.program_enrollment_id] for new in enrollments if new.course_staff), True)
        return self.fetch_program_course_enrollments(course_keys=[course_key], program_enrollment_ids=ids)

    def update_program_course_enrollments(
        self, changes: Mapping[int, tuple[str, bool | None]], actor_id: int | None
    ) -> Sequence[ProgramCourseEnrollmentData]:
        """
        What ``change_program_course_enrollment_status`` does to each row, saved with
        ``bulk_update_with_history``; a course staff request creates or deletes its ``CourseAccessRoleAssignment``.
        """
        from simple_history.utils import bulk_update_with_history

        model = _models().ProgramCourseEnrollment
        now = timezone.now()
        changed = []
        with transaction.atomic():
            for row in model.objects.filter(pk__in=list(changes)):
                status, _staff = changes[row.pk]
                if row.status != status:
                    row.status, row.modified = status, now
                    changed.append(row)
            if changed:
                bulk_update_with_history(changed, model, ["status", "modified"], default_user=_actor(actor_id))
            for requested in (True, False):
                self._request_staff((pk for pk, (_status, staff) in changes.items() if staff is requested), requested)
        rows = _with_staff_request(model.objects.filter(pk__in=list(changes))).order_by("id")
        return [_course_enrollment(row) for row in rows.values_list(*_COURSE_COLUMNS)]

    def list_history(
        self, program_enrollment_id: int | None = None, program_course_enrollment_id: int | None = None
    ) -> Sequence[ProgramEnrollmentHistoryData]:
        """
        The enrollment's ``historical_records``, oldest first; a program-course enrollment's rows name the
        account its program enrollment has now (its history keeps no user).
        """
        models = _models()
        if program_enrollment_id is not None:
            history = models.ProgramEnrollment.historical_records.filter(id=program_enrollment_id)
            user_column = "user_id"
        elif program_course_enrollment_id is not None:
            history = models.ProgramCourseEnrollment.historical_records.filter(id=program_course_enrollment_id)
            user_column = "program_enrollment__user_id"
        else:
            return []
        rows = history.order_by("history_date", "history_id").values_list(
            "history_type", "history_date", "history_user_id", "status", user_column
        )
        return [ProgramEnrollmentHistoryData(*row) for row in rows]

    # --- external user keys --------------------------------------------------------

    def get_users_by_external_keys(self, org: str, external_user_keys: Iterable[str]) -> Mapping[str, UserData | None]:
        """
        ``get_users_by_external_keys_and_org_key(keys, org)``; an organisation the LMS does not know, or one
        without a SAML provider, has no linked keys.
        """
        from lms.djangoapps.program_enrollments.exceptions import (
            BadOrganizationShortNameException,
            ProviderDoesNotExistException,
        )

        keys = list(external_user_keys)
        try:
            found = _api().get_users_by_external_keys_and_org_key(keys, org)
        except (BadOrganizationShortNameException, ProviderDoesNotExistException):
            found = {}
        linked = {key.lower(): user.pk for key, user in found.items() if user is not None}
        users = {user.id: user for user in user_records(users_with_profile().filter(pk__in=set(linked.values())))}
        return {key: users.get(linked.get(key.lower(), -1)) for key in keys}

    def _providers(self, org: str) -> list[Any]:
        """``get_saml_providers_for_organization`` of the organisation, none when it has none."""
        from lms.djangoapps.program_enrollments.exceptions import ProviderDoesNotExistException
        from organizations.models import Organization

        organization = Organization.objects.filter(short_name=org).first()
        if organization is None:
            return []
        try:
            return list(_api().get_saml_providers_for_organization(organization))
        except ProviderDoesNotExistException:
            return []

    def set_external_user_key(self, org: str, external_user_key: str, user_id: int) -> None:
        """
        The ``UserSocialAuth`` that SAML sign-in through the organisation's provider records (uid
        ``provider.get_social_auth_uid(key)``); an organisation without a provider has nowhere to record it.
        """
        from social_django.models import UserSocialAuth

        providers = self._providers(org)
        if not providers:
            log.warning("Organization %s has no SAML provider: external key %s not recorded.", org, external_user_key)
            return
        provider = providers[0]
        uid = provider.get_social_auth_uid(external_user_key)
        if not UserSocialAuth.objects.filter(uid__iexact=uid).update(user_id=user_id):
            UserSocialAuth.objects.create(user_id=user_id, provider=provider.backend_name, uid=uid)

    def get_external_user_keys(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, str]:
        """
        ``get_external_key_by_user_and_course`` for a set of learners: the key of each learner's program-course
        enrollment in the course, an active one first, then the latest changed.
        """
        rows = (
            _models()
            .ProgramCourseEnrollment.objects.filter(
                course_key=course_key,
                program_enrollment__user_id__in=list(user_ids),
                program_enrollment__external_user_key__isnull=False,
            )
            .order_by("status", "-modified", "-id")
            .values_list("program_enrollment__user_id", "program_enrollment__external_user_key")
        )
        keys: dict[int, str] = {}
        for user_id, key in rows:
            keys.setdefault(user_id, key)
        return keys

    def get_course_grades(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, CourseGradeData]:
        """
        The enrolled learners' ``PersistentCourseGrade`` (what ``CourseGradeFactory().read`` returns where
        grades persist), in one query; zero where none was persisted.
        """
        from common.djangoapps.student.models import CourseEnrollment
        from lms.djangoapps.grades.models import PersistentCourseGrade

        grade = PersistentCourseGrade.objects.filter(course_id=course_key, user_id=OuterRef("user_id"))
        rows = (
            CourseEnrollment.objects.filter(course_id=course_key, user_id__in=list(user_ids))
            .annotate(
                percent=Subquery(grade.values("percent_grade")[:1]),
                letter=Subquery(grade.values("letter_grade")[:1]),
                passed_at=Subquery(grade.values("passed_timestamp")[:1]),
            )
            .values_list("user_id", "percent", "letter", "passed_at")
        )
        return {
            user_id: CourseGradeData(user_id, percent or 0.0, letter or None, passed_at is not None)
            for user_id, percent, letter, passed_at in rows
        }

    # --- the learner overview ------------------------------------------------------------

    def list_learner_course_runs(
        self, user_id: int, course_keys: Iterable[CourseKey], modes: Iterable[str]
    ) -> Sequence[LearnerCourseRunData]:
        """
        The user's active ``CourseEnrollment`` rows in these runs and modes, oldest first, with the course from
        the modulestore, ``bulk_email.Optout``, ``GeneratedCertificate`` (downloadable at the LMS's
        ``/certificates/user/<id>/course/<key>``) and the latest ``BlockCompletion`` as the block to resume at.
        """
        from common.djangoapps.student.models import CourseEnrollment
        from completion.models import BlockCompletion
        from lms.djangoapps.bulk_email.models import Optout
        from lms.djangoapps.certificates.models import GeneratedCertificate
        from xmodule.modulestore.django import modulestore

        enrollments = list(
            CourseEnrollment.objects.filter(
                user_id=user_id, course_id__in=list(course_keys), mode__in=list(modes), is_active=True
            )
            .order_by("created", "pk")
            .values_list("course_id", "mode")
        )
        keys = [course_key for course_key, _mode in enrollments]
        store = modulestore()
        courses: dict[CourseKey, CourseData] = {}
        for course_key in keys:
            course = store.get_course(course_key)
            if course is not None:
                courses[course_key] = to_course_data(course)
        opted_out = set(Optout.objects.filter(user_id=user_id, course_id__in=keys).values_list("course_id", flat=True))
        certificates = {
            course_key: (status, created)
            for course_key, status, created in GeneratedCertificate.objects.filter(
                user_id=user_id, course_id__in=keys
            ).values_list("course_id", "status", "created_date")
        }
        resume_blocks: dict[CourseKey, UsageKey] = {}
        for course_key, block_key in (
            BlockCompletion.objects.filter(user_id=user_id, context_key__in=keys, completion__gt=0)
            .order_by("-modified", "-pk")
            .values_list("context_key", "block_key")
        ):
            resume_blocks.setdefault(course_key, block_key)

        return learner_course_runs(user_id, enrollments, courses, opted_out, certificates, resume_blocks)

    # --- integration sandboxes ---------------------------------------------------------

    def reset_organization(self, org: str) -> OrganizationResetData | None:
        """
        What the LMS's integration reset does for an ``Organization`` (None when it has none of that short
        name): the ``reset_enrollment_data`` command over ``get_programs_for_organization(org)`` (program and
        program-course enrollments, the course enrollments they made) and ``remove_social_auth_users`` over
        each of its SAML providers (the accounts with a social auth uid of the provider).
        """
        from common.djangoapps.student.models import CourseEnrollment
        from organizations.models import Organization
        from social_django.models import UserSocialAuth

        if not Organization.objects.filter(short_name=org).exists():
            return None
        models = _models()
        program_uuids = _uuids(_catalog().get_programs_for_organization(org) or [])
        enrollments = models.ProgramEnrollment.objects.filter(program_uuid__in=program_uuids)
        slugs = [provider.slug for provider in self._providers(org)]
        of_providers = Q(pk__in=[])
        for slug in slugs:
            of_providers |= Q(uid__startswith=f"{slug}:")
        social = UserSocialAuth.objects.filter(of_providers)
        user_model: Any = get_user_model()
        with transaction.atomic():
            through_programs = models.ProgramCourseEnrollment.objects.filter(
                program_enrollment__in=enrollments,
                program_enrollment__user_id=OuterRef("user_id"),
                course_key=OuterRef("course_id"),
            )
            _, course_enrollments = CourseEnrollment.objects.filter(Exists(through_programs)).delete()
            _, deleted = enrollments.delete()
            _, users = user_model.objects.filter(pk__in=social.values("user_id")).delete()
        course_label = models.ProgramCourseEnrollment._meta.label
        return OrganizationResetData(
            program_enrollments=deleted.get(models.ProgramEnrollment._meta.label, 0),
            program_course_enrollments=deleted.get(course_label, 0) + course_enrollments.get(course_label, 0),
            course_enrollments=course_enrollments.get(CourseEnrollment._meta.label, 0)
            + users.get(CourseEnrollment._meta.label, 0),
            users=users.get(user_model._meta.label, 0),
        )
