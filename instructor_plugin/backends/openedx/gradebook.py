"""
The gradebook over the LMS's persisted grades: ``grades.PersistentCourseGrade`` for the learner list,
``PersistentSubsectionGrade`` with its ``PersistentSubsectionGradeOverride`` (and the override's
django-simple-history ``history``) for subsection grades.

A subsection counts when the modulestore marks its block ``graded``. Overrides are written as the LMS's
gradebook does (``PersistentSubsectionGradeOverride.update_or_create_override``), then the learner's
course grade is recomputed with ``CourseGradeFactory().update``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, F, FloatField, OuterRef, Q, Subquery, Value, When
from opaque_keys.edx.keys import CourseKey, UsageKey

from ..data import (
    ALL_COURSE_ROLES,
    OVERRIDE_FIELDS,
    CursorPage,
    CursorRequest,
    GradebookFilter,
    GradebookLearnerData,
    GradedEnrollmentData,
    ProblemStateData,
    SubsectionGradeData,
    SubsectionOverrideData,
    SubsectionOverrideHistoryData,
    UserData,
)
from ..exceptions import BlockNotFound, UserNotFound
from .problem_state import student_module_data, to_course_grade_data

#: Slack for comparing float grades with a percent bound.
_EPSILON = 1e-9
#: The ``feature`` the LMS's gradebook names when it writes an override.
GRADEBOOK_FEATURE = "GRADEBOOK"
_LEARNER_COLUMNS = (
    "user_id",
    "user__username",
    "user__email",
    "user__profile__name",
    "user__first_name",
    "user__last_name",
    "user__is_active",
    "user__is_staff",
    "mode",
    "percent",
    "letter",
    "passed_at",
)


def _grades() -> Any:
    from lms.djangoapps.grades import models

    return models


def _enrollments() -> Any:
    from common.djangoapps.student.models import CourseEnrollment

    return CourseEnrollment.objects


def _with_course_grade(rows: Any, course_key: Any) -> Any:
    """Annotate enrollments with the learner's ``PersistentCourseGrade`` columns (``course_key``: a key or ``F``)."""
    grade = _grades().PersistentCourseGrade.objects.filter(course_id=course_key, user_id=OuterRef("user_id"))
    return rows.annotate(
        percent=Subquery(grade.values("percent_grade")[:1]),
        letter=Subquery(grade.values("letter_grade")[:1]),
        passed_at=Subquery(grade.values("passed_timestamp")[:1]),
    )


def _to_learner(row: Sequence[Any]) -> GradebookLearnerData:
    user_id, username, email, name, first, last, active, staff, mode, percent, letter, passed_at = row
    user = UserData(
        id=user_id,
        username=username,
        email=email,
        full_name=name or f"{first} {last}".strip(),
        is_active=active,
        is_staff=staff,
    )
    return GradebookLearnerData(
        user=user, mode=mode, percent=percent or 0.0, letter_grade=letter or None, passed=passed_at is not None
    )


def _slice(rows: Any, key: str, cursor: CursorRequest, columns: Sequence[str]) -> tuple[list[tuple], bool]:
    """The rows of one cursor slice by ``key`` (ascending), and whether more lie beyond it."""
    if cursor.before is not None:
        rows = rows.filter(**{f"{key}__lt": cursor.before}).order_by(f"-{key}")
    else:
        if cursor.after is not None:
            rows = rows.filter(**{f"{key}__gt": cursor.after})
        rows = rows.order_by(key)
    values = list(rows.values_list(*columns)[: cursor.limit + 1])
    has_more = len(values) > cursor.limit
    values = values[: cursor.limit]
    if cursor.before is not None:
        values.reverse()
    return values, has_more


def _percent_bound(value: float | None, default: float) -> float:
    return (default if value is None else value) / 100


def _to_override_data(row: Any) -> SubsectionOverrideData:
    return SubsectionOverrideData(
        id=row.pk,
        earned_all_override=row.earned_all_override,
        possible_all_override=row.possible_all_override,
        earned_graded_override=row.earned_graded_override,
        possible_graded_override=row.possible_graded_override,
        system=row.system or "",
        override_reason=row.override_reason or "",
        created=row.created,
        modified=row.modified,
    )


def _to_subsection_data(row: Any) -> SubsectionGradeData:
    override = getattr(row, "override", None)
    return SubsectionGradeData(
        user_id=row.user_id,
        usage_key=row.usage_key,
        earned_all=row.earned_all,
        possible_all=row.possible_all,
        earned_graded=row.earned_graded,
        possible_graded=row.possible_graded,
        attempted=row.first_attempted is not None,
        override=_to_override_data(override) if override is not None else None,
    )


def _graded_block(usage_key: UsageKey) -> Any:
    """``modulestore().get_item(usage_key)`` when it is a graded block; else ``BlockNotFound``."""
    from xmodule.modulestore.django import modulestore
    from xmodule.modulestore.exceptions import ItemNotFoundError

    try:
        block = modulestore().get_item(usage_key)
    except ItemNotFoundError:
        raise BlockNotFound(usage_key) from None
    if not getattr(block, "graded", False):
        raise BlockNotFound(usage_key)
    return block


def _graded_keys(course_key: CourseKey) -> set[UsageKey]:
    """``modulestore().get_items(course_key)``: the course's blocks marked ``graded``."""
    from xmodule.modulestore.django import modulestore

    return {block.location for block in modulestore().get_items(course_key) if getattr(block, "graded", False)}


class OpenedxGradebookService:
    """The LMS's persisted grades and overrides, filtered and sliced in SQL."""

    # --- the learner list -------------------------------------------------

    def _learners(self, course_key: CourseKey, filters: GradebookFilter) -> Any:
        from common.djangoapps.student.models import CourseAccessRole
        from openedx.core.djangoapps.course_groups.models import CourseUserGroup

        rows = _with_course_grade(_enrollments().filter(course_id=course_key, is_active=True), course_key)
        if filters.username:
            rows = rows.filter(user__username=filters.username)
        if filters.user_contains:
            rows = rows.filter(
                Q(user__username__icontains=filters.user_contains) | Q(user__email__icontains=filters.user_contains)
            )
        if filters.username_contains:
            rows = rows.filter(user__username__icontains=filters.username_contains)
        if filters.cohort_id is not None:
            members = CourseUserGroup.users.through.objects.filter(
                courseusergroup_id=filters.cohort_id, courseusergroup__course_id=course_key
            )
            rows = rows.filter(user_id__in=members.values("user_id"))
        if filters.enrollment_mode:
            rows = rows.filter(mode=filters.enrollment_mode)
        if filters.excluded_course_roles:
            holders = CourseAccessRole.objects.filter(course_id=course_key)
            if ALL_COURSE_ROLES not in filters.excluded_course_roles:
                holders = holders.filter(role__in=filters.excluded_course_roles)
            rows = rows.exclude(user_id__in=holders.values("user_id"))
        if filters.course_grade_min is not None or filters.course_grade_max is not None:
            low = _percent_bound(filters.course_grade_min, 0)
            high = _percent_bound(filters.course_grade_max, 100)
            in_range = Q(percent__gte=low - _EPSILON, percent__lte=high + _EPSILON)
            rows = rows.filter(in_range | Q(percent__isnull=True) if low <= 0 else in_range)
        if filters.assignment is not None and (
            filters.assignment_grade_min is not None or filters.assignment_grade_max is not None
        ):
            rows = rows.filter(user_id__in=self._assignment_in_range(course_key, filters))
        return rows

    @staticmethod
    def _assignment_in_range(course_key: CourseKey, filters: GradebookFilter) -> Any:
        """Learners whose ``PersistentSubsectionGrade`` on the assignment (its override when set) is in range."""
        low = _percent_bound(filters.assignment_grade_min, 0)
        high = _percent_bound(filters.assignment_grade_max, 100)
        overridden = Q(override__earned_graded_override__isnull=False, override__possible_graded_override__isnull=False)
        share = Case(
            When(
                overridden & Q(override__possible_graded_override__gt=0),
                then=F("override__earned_graded_override") / F("override__possible_graded_override"),
            ),
            When(overridden, then=Value(0.0)),
            When(possible_graded__gt=0, then=F("earned_graded") / F("possible_graded")),
            default=Value(0.0),
            output_field=FloatField(),
        )
        grades = _grades().PersistentSubsectionGrade.objects.filter(course_id=course_key, usage_key=filters.assignment)
        grades = grades.filter(Q(first_attempted__isnull=False) | overridden)
        return (
            grades.annotate(share=share).filter(share__gte=low - _EPSILON, share__lte=high + _EPSILON).values("user_id")
        )

    def list_gradebook(
        self, course_key: CourseKey, filters: GradebookFilter, cursor: CursorRequest
    ) -> CursorPage[GradebookLearnerData]:
        """Active ``CourseEnrollment`` rows with the ``PersistentCourseGrade`` columns, by user id."""
        values, has_more = _slice(self._learners(course_key, filters), "user_id", cursor, _LEARNER_COLUMNS)
        return CursorPage(items=[_to_learner(row) for row in values], has_more=has_more)

    def count_gradebook(self, course_key: CourseKey, filters: GradebookFilter) -> int:
        """The count of :meth:`list_gradebook`'s rows, one query."""
        return self._learners(course_key, filters).count()

    # --- subsection grades ------------------------------------------------

    def get_subsection_grades(
        self, course_key: CourseKey, user_ids: Iterable[int]
    ) -> Mapping[int, Mapping[UsageKey, SubsectionGradeData]]:
        """The learners' ``PersistentSubsectionGrade`` rows on graded blocks, attempted or overridden."""
        user_ids = list(user_ids)
        graded = _graded_keys(course_key)
        rows = (
            _grades()
            .PersistentSubsectionGrade.objects.filter(course_id=course_key, user_id__in=user_ids)
            .filter(Q(first_attempted__isnull=False) | Q(override__isnull=False))
            .select_related("override")
            .order_by("user_id", "usage_key")
        )
        grades: dict[int, dict[UsageKey, SubsectionGradeData]] = {user_id: {} for user_id in user_ids}
        for row in rows:
            if row.usage_key in graded:
                grades[row.user_id][row.usage_key] = _to_subsection_data(row)
        return grades

    def get_subsection_grade(self, course_key: CourseKey, usage_key: UsageKey, user_id: int) -> SubsectionGradeData:
        """``grades.api.get_subsection_grade(user_id, course_key, usage_key)``; zero when it raises ``DoesNotExist``."""
        from lms.djangoapps.grades.api import get_subsection_grade

        _graded_block(usage_key)
        try:
            row = get_subsection_grade(user_id, course_key, usage_key)
        except _grades().PersistentSubsectionGrade.DoesNotExist:
            return SubsectionGradeData(user_id, usage_key, 0.0, 0.0, 0.0, 0.0, attempted=False)
        return _to_subsection_data(row)

    def list_override_history(
        self, course_key: CourseKey, usage_key: UsageKey, user_id: int, limit: int | None = None
    ) -> Sequence[SubsectionOverrideHistoryData]:
        """``PersistentSubsectionGradeOverride.history`` rows (django-simple-history) of the learner's override."""
        history = (
            _grades()
            .PersistentSubsectionGradeOverride.history.filter(
                grade__course_id=course_key, grade__usage_key=usage_key, grade__user_id=user_id
            )
            .select_related("history_user")
        )
        if limit is None:
            selected = list(history.order_by("history_date", "history_id"))
        else:
            selected = list(history.order_by("-history_date", "-history_id")[: max(limit, 0)])
            selected.reverse()
        return [
            SubsectionOverrideHistoryData(
                history_id=row.history_id,
                override_id=row.id,
                history_date=row.history_date,
                history_type=row.history_type,
                history_user_id=row.history_user_id,
                history_user=row.history_user.username if row.history_user else None,
                earned_all_override=row.earned_all_override,
                possible_all_override=row.possible_all_override,
                earned_graded_override=row.earned_graded_override,
                possible_graded_override=row.possible_graded_override,
                system=row.system or "",
                override_reason=row.override_reason or "",
            )
            for row in selected
        ]

    def override_subsection_grade(
        self,
        course_key: CourseKey,
        usage_key: UsageKey,
        user_id: int,
        values: Mapping[str, float],
        reason: str,
        system: str,
        actor_id: int | None,
    ) -> SubsectionGradeData:
        """
        ``PersistentSubsectionGradeOverride.update_or_create_override(requesting_user, subsection_grade_model,
        feature="GRADEBOOK", comment=reason, system=system, **values)`` on the learner's
        ``PersistentSubsectionGrade`` (first persisted with ``SubsectionGradeFactory(user).update(block)`` when
        missing, as the LMS's gradebook does), then ``CourseGradeFactory().update(user, course_key=...)``.
        """
        from lms.djangoapps.grades.api import CourseGradeFactory, SubsectionGradeFactory

        block = _graded_block(usage_key)
        users: Any = get_user_model().objects
        user = users.filter(pk=user_id).first()
        if user is None:
            raise UserNotFound(user_id)
        actor = users.filter(pk=actor_id).first() if actor_id is not None else None
        models = _grades()
        with transaction.atomic():
            lookup = {"course_id": course_key, "usage_key": usage_key, "user_id": user_id}
            grade = models.PersistentSubsectionGrade.objects.select_for_update().filter(**lookup).first()
            if grade is None:
                SubsectionGradeFactory(user).update(block, force_update_subsections=True)
                grade = models.PersistentSubsectionGrade.objects.select_for_update().get(**lookup)
            chosen = {name: float(values[name]) for name in OVERRIDE_FIELDS if name in values}
            models.PersistentSubsectionGradeOverride.update_or_create_override(
                requesting_user=actor,
                subsection_grade_model=grade,
                feature=GRADEBOOK_FEATURE,
                comment=reason[:300],
                system=system,
                **chosen,
            )
            CourseGradeFactory().update(user, course_key=course_key)
        grade = models.PersistentSubsectionGrade.objects.select_related("override").get(pk=grade.pk)
        return _to_subsection_data(grade)

    # --- section grades breakdown and submission history ------------------

    def list_graded_enrollments(
        self, course_key: CourseKey | None, usernames: Sequence[str], cursor: CursorRequest
    ) -> CursorPage[GradedEnrollmentData]:
        """
        Active ``CourseEnrollment`` rows by id with their ``PersistentCourseGrade``; each page's breakdown by
        assignment type from ``CourseGradeFactory().read(user, course_key=...)`` (``summary["grade_breakdown"]``).
        """
        from lms.djangoapps.grades.api import CourseGradeFactory

        rows = _with_course_grade(_enrollments().filter(is_active=True), OuterRef("course_id"))
        if course_key is not None:
            rows = rows.filter(course_id=course_key)
        if usernames:
            rows = rows.filter(user__username__in=list(usernames))
        values, has_more = _slice(rows, "pk", cursor, ("pk", "course_id", *_LEARNER_COLUMNS))
        users: Any = get_user_model().objects
        by_id = users.in_bulk({row[2] for row in values})
        items = []
        factory = CourseGradeFactory()
        for pk, key, *learner_columns in values:
            learner = _to_learner(learner_columns)
            breakdown = to_course_grade_data(learner.user.id, factory.read(by_id[learner.user.id], course_key=key))
            items.append(
                GradedEnrollmentData(id=pk, course_key=key, learner=learner, breakdown=breakdown.section_breakdown)
            )
        return CursorPage(items=items, has_more=has_more)

    def get_problem_states(
        self, course_key: CourseKey, user_ids: Iterable[int]
    ) -> Mapping[int, Sequence[ProblemStateData]]:
        """The learners' ``StudentModule`` rows in the course, by student id then usage key."""
        from lms.djangoapps.courseware.models import StudentModule

        states: dict[int, list[ProblemStateData]] = defaultdict(list)
        rows = StudentModule.objects.filter(course_id=course_key, student_id__in=list(user_ids))
        for row in rows.order_by("student_id", "module_state_key"):
            states[row.student_id].append(student_module_data(row))
        return dict(states)
