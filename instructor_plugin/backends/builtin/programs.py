"""
Programs of the built-in backend: the catalog, program and program-course enrollments with history,
and organisations' external user keys.

External keys are stored as given beside a lower-cased copy (``key_lower``) that every lookup and
uniqueness rule uses, so ``ABC`` and ``abc`` are one learner on every database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from uuid import UUID

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey, UsageKey

from ..data import (
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
from .id_sets import among_ids
from .models import (
    BlockCompletion,
    Course,
    CourseEmailOptout,
    CourseEnrollment,
    CourseGrade,
    CurriculumCourse,
    ExternalUserKey,
    GeneratedCertificate,
    Program,
    ProgramAdmin,
    ProgramCourseEnrollment,
    ProgramEnrollment,
    ProgramEnrollmentHistory,
)
from .users import User, user_data_rows

_USER_COLUMNS = (
    "user_id",
    "user__username",
    "user__email",
    "user__builtin_profile__name",
    "user__first_name",
    "user__last_name",
    "user__is_active",
    "user__is_staff",
)
_ENROLLMENT_COLUMNS = ("id", "program__uuid", "curriculum__uuid", "external_user_key", "status", *_USER_COLUMNS)


#: What a malformed uuid is looked up as: no program has it.
_NO_UUID = UUID(int=0)


def _uuid(value: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        return _NO_UUID


def _lower(keys: Iterable[str]) -> list[str]:
    return [key.lower() for key in keys]


def _user(row: Sequence) -> UserData | None:
    user_id, username, email, name, first_name, last_name, is_active, is_staff = row
    if user_id is None:
        return None
    full_name = name or f"{first_name} {last_name}".strip()
    return UserData(user_id, username, email, full_name, is_active, is_staff)


def _enrollment(row: Sequence) -> ProgramEnrollmentData:
    pk, program_uuid, curriculum_uuid, key, status = row[:5]
    return ProgramEnrollmentData(pk, str(program_uuid), str(curriculum_uuid), key, status, _user(row[5:]))


def _course_columns() -> tuple[str, ...]:
    return (
        "id",
        "course_key",
        "status",
        "course_staff",
        *(f"program_enrollment__{column}" for column in _ENROLLMENT_COLUMNS),
    )


def _course_enrollment(row: Sequence) -> ProgramCourseEnrollmentData:
    pk, course_key, status, course_staff = row[:4]
    return ProgramCourseEnrollmentData(pk, _enrollment(row[4:]), course_key, status, course_staff)


def _slice(rows: QuerySet, cursor: CursorRequest, columns: Sequence[str]) -> tuple[list, bool]:
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


def _history(
    status: str, user_id: int | None, history_type: str, actor_id: int | None, **target: object
) -> ProgramEnrollmentHistory:
    return ProgramEnrollmentHistory(
        status=status,
        user_id=user_id,
        history_type=history_type,
        history_user_id=actor_id,
        history_date=timezone.now(),
        **target,
    )


class BuiltinProgramService:
    """Programs, program enrollments and external keys in the built-in tables; lists are sliced by id in SQL."""

    # --- the catalog ----------------------------------------------------------

    def _programs(self, rows: QuerySet[Program]) -> list[ProgramData]:
        programs = list(rows.prefetch_related("curricula").order_by("id"))
        courses: dict[int, list[CourseKey]] = defaultdict(list)
        curriculum_ids = [curriculum.pk for program in programs for curriculum in program.curricula.all()]
        for curriculum_id, course_key in CurriculumCourse.objects.filter(curriculum_id__in=curriculum_ids).values_list(
            "curriculum_id", "course_key"
        ):
            courses[curriculum_id].append(course_key)
        return [
            ProgramData(
                uuid=str(program.uuid),
                title=program.title,
                marketing_slug=program.marketing_slug,
                program_type=program.program_type,
                org=program.org,
                curricula=tuple(
                    CurriculumData(str(c.uuid), c.name, c.is_active, tuple(courses[c.pk]))
                    for c in sorted(program.curricula.all(), key=lambda c: c.pk)
                ),
            )
            for program in programs
        ]

    def get_program(self, program_uuid: str) -> ProgramData | None:
        found = self._programs(Program.objects.filter(uuid=_uuid(program_uuid)))
        return found[0] if found else None

    def list_programs(
        self, program_type: str | None = None, course_keys: Iterable[CourseKey] | None = None
    ) -> Sequence[ProgramData]:
        programs = Program.objects.all()
        if program_type is not None:
            programs = programs.filter(program_type__iexact=program_type)
        if course_keys is not None:
            holding = CurriculumCourse.objects.filter(course_key__in=list(course_keys))
            programs = programs.filter(curricula__id__in=holding.values("curriculum_id")).distinct()
        return self._programs(programs)

    def list_admin_program_uuids(self, user_id: int) -> Sequence[str]:
        return [
            str(uuid) for uuid in ProgramAdmin.objects.filter(user_id=user_id).values_list("program__uuid", flat=True)
        ]

    # --- program enrollments -----------------------------------------------------

    def _enrollments(
        self,
        program_uuid: str | None = None,
        external_user_keys: Iterable[str] | None = None,
        user_ids: Iterable[int] | None = None,
        statuses: Iterable[str] | None = None,
        curriculum_uuids: Iterable[str] | None = None,
        realized: bool | None = None,
    ) -> QuerySet[ProgramEnrollment]:
        rows = ProgramEnrollment.objects.all()
        if program_uuid is not None:
            rows = rows.filter(program__uuid=_uuid(program_uuid))
        if external_user_keys is not None:
            rows = rows.filter(key_lower__in=_lower(external_user_keys))
        if user_ids is not None:
            rows = rows.filter(user_id__in=list(user_ids))
        if statuses is not None:
            rows = rows.filter(status__in=list(statuses))
        if curriculum_uuids is not None:
            rows = rows.filter(curriculum__uuid__in=[_uuid(uuid) for uuid in curriculum_uuids])
        if realized is not None:
            rows = rows.filter(user__isnull=not realized)
        return rows

    def list_program_enrollments(self, program_uuid: str, cursor: CursorRequest) -> CursorPage[ProgramEnrollmentData]:
        values, has_more = _slice(self._enrollments(program_uuid), cursor, _ENROLLMENT_COLUMNS)
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
        rows = self._enrollments(program_uuid, external_user_keys, user_ids, statuses, curriculum_uuids, realized)
        return [_enrollment(row) for row in rows.order_by("id").values_list(*_ENROLLMENT_COLUMNS)]

    def _get_enrollment(self, enrollment_id: int) -> ProgramEnrollmentData:
        return _enrollment(ProgramEnrollment.objects.filter(pk=enrollment_id).values_list(*_ENROLLMENT_COLUMNS).get())

    def create_program_enrollments(
        self, program_uuid: str, enrollments: Sequence[NewProgramEnrollment], actor_id: int | None
    ) -> Sequence[ProgramEnrollmentData]:
        if not enrollments:
            return []
        program = Program.objects.get(uuid=_uuid(program_uuid))
        curricula = {str(c.uuid): c.pk for c in program.curricula.all()}
        created = ProgramEnrollment.objects.bulk_create(
            ProgramEnrollment(
                program=program,
                curriculum_id=curricula[str(_uuid(new.curriculum_uuid))],
                user_id=new.user_id,
                external_user_key=new.external_user_key,
                key_lower=new.external_user_key.lower(),
                status=new.status,
            )
            for new in enrollments
        )
        keys = [row.key_lower for row in created]
        rows = list(
            ProgramEnrollment.objects.filter(program=program, key_lower__in=keys).values_list("pk", "status", "user_id")
        )
        ProgramEnrollmentHistory.objects.bulk_create(
            _history(status, user_id, "+", actor_id, program_enrollment_id=pk) for pk, status, user_id in rows
        )
        return self.fetch_program_enrollments(program_uuid, external_user_keys=keys)

    def set_program_enrollment_statuses(self, statuses: Mapping[int, str], actor_id: int | None) -> None:
        current = ProgramEnrollment.objects.filter(pk__in=list(statuses)).values_list("pk", "status", "user_id")
        changed = [(pk, statuses[pk], user_id) for pk, status, user_id in current if statuses[pk] != status]
        by_status: dict[str, list[int]] = defaultdict(list)
        for pk, status, _user_id in changed:
            by_status[status].append(pk)
        now = timezone.now()
        for status, pks in by_status.items():
            ProgramEnrollment.objects.filter(pk__in=pks).update(status=status, modified=now)
        ProgramEnrollmentHistory.objects.bulk_create(
            _history(status, user_id, "~", actor_id, program_enrollment_id=pk) for pk, status, user_id in changed
        )

    def link_program_enrollment(self, enrollment_id: int, user_id: int, actor_id: int | None) -> ProgramEnrollmentData:
        row = ProgramEnrollment.objects.get(pk=enrollment_id)
        if row.user_id != user_id:
            row.user_id = user_id
            row.save(update_fields=["user", "modified"])
            _history(row.status, user_id, "~", actor_id, program_enrollment_id=row.pk).save()
        return self._get_enrollment(enrollment_id)

    # --- program-course enrollments ----------------------------------------------

    def _course_enrollments(
        self,
        program_uuid: str | None = None,
        course_keys: Iterable[CourseKey] | None = None,
        external_user_keys: Iterable[str] | None = None,
        user_ids: Iterable[int] | None = None,
        program_enrollment_ids: Iterable[int] | None = None,
        statuses: Iterable[str] | None = None,
    ) -> QuerySet[ProgramCourseEnrollment]:
        rows = ProgramCourseEnrollment.objects.all()
        if program_uuid is not None:
            rows = rows.filter(program_enrollment__program__uuid=_uuid(program_uuid))
        if course_keys is not None:
            rows = rows.filter(course_key__in=list(course_keys))
        if external_user_keys is not None:
            rows = rows.filter(program_enrollment__key_lower__in=_lower(external_user_keys))
        if user_ids is not None:
            rows = rows.filter(program_enrollment__user_id__in=list(user_ids))
        if program_enrollment_ids is not None:
            rows = rows.filter(program_enrollment_id__in=list(program_enrollment_ids))
        if statuses is not None:
            rows = rows.filter(status__in=list(statuses))
        return rows

    def list_program_course_enrollments(
        self, program_uuid: str, course_key: CourseKey, cursor: CursorRequest, realized: bool | None = None
    ) -> CursorPage[ProgramCourseEnrollmentData]:
        rows = self._course_enrollments(program_uuid, [course_key])
        if realized is not None:
            rows = rows.filter(program_enrollment__user__isnull=not realized)
        values, has_more = _slice(rows, cursor, _course_columns())
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
        rows = self._course_enrollments(
            program_uuid, course_keys, external_user_keys, user_ids, program_enrollment_ids, statuses
        )
        return [_course_enrollment(row) for row in rows.order_by("id").values_list(*_course_columns())]

    def create_program_course_enrollments(
        self, course_key: CourseKey, enrollments: Sequence[NewProgramCourseEnrollment], actor_id: int | None
    ) -> Sequence[ProgramCourseEnrollmentData]:
        if not enrollments:
            return []
        ProgramCourseEnrollment.objects.bulk_create(
            ProgramCourseEnrollment(
                program_enrollment_id=new.program_enrollment_id,
                course_key=course_key,
                status=new.status,
                course_staff=new.course_staff,
            )
            for new in enrollments
        )
        ids = [new.program_enrollment_id for new in enrollments]
        rows = self._course_enrollments(course_keys=[course_key], program_enrollment_ids=ids)
        ProgramEnrollmentHistory.objects.bulk_create(
            _history(status, user_id, "+", actor_id, program_course_enrollment_id=pk)
            for pk, status, user_id in rows.values_list("pk", "status", "program_enrollment__user_id")
        )
        return [_course_enrollment(row) for row in rows.order_by("id").values_list(*_course_columns())]

    def update_program_course_enrollments(
        self, changes: Mapping[int, tuple[str, bool | None]], actor_id: int | None
    ) -> Sequence[ProgramCourseEnrollmentData]:
        current = ProgramCourseEnrollment.objects.filter(pk__in=list(changes)).values_list(
            "pk", "status", "course_staff", "program_enrollment__user_id"
        )
        wanted: dict[tuple[str, bool | None], list[int]] = defaultdict(list)
        history = []
        for pk, status, course_staff, user_id in current:
            new_status, new_staff = changes[pk]
            new_staff = course_staff if new_staff is None else new_staff
            if (new_status, new_staff) != (status, course_staff):
                wanted[(new_status, new_staff)].append(pk)
                history.append(_history(new_status, user_id, "~", actor_id, program_course_enrollment_id=pk))
        now = timezone.now()
        for (status, course_staff), pks in wanted.items():
            ProgramCourseEnrollment.objects.filter(pk__in=pks).update(
                status=status, course_staff=course_staff, modified=now
            )
        ProgramEnrollmentHistory.objects.bulk_create(history)
        rows = ProgramCourseEnrollment.objects.filter(pk__in=list(changes)).order_by("id")
        return [_course_enrollment(row) for row in rows.values_list(*_course_columns())]

    def list_history(
        self, program_enrollment_id: int | None = None, program_course_enrollment_id: int | None = None
    ) -> Sequence[ProgramEnrollmentHistoryData]:
        rows = ProgramEnrollmentHistory.objects.filter(
            program_enrollment_id=program_enrollment_id, program_course_enrollment_id=program_course_enrollment_id
        ).order_by("history_date", "id")
        return [
            ProgramEnrollmentHistoryData(history_type, history_date, history_user_id, status, user_id)
            for history_type, history_date, history_user_id, status, user_id in rows.values_list(
                "history_type", "history_date", "history_user_id", "status", "user_id"
            )
        ]

    # --- external user keys --------------------------------------------------------

    def get_users_by_external_keys(self, org: str, external_user_keys: Iterable[str]) -> Mapping[str, UserData | None]:
        keys = list(external_user_keys)
        linked = dict(
            ExternalUserKey.objects.filter(org=org, key_lower__in=_lower(keys)).values_list("key_lower", "user_id")
        )
        users = {user.id: user for user in user_data_rows(User.objects.filter(pk__in=linked.values()))}
        return {key: users.get(linked.get(key.lower(), -1)) for key in keys}

    def set_external_user_key(self, org: str, external_user_key: str, user_id: int) -> None:
        ExternalUserKey.objects.update_or_create(
            org=org,
            key_lower=external_user_key.lower(),
            defaults={"external_user_key": external_user_key, "user_id": user_id},
        )

    def get_external_user_keys(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, str]:
        wanted = set(user_ids)
        rows = ProgramCourseEnrollment.objects.filter(
            among_ids("program_enrollment__user_id", wanted), course_key=course_key
        ).order_by("program_enrollment_id")
        columns = rows.values_list("program_enrollment__user_id", "program_enrollment__external_user_key")
        return {user_id: key for user_id, key in columns if user_id in wanted}

    def get_course_grades(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, CourseGradeData]:
        enrolled = CourseEnrollment.objects.filter(course_key=course_key, user_id__in=list(user_ids))
        ids = list(enrolled.values_list("user_id", flat=True))
        grades = {
            user_id: CourseGradeData(user_id, percent, letter_grade or None, passed)
            for user_id, percent, letter_grade, passed in CourseGrade.objects.filter(
                course_key=course_key, user_id__in=ids
            ).values_list("user_id", "percent", "letter_grade", "passed")
        }
        return {user_id: grades.get(user_id, CourseGradeData(user_id, 0.0, None, False)) for user_id in ids}

    # --- the learner overview ------------------------------------------------------------

    def list_learner_course_runs(
        self, user_id: int, course_keys: Iterable[CourseKey], modes: Iterable[str]
    ) -> Sequence[LearnerCourseRunData]:
        enrollments = list(
            CourseEnrollment.objects.filter(
                user_id=user_id, course_key__in=list(course_keys), mode__in=list(modes), is_active=True
            )
            .order_by("created", "pk")
            .values_list("course_key", "mode")
        )
        keys = [course_key for course_key, _mode in enrollments]
        courses = {course.course_key: to_course_data(course) for course in Course.objects.filter(course_key__in=keys)}
        opted_out = set(
            CourseEmailOptout.objects.filter(user_id=user_id, course_key__in=keys).values_list("course_key", flat=True)
        )
        certificates = {
            course_key: (status, created)
            for course_key, status, created in GeneratedCertificate.objects.filter(
                user_id=user_id, course_key__in=keys
            ).values_list("course_key", "status", "created")
        }
        resume_blocks: dict[CourseKey, UsageKey] = {}
        for course_key, usage_key in (
            BlockCompletion.objects.filter(user_id=user_id, course_key__in=keys, completion__gt=0)
            .order_by("-modified", "-pk")
            .values_list("course_key", "usage_key")
        ):
            resume_blocks.setdefault(course_key, usage_key)

        return learner_course_runs(user_id, enrollments, courses, opted_out, certificates, resume_blocks)

    # --- integration sandboxes ---------------------------------------------------------

    def reset_organization(self, org: str) -> OrganizationResetData | None:
        programs = Program.objects.filter(org=org)
        keys = ExternalUserKey.objects.filter(org=org)
        if not (programs.exists() or keys.exists()):
            return None
        with transaction.atomic():
            through_programs = ProgramCourseEnrollment.objects.filter(
                program_enrollment__program__in=programs,
                program_enrollment__user_id=OuterRef("user_id"),
                course_key=OuterRef("course_key"),
            )
            _, course_enrollments = CourseEnrollment.objects.filter(Exists(through_programs)).delete()
            _, enrollments = ProgramEnrollment.objects.filter(program__in=programs).delete()
            _, users = User.objects.filter(pk__in=keys.values("user_id")).delete()
        return OrganizationResetData(
            program_enrollments=enrollments.get(ProgramEnrollment._meta.label, 0),
            program_course_enrollments=enrollments.get(ProgramCourseEnrollment._meta.label, 0),
            course_enrollments=course_enrollments.get(CourseEnrollment._meta.label, 0)
            + users.get(CourseEnrollment._meta.label, 0),
            users=users.get(User._meta.label, 0),
        )
