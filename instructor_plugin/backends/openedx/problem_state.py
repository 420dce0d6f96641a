"""
Learner state on problems (the LMS's ``StudentModule``) and course grades (the grades API).

Reset, delete, rescore and score override run the per-learner functions of the LMS's instructor
tasks (``lms.djangoapps.instructor_task.tasks_helper.module_state``) on the learner's
``StudentModule``, in the request instead of in a task; the course grade is then recomputed with
``CourseGradeFactory().update``, which the LMS otherwise does in its grade-signal task.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from opaque_keys.edx.keys import CourseKey, UsageKey

from ..data import CourseGradeData, ProblemStateData, ScoreChangeData
from ..exceptions import StateNotFound

#: How many rows a stream reads per query.
CHUNK = 2000


def _student_modules() -> Any:
    from lms.djangoapps.courseware.models import StudentModule

    return StudentModule.objects


def _parse_state(text: str | None) -> dict[str, object]:
    """The JSON ``StudentModule.state``; an unreadable one reads as empty (the LMS treats it so too)."""
    try:
        state = json.loads(text) if text else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def _by_learner_then_problem(rows: QuerySet, columns: Sequence[str]) -> Iterator[list[tuple]]:
    """``columns`` (the student id and key first) of ``rows`` by student id then key, ``CHUNK`` rows a query."""
    last: tuple[int, UsageKey] | None = None
    while True:
        window = rows
        if last is not None:
            user_id, key = last
            window = rows.filter(student_id__gte=user_id).exclude(student_id=user_id, module_state_key__lte=key)
        chunk = list(window.order_by("student_id", "module_state_key").values_list(*columns)[:CHUNK])
        yield chunk
        if len(chunk) < CHUNK:
            return
        last = (chunk[-1][0], chunk[-1][1])


def _to_state_data(user_id: int, usage_key: UsageKey, text: str | None, grade, max_grade, modified) -> ProblemStateData:
    state = _parse_state(text)
    attempts = state.get("attempts")
    return ProblemStateData(
        user_id=user_id,
        usage_key=usage_key,
        attempts=attempts if isinstance(attempts, int) else 0,
        score=grade,
        max_score=max_grade,
        state=state,
        modified=modified,
    )


def student_module_data(row: Any) -> ProblemStateData:
    return _to_state_data(row.student_id, row.module_state_key, row.state, row.grade, row.max_grade, row.modified)


def to_course_grade_data(user_id: int, course_grade: Any) -> CourseGradeData:
    """The boundary record of a grades-API ``CourseGrade`` (its breakdown from ``summary["grade_breakdown"]``)."""
    breakdown = (course_grade.summary or {}).get("grade_breakdown") or {}
    return CourseGradeData(
        user_id=user_id,
        percent=course_grade.percent,
        letter_grade=course_grade.letter_grade or None,
        passed=bool(course_grade.passed),
        section_breakdown={name: float(entry.get("percent", 0.0)) for name, entry in breakdown.items()},
    )


def _recompute_grade(course_key: CourseKey, user: Any) -> CourseGradeData:
    """``CourseGradeFactory().update(user, course_key=..., force_update_subsections=True)``."""
    from lms.djangoapps.grades.api import CourseGradeFactory

    grade = CourseGradeFactory().update(user, course_key=course_key, force_update_subsections=True)
    return to_course_grade_data(user.pk, grade)


def _problem_block(usage_key: UsageKey) -> Any:
    """``modulestore().get_item(usage_key)``: the block the module-state functions are handed."""
    from xmodule.modulestore.django import modulestore

    return modulestore().get_item(usage_key)


class OpenedxProblemStateService:
    """``courseware.StudentModule`` rows, changed through the instructor tasks' module-state functions."""

    @staticmethod
    def _locked_row(course_key: CourseKey, usage_key: UsageKey, user_id: int) -> Any:
        row = (
            _student_modules()
            .select_for_update()
            .select_related("student")
            .filter(course_id=course_key, module_state_key=usage_key, student_id=user_id)
            .first()
        )
        if row is None:
            raise StateNotFound(usage_key, user_id)
        return row

    def get_state(self, course_key: CourseKey, usage_key: UsageKey, user_id: int) -> ProblemStateData | None:
        """The learner's ``StudentModule`` on the problem; ``attempts`` is read from its JSON state."""
        row = _student_modules().filter(course_id=course_key, module_state_key=usage_key, student_id=user_id).first()
        return student_module_data(row) if row else None

    @transaction.atomic
    def reset_attempts(self, course_key: CourseKey, usage_key: UsageKey, user_id: int) -> ProblemStateData:
        """``module_state.reset_attempts_module_state(None, block, student_module, {})``: attempts to 0."""
        from lms.djangoapps.instructor_task.tasks_helper.module_state import reset_attempts_module_state

        row = self._locked_row(course_key, usage_key, user_id)
        reset_attempts_module_state(None, _problem_block(usage_key), row, {})
        return student_module_data(row)

    @transaction.atomic
    def delete_state(self, course_key: CourseKey, usage_key: UsageKey, user_id: int) -> ScoreChangeData:
        """``module_state.delete_problem_module_state(None, block, student_module, {})``, then the course grade."""
        from lms.djangoapps.instructor_task.tasks_helper.module_state import delete_problem_module_state

        row = self._locked_row(course_key, usage_key, user_id)
        previous, max_score, student = row.grade, row.max_grade, row.student
        delete_problem_module_state(None, _problem_block(usage_key), row, {})
        grade = _recompute_grade(course_key, student)
        return ScoreChangeData(user_id, usage_key, previous, None, max_score, course_grade=grade)

    def rescore(
        self, course_key: CourseKey, usage_key: UsageKey, user_id: int, only_if_higher: bool
    ) -> ScoreChangeData:
        """``module_state.rescore_problem_module_state(None, block, student_module, {"only_if_higher": ...})``."""
        changes = self.rescore_many(course_key, usage_key, [user_id], only_if_higher)
        if user_id not in changes:
            raise StateNotFound(usage_key, user_id)
        return changes[user_id]

    @transaction.atomic
    def rescore_many(
        self, course_key: CourseKey, usage_key: UsageKey, user_ids: Iterable[int], only_if_higher: bool
    ) -> Mapping[int, ScoreChangeData]:
        """
        :meth:`rescore` for each learner holding a ``StudentModule``; the course grade is recomputed for
        those whose score changed.
        """
        from lms.djangoapps.instructor_task.tasks_helper.module_state import rescore_problem_module_state

        rows = list(
            _student_modules()
            .select_for_update()
            .select_related("student")
            .filter(course_id=course_key, module_state_key=usage_key, student_id__in=list(user_ids))
            .order_by("student_id")
        )
        block = _problem_block(usage_key) if rows else None
        changes = {}
        for row in rows:
            previous = row.grade
            rescore_problem_module_state(None, block, row, {"only_if_higher": only_if_higher})
            grade = _recompute_grade(course_key, row.student) if row.grade != previous else None
            changes[row.student_id] = ScoreChangeData(
                row.student_id, usage_key, previous, row.grade, row.max_grade, course_grade=grade
            )
        return changes

    @transaction.atomic
    def override_score(self, course_key: CourseKey, usage_key: UsageKey, user_id: int, score: float) -> ScoreChangeData:
        """
        ``module_state.override_score_module_state(None, block, student_module, {"score": score})``, then the
        course grade; its ``UpdateProblemModuleStateError`` (a score out of range) becomes ``ValueError``.
        """
        from lms.djangoapps.instructor_task.exceptions import UpdateProblemModuleStateError
        from lms.djangoapps.instructor_task.tasks_helper.module_state import override_score_module_state

        row = self._locked_row(course_key, usage_key, user_id)
        previous = row.grade
        try:
            override_score_module_state(None, _problem_block(usage_key), row, {"score": score})
        except UpdateProblemModuleStateError as error:
            raise ValueError(str(error)) from error
        grade = _recompute_grade(course_key, row.student)
        return ScoreChangeData(user_id, usage_key, previous, row.grade, row.max_grade, course_grade=grade)

    def iter_learners_with_state(self, course_key: CourseKey, usage_key: UsageKey) -> Iterator[int]:
        """Student ids of the problem's ``StudentModule`` rows, ascending, ``CHUNK`` per query."""
        rows = _student_modules().filter(course_id=course_key, module_state_key=usage_key)
        last = None
        while True:
            window = rows if last is None else rows.filter(student_id__gt=last)
            chunk = list(window.order_by("student_id").values_list("student_id", flat=True)[:CHUNK])
            yield from chunk
            if len(chunk) < CHUNK:
                return
            last = chunk[-1]

    def iter_course_grades(self, course_key: CourseKey) -> Iterator[CourseGradeData]:
        """
        ``CourseGradeFactory().iter(users, course_key=...)`` over the actively enrolled users
        (``CourseEnrollment``), ``CHUNK`` users at a time by id; a grade the LMS fails to compute raises.
        """
        from common.djangoapps.student.models import CourseEnrollment
        from lms.djangoapps.grades.api import CourseGradeFactory

        users: Any = get_user_model().objects
        enrolled = CourseEnrollment.objects.filter(course_id=course_key, is_active=True)
        last = 0
        while True:
            user_ids = list(
                enrolled.filter(user_id__gt=last).order_by("user_id").values_list("user_id", flat=True)[:CHUNK]
            )
            chunk = list(users.filter(pk__in=user_ids).order_by("pk"))
            for result in CourseGradeFactory().iter(chunk, course_key=course_key):
                if result.error is not None:
                    raise result.error
                grade = to_course_grade_data(result.student.pk, result.course_grade)
                yield replace(grade, username=result.student.username, email=result.student.email)
            if len(user_ids) < CHUNK:
                return
            last = user_ids[-1]

    def iter_course_grade_rows(
        self, course_key: CourseKey, assignment_types: Sequence[str]
    ) -> Iterator[Sequence[object]]:
        """:meth:`iter_course_grades` cut to the report's columns."""
        for grade in self.iter_course_grades(course_key):
            breakdown = grade.section_breakdown
            yield (
                grade.user_id,
                grade.email,
                grade.username,
                grade.percent,
                grade.letter_grade,
                grade.passed,
                *(breakdown.get(kind) for kind in assignment_types),
            )

    def iter_problem_states(
        self, course_key: CourseKey, usage_keys: Sequence[UsageKey] | None = None
    ) -> Iterator[ProblemStateData]:
        """The course's ``StudentModule`` rows (of these problems only when given), by student id then key."""
        rows = _student_modules().filter(course_id=course_key)
        if usage_keys is not None:
            rows = rows.filter(module_state_key__in=list(usage_keys))
        columns = ("student_id", "module_state_key", "state", "grade", "max_grade", "modified")
        for chunk in _by_learner_then_problem(rows, columns):
            for row in chunk:
                yield _to_state_data(*row)

    def iter_problem_scores(
        self, course_key: CourseKey, usage_keys: Sequence[UsageKey]
    ) -> Iterator[tuple[int, UsageKey, float | None, float | None]]:
        """The ``StudentModule`` rows of these problems as ``(student id, key, grade, max grade)``, in that order."""
        rows = _student_modules().filter(course_id=course_key, module_state_key__in=list(usage_keys))
        for chunk in _by_learner_then_problem(rows, ("student_id", "module_state_key", "grade", "max_grade")):
            yield from chunk

    def iter_problem_response_rows(
        self, course_key: CourseKey, usage_keys: Sequence[UsageKey]
    ) -> Iterator[Sequence[object]]:
        """:meth:`iter_problem_states` with the learners' usernames (their ids when gone), chunk by chunk."""
        states = self.iter_problem_states(course_key, usage_keys)
        while chunk := list(islice(states, CHUNK)):
            users = get_user_model().objects.filter(pk__in={state.user_id for state in chunk})
            usernames = dict(users.values_list("pk", "username"))
            for state in chunk:
                username = usernames.get(state.user_id, str(state.user_id))
                yield (username, str(state.usage_key), state.attempts, state.score, state.max_score, state.state)
