"""
The gradebook of the built-in backend: subsection grades, their overrides with history, and the learner list.

Subsection grades are computed from ``ProblemState`` with the course's :class:`CourseGrader` (nothing
goes stale); an override (``SubsectionGradeOverride``) replaces the computed grade, each of its changes
is kept in ``SubsectionGradeOverrideHistory``, and the learner's ``CourseGrade`` is recomputed with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.db.models import Case, CharField, F, FilteredRelation, FloatField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Least
from django.utils import timezone
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
from ..exceptions import BlockNotFound
from .models import (
    CohortMembership,
    CourseAccessRole,
    CourseEnrollment,
    EnrollmentCount,
    ProblemState,
    SubsectionGradeOverride,
    SubsectionGradeOverrideHistory,
)
from .problem_state import CourseGrader, _to_state_data

#: Slack for comparing float grades with a percent bound.
_EPSILON = 1e-9

_LEARNER_COLUMNS = (
    "user_id",
    "user__username",
    "user__email",
    "user__builtin_profile__name",
    "user__first_name",
    "user__last_name",
    "user__is_active",
    "user__is_staff",
    "mode",
    "grade__percent",
    "grade__letter_grade",
    "grade__passed",
)


def _to_override_data(row: SubsectionGradeOverride) -> SubsectionOverrideData:
    return SubsectionOverrideData(
        id=row.pk,
        earned_all_override=row.earned_all_override,
        possible_all_override=row.possible_all_override,
        earned_graded_override=row.earned_graded_override,
        possible_graded_override=row.possible_graded_override,
        system=row.system,
        override_reason=row.override_reason,
        created=row.created,
        modified=row.modified,
    )


def _percent_bound(value: float | None, default: float) -> float:
    return (default if value is None else value) / 100


def _role_holders(course_key: CourseKey, roles: Sequence[str]) -> QuerySet:
    """The ids of the users holding one of ``roles`` (any with ``ALL_COURSE_ROLES``) in the course."""
    holders = CourseAccessRole.objects.filter(course_key=course_key)
    if ALL_COURSE_ROLES not in roles:
        holders = holders.filter(role__in=roles)
    return holders.values("user_id")


class BuiltinGradebookService:
    """Reads and overrides subsection grades; lists the gradebook's learners filtered, counted and sliced in SQL."""

    # --- the learner list -------------------------------------------------

    def _learners(self, course_key: CourseKey, filters: GradebookFilter) -> QuerySet[CourseEnrollment]:
        grade = FilteredRelation(
            "user__builtin_course_grades", condition=Q(user__builtin_course_grades__course_key=course_key)
        )
        rows = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).annotate(grade=grade)
        if filters.username:
            rows = rows.filter(user__username=filters.username)
        if filters.user_contains:
            rows = rows.filter(
                Q(user__username__icontains=filters.user_contains) | Q(user__email__icontains=filters.user_contains)
            )
        if filters.username_contains:
            rows = rows.filter(user__username__icontains=filters.username_contains)
        if filters.cohort_id is not None:
            members = CohortMembership.objects.filter(course_key=course_key, cohort_id=filters.cohort_id)
            rows = rows.filter(user_id__in=members.values("user_id"))
        if filters.enrollment_mode:
            rows = rows.filter(mode=filters.enrollment_mode)
        if filters.excluded_course_roles:
            rows = rows.exclude(user_id__in=_role_holders(course_key, filters.excluded_course_roles))
        if filters.course_grade_min is not None or filters.course_grade_max is not None:
            low = _percent_bound(filters.course_grade_min, 0)
            high = _percent_bound(filters.course_grade_max, 100)
            in_range = Q(grade__percent__gte=low - _EPSILON, grade__percent__lte=high + _EPSILON)
            rows = rows.filter(in_range | Q(grade__id__isnull=True) if low <= 0 else in_range)
        if filters.assignment is not None and (
            filters.assignment_grade_min is not None or filters.assignment_grade_max is not None
        ):
            rows = rows.filter(self._assignment_in_range(course_key, filters))
        return rows

    def _assignment_in_range(self, course_key: CourseKey, filters: GradebookFilter) -> Q:
        """Learners whose grade on ``filters.assignment`` (the override's when set) lies within the bounds."""
        low = _percent_bound(filters.assignment_grade_min, 0)
        high = _percent_bound(filters.assignment_grade_max, 100)
        grader = CourseGrader.for_course(course_key)
        pk = grader.subsection_pks.get(str(filters.assignment))
        overrides = SubsectionGradeOverride.objects.filter(
            course_key=course_key,
            usage_key=filters.assignment,
            earned_graded_override__isnull=False,
            possible_graded_override__isnull=False,
        )
        overridden = (
            overrides.annotate(
                share=Case(
                    When(
                        possible_graded_override__gt=0, then=F("earned_graded_override") / F("possible_graded_override")
                    ),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
            )
            .filter(share__gte=low - _EPSILON, share__lte=high + _EPSILON)
            .values("user_id")
        )
        if pk is None:
            return Q(user_id__in=overridden)
        weights = {key: problem.weight for key, problem in grader.problems.items() if problem.subsection_id == pk}
        possible = grader.possible.get(pk, 0.0)
        weight = Case(
            *[When(usage_key=key, then=Value(value)) for key, value in weights.items()],
            default=Value(0.0),
            output_field=FloatField(),
        )
        share = Case(
            When(
                max_score__gt=0,
                score__isnull=False,
                then=Least(F("score") / F("max_score"), Value(1.0), output_field=FloatField()),
            ),
            default=Value(0.0),
            output_field=FloatField(),
        )
        computed = (
            ProblemState.objects.filter(course_key=course_key, usage_key__in=list(weights))
            .exclude(user_id__in=overrides.values("user_id"))
            .values("user_id")
            .annotate(earned=Sum(weight * share, output_field=FloatField()))
        )
        if possible:
            computed = computed.filter(earned__gte=low * possible - _EPSILON, earned__lte=high * possible + _EPSILON)
        elif low > 0:
            computed = computed.none()
        return Q(user_id__in=overridden) | Q(user_id__in=computed.values("user_id"))

    def list_gradebook(
        self, course_key: CourseKey, filters: GradebookFilter, cursor: CursorRequest
    ) -> CursorPage[GradebookLearnerData]:
        rows = self._learners(course_key, filters)
        if cursor.before is not None:
            rows = rows.filter(user_id__lt=cursor.before).order_by("-user_id")
        else:
            if cursor.after is not None:
                rows = rows.filter(user_id__gt=cursor.after)
            rows = rows.order_by("user_id")
        values = list(rows.values_list(*_LEARNER_COLUMNS)[: cursor.limit + 1])
        has_more = len(values) > cursor.limit
        values = values[: cursor.limit]
        if cursor.before is not None:
            values.reverse()
        items = [
            GradebookLearnerData(
                user=UserData(
                    id=user_id,
                    username=username,
                    email=email,
                    full_name=name or f"{first_name} {last_name}".strip(),
                    is_active=is_active,
                    is_staff=is_staff,
                ),
                mode=mode,
                percent=percent or 0.0,
                letter_grade=letter_grade or None,
                passed=bool(passed),
            )
            for (
                user_id,
                username,
                email,
                name,
                first_name,
                last_name,
                is_active,
                is_staff,
                mode,
                percent,
                letter_grade,
                passed,
            ) in values
        ]
        return CursorPage(items=items, has_more=has_more)

    def count_gradebook(self, course_key: CourseKey, filters: GradebookFilter) -> int:
        by_mode_and_roles = GradebookFilter(
            enrollment_mode=filters.enrollment_mode, excluded_course_roles=filters.excluded_course_roles
        )
        if filters != by_mode_and_roles:
            return self._learners(course_key, filters).count()
        # The active enrollments the triggers count (of the mode), less the few enrolled holders of the
        # excluded roles: two small reads instead of a count of every enrollment of the course.
        counts = EnrollmentCount.objects.filter(course_key=course_key)
        enrolled = CourseEnrollment.objects.filter(course_key=course_key, is_active=True)
        if filters.enrollment_mode:
            counts = counts.filter(mode=filters.enrollment_mode)
            enrolled = enrolled.filter(mode=filters.enrollment_mode)
        total = counts.aggregate(total=Sum("active"))["total"] or 0
        if not filters.excluded_course_roles:
            return total
        return total - enrolled.filter(user_id__in=_role_holders(course_key, filters.excluded_course_roles)).count()

    # --- subsection grades ------------------------------------------------

    def get_subsection_grades(
        self, course_key: CourseKey, user_ids: Iterable[int]
    ) -> Mapping[int, Mapping[UsageKey, SubsectionGradeData]]:
        user_ids = list(user_ids)
        grader = CourseGrader.for_course(course_key)
        return self._grades(course_key, grader, user_ids)

    @staticmethod
    def _grades(
        course_key: CourseKey, grader: CourseGrader, user_ids: list[int]
    ) -> dict[int, dict[UsageKey, SubsectionGradeData]]:
        keys = {pk: key for key, pk in grader.subsection_pks.items()}
        # Each subsection's key parsed once for the page, not once per learner.
        usage_keys = {pk: UsageKey.from_string(text) for pk, text in keys.items()}
        scores: dict[int, list] = defaultdict(list)
        rows = (
            ProblemState.objects.filter(course_key=course_key, user_id__in=user_ids)
            .annotate(key=Cast("usage_key", CharField()))
            .values_list("user_id", "key", "score", "max_score")
        )
        for user_id, *score in rows:
            scores[user_id].append(tuple(score))
        overrides: dict[int, dict[str, SubsectionGradeOverride]] = defaultdict(dict)
        for row in SubsectionGradeOverride.objects.filter(course_key=course_key, user_id__in=user_ids):
            overrides[row.user_id][str(row.usage_key)] = row
        grades: dict[int, dict[UsageKey, SubsectionGradeData]] = {}
        for user_id in user_ids:
            earned = grader.subsection_earned(scores[user_id])
            attempted = {grader.problems[key].subsection_id for key, *_ in scores[user_id] if key in grader.problems}
            learner: dict[UsageKey, SubsectionGradeData] = {}
            for pk, text in keys.items():
                override = overrides[user_id].get(text)
                if pk not in attempted and override is None:
                    continue
                usage_key = usage_keys[pk]
                possible = grader.possible.get(pk, 0.0)
                points = round(earned.get(pk, 0.0), 4)
                learner[usage_key] = SubsectionGradeData(
                    user_id=user_id,
                    usage_key=usage_key,
                    earned_all=points,
                    possible_all=possible,
                    earned_graded=points,
                    possible_graded=possible,
                    attempted=pk in attempted,
                    override=_to_override_data(override) if override else None,
                )
            grades[user_id] = learner
        return grades

    def get_subsection_grade(self, course_key: CourseKey, usage_key: UsageKey, user_id: int) -> SubsectionGradeData:
        grader = CourseGrader.for_course(course_key)
        pk = grader.subsection_pks.get(str(usage_key))
        if pk is None:
            raise BlockNotFound(usage_key)
        grade = self._grades(course_key, grader, [user_id])[user_id].get(usage_key)
        if grade is not None:
            return grade
        possible = grader.possible.get(pk, 0.0)
        return SubsectionGradeData(user_id, usage_key, 0.0, possible, 0.0, possible, attempted=False)

    def list_override_history(
        self, course_key: CourseKey, usage_key: UsageKey, user_id: int, limit: int | None = None
    ) -> Sequence[SubsectionOverrideHistoryData]:
        rows = SubsectionGradeOverrideHistory.objects.filter(
            override__course_key=course_key, override__usage_key=usage_key, override__user_id=user_id
        ).select_related("history_user")
        if limit is None:
            selected = list(rows.order_by("history_date", "pk"))
        else:
            selected = list(rows.order_by("-history_date", "-pk")[: max(limit, 0)])
            selected.reverse()
        return [
            SubsectionOverrideHistoryData(
                history_id=row.pk,
                override_id=row.override_id,
                history_date=row.history_date,
                history_type=row.history_type,
                history_user_id=row.history_user_id,
                history_user=row.history_user.username if row.history_user else None,
                earned_all_override=row.earned_all_override,
                possible_all_override=row.possible_all_override,
                earned_graded_override=row.earned_graded_override,
                possible_graded_override=row.possible_graded_override,
                system=row.system,
                override_reason=row.override_reason,
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
        with transaction.atomic():
            grade = self.get_subsection_grade(course_key, usage_key, user_id)
            computed = {
                "earned_all_override": grade.earned_all,
                "possible_all_override": grade.possible_all,
                "earned_graded_override": grade.earned_graded,
                "possible_graded_override": grade.possible_graded,
            }
            chosen = {name: float(values[name]) if name in values else computed[name] for name in OVERRIDE_FIELDS}
            row = (
                SubsectionGradeOverride.objects.select_for_update()
                .filter(course_key=course_key, usage_key=usage_key, user_id=user_id)
                .first()
            )
            history_type = "~" if row else "+"
            if row is None:
                row = SubsectionGradeOverride(course_key=course_key, usage_key=usage_key, user_id=user_id)
            for name, value in chosen.items():
                setattr(row, name, value)
            row.system = system
            row.override_reason = reason[:300]
            row.save()
            SubsectionGradeOverrideHistory.objects.create(
                override=row,
                system=system,
                override_reason=row.override_reason,
                history_type=history_type,
                history_user_id=actor_id,
                history_date=timezone.now(),
                **chosen,
            )
            CourseGrader.for_course(course_key).save_grades(course_key, [user_id])
        return self.get_subsection_grade(course_key, usage_key, user_id)

    # --- section grades breakdown and submission history ------------------

    def list_graded_enrollments(
        self, course_key: CourseKey | None, usernames: Sequence[str], cursor: CursorRequest
    ) -> CursorPage[GradedEnrollmentData]:
        grade = FilteredRelation(
            "user__builtin_course_grades", condition=Q(user__builtin_course_grades__course_key=F("course_key"))
        )
        rows = CourseEnrollment.objects.filter(is_active=True).annotate(grade=grade)
        if course_key is not None:
            rows = rows.filter(course_key=course_key)
        if usernames:
            rows = rows.filter(user__username__in=list(usernames))
        if cursor.before is not None:
            rows = rows.filter(pk__lt=cursor.before).order_by("-pk")
        else:
            if cursor.after is not None:
                rows = rows.filter(pk__gt=cursor.after)
            rows = rows.order_by("pk")
        columns = ("pk", "course_key", *_LEARNER_COLUMNS, "grade__breakdown")
        values = list(rows.values_list(*columns)[: cursor.limit + 1])
        has_more = len(values) > cursor.limit
        values = values[: cursor.limit]
        if cursor.before is not None:
            values.reverse()
        items = []
        for pk, key, user_id, username, email, name, first, last, active, staff, mode, *grade_columns in values:
            percent, letter_grade, passed, breakdown = grade_columns
            user = UserData(
                id=user_id,
                username=username,
                email=email,
                full_name=name or f"{first} {last}".strip(),
                is_active=active,
                is_staff=staff,
            )
            learner = GradebookLearnerData(
                user=user, mode=mode, percent=percent or 0.0, letter_grade=letter_grade or None, passed=bool(passed)
            )
            items.append(GradedEnrollmentData(id=pk, course_key=key, learner=learner, breakdown=breakdown or {}))
        return CursorPage(items=items, has_more=has_more)

    def get_problem_states(
        self, course_key: CourseKey, user_ids: Iterable[int]
    ) -> Mapping[int, Sequence[ProblemStateData]]:
        states: dict[int, list[ProblemStateData]] = defaultdict(list)
        rows = ProblemState.objects.filter(course_key=course_key, user_id__in=list(user_ids)).order_by(
            "user_id", "usage_key"
        )
        for row in rows:
            states[row.user_id].append(_to_state_data(row))
        return dict(states)
