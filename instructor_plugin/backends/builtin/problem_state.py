"""
Learner state on problems and course grades, from the ``ProblemState`` and ``CourseGrade`` tables.

Every score change recomputes the learner's ``CourseGrade`` with :class:`CourseGrader`, a
compact version of Open edX's weighted subsection grader.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import CharField, ExpressionWrapper, F, FilteredRelation, Q, QuerySet, TextField
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey, UsageKey

from ..data import CourseGradeData, ProblemStateData, ScoreChangeData
from ..exceptions import CourseNotFound, StateNotFound
from ..rows import stored_datetime, stored_json, upsert_rows
from .compiled import CompiledQuery
from .courses import course_row
from .models import (
    ENROLLMENT_KEYSET,
    Block,
    Course,
    CourseEnrollment,
    CourseGrade,
    ProblemState,
    SubsectionGradeOverride,
)
from .streaming import keyset_chunks, keyset_stream, streams_through_a_cursor, through_index

#: ``(usage key as text, score, max score)`` of one learner on one problem.
ProblemScore = tuple[str, float | None, float | None]
#: ``(earned, possible)`` graded points an override gives a subsection.
GradedOverride = tuple[float, float]
_HISTORY_KEYS = ("score_history", "correct_map_history", "student_answers_history")


def _to_state_data(row: ProblemState) -> ProblemStateData:
    return ProblemStateData(
        user_id=row.user_id,
        usage_key=row.usage_key,
        attempts=row.attempts,
        score=row.score,
        max_score=row.max_score,
        state=row.state or {},
        modified=row.modified,
    )


def _to_grade_data(row: CourseGrade) -> CourseGradeData:
    return CourseGradeData(
        user_id=row.user_id,
        percent=row.percent,
        letter_grade=row.letter_grade or None,
        passed=row.passed,
        section_breakdown=row.breakdown or {},
    )


def graded_score(state: Mapping[str, object], max_score: float | None) -> float | None:
    """The score the saved answers earn: the share of ``correct_map`` entries marked correct, times the maximum."""
    correct_map = state.get("correct_map") or {}
    if not isinstance(correct_map, Mapping) or not correct_map or max_score is None:
        return None
    correct = sum(
        1 for entry in correct_map.values() if isinstance(entry, Mapping) and entry.get("correctness") == "correct"
    )
    return round(max_score * correct / len(correct_map), 4)


class GraderBlock(NamedTuple):
    """What grading reads of a block: its key as text, never parsed (parsing 60 keys cost a gradebook page 2.5 ms)."""

    pk: int
    parent_id: int | None
    usage_key: str
    graded: bool
    assignment_type: str
    has_score: bool
    weight: float | None


@dataclass(frozen=True)
class _GradedProblem:
    subsection_id: int
    assignment_type: str
    weight: float


def _grader_blocks(course_pk: int):
    return (
        Block.objects.filter(course_id=course_pk)
        .order_by("position")
        .annotate(key=Cast("usage_key", CharField()))
        .values_list("pk", "parent_id", "key", "graded", "assignment_type", "has_score", "weight")
    )


#: Every score change and gradebook page reads the course's blocks as grading does: compiled once.
_GRADER_BLOCKS = CompiledQuery(_grader_blocks, [1], [2])


def grader_blocks(course: Course) -> list[GraderBlock]:
    """The course's blocks in course order, as grading reads them."""
    return [GraderBlock(*row) for row in _GRADER_BLOCKS.rows(course.pk)]


class CourseGrader:
    """
    Grade learners of one course from their problem scores.

    A graded subsection's percent is its problems' weighted earned share; each ``GRADER``
    entry averages its type's subsections (missing ones count 0 up to ``min_count``,
    the ``drop_count`` lowest are dropped), and the course percent is the weighted sum,
    with the letter of the highest ``GRADE_CUTOFFS`` threshold reached.
    """

    def __init__(self, course: Course, blocks: Sequence[GraderBlock]):
        policy = course.grading_policy or {}
        self.graders = [grader for grader in policy.get("GRADER", []) if grader.get("type")]
        self.cutoffs = sorted(policy.get("GRADE_CUTOFFS", {}).items(), key=lambda item: item[1], reverse=True)
        by_id: dict[int | None, GraderBlock] = {block.pk: block for block in blocks}
        self.subsections: dict[str, list[int]] = defaultdict(list)
        self.problems: dict[str, _GradedProblem] = {}
        #: Graded subsection usage key (as text) -> its block's primary key.
        self.subsection_pks: dict[str, int] = {}
        for block in blocks:
            if block.graded and block.assignment_type and not block.has_score:
                self.subsections[block.assignment_type].append(block.pk)
                self.subsection_pks[block.usage_key] = block.pk
        for block in blocks:
            if not (block.has_score and block.graded):
                continue
            ancestor = by_id.get(block.parent_id)
            while ancestor is not None and not (ancestor.graded and ancestor.assignment_type):
                ancestor = by_id.get(ancestor.parent_id)
            if ancestor is not None:
                weight = block.weight if block.weight is not None else 1.0
                self.problems[block.usage_key] = _GradedProblem(ancestor.pk, ancestor.assignment_type, weight)

        self.possible: dict[int, float] = defaultdict(float)
        for problem in self.problems.values():
            self.possible[problem.subsection_id] += problem.weight

    @classmethod
    def for_course(cls, course_key: CourseKey) -> CourseGrader:
        course = course_row(course_key)
        if course is None:
            raise CourseNotFound(course_key)
        return cls(course, grader_blocks(course))

    def subsection_earned(self, scores: Iterable[ProblemScore]) -> dict[int, float]:
        """What the learner earned per graded subsection (by block primary key) from their problem scores."""
        earned: dict[int, float] = defaultdict(float)
        for usage_key, score, max_score in scores:
            problem = self.problems.get(usage_key)
            if problem and score is not None and max_score:
                earned[problem.subsection_id] += problem.weight * min(score / max_score, 1.0)
        return earned

    def grade(
        self,
        course_key: CourseKey,
        user_id: int,
        scores: Iterable[ProblemScore],
        overrides: Mapping[str, GradedOverride] | None = None,
    ) -> CourseGrade:
        """
        The learner's unsaved ``CourseGrade`` row, from their ``(usage key, score, max score)`` in this course.

        ``overrides`` (subsection usage key as text -> graded earned, possible) replace computed subsection grades.
        """
        earned = self.subsection_earned(scores)
        possible: Mapping[int, float] = self.possible
        if overrides:
            possible = defaultdict(float, possible)
            for usage_key, (override_earned, override_possible) in overrides.items():
                pk = self.subsection_pks.get(usage_key)
                if pk is not None:
                    earned[pk] = override_earned
                    possible[pk] = override_possible
        breakdown = {}
        percent = 0.0
        for grader in self.graders:
            assignment_type = grader["type"]
            percents = sorted(
                earned[pk] / possible[pk] if possible[pk] else 0.0 for pk in self.subsections.get(assignment_type, [])
            )
            percents = [0.0] * max(int(grader.get("min_count", 0)) - len(percents), 0) + percents
            drop_count = int(grader.get("drop_count", 0))
            kept = percents[drop_count:] if len(percents) > drop_count else []
            type_percent = sum(kept) / len(kept) if kept else 0.0
            breakdown[assignment_type] = round(type_percent, 4)
            percent += float(grader.get("weight", 0)) * type_percent
        percent = round(percent, 2)
        letter = next((letter for letter, cutoff in self.cutoffs if percent >= cutoff), "")
        return CourseGrade(
            user_id=user_id,
            course_key=course_key,
            percent=percent,
            letter_grade=letter,
            passed=bool(letter),
            breakdown=breakdown,
        )

    def save_grades(self, course_key: CourseKey, user_ids: Iterable[int]) -> dict[int, CourseGradeData]:
        """Recompute and upsert the grades of these learners in one read and one write."""
        user_ids = list(user_ids)
        scores: dict[int, list[ProblemScore]] = defaultdict(list)
        rows = (
            ProblemState.objects.filter(course_key=course_key, user_id__in=user_ids)
            .annotate(key=Cast("usage_key", CharField()))
            .values_list("user_id", "key", "score", "max_score")
        )
        for user_id, *score in rows:
            scores[user_id].append(tuple(score))
        overrides = graded_overrides(course_key, user_ids)
        grades = [self.grade(course_key, user_id, scores[user_id], overrides.get(user_id)) for user_id in user_ids]
        course, now = str(course_key), stored_datetime(CourseGrade, timezone.now())
        upsert_rows(
            CourseGrade,
            ("course_key", "user", "percent", "letter_grade", "passed", "breakdown", "modified"),
            ("course_key", "user"),
            (
                (
                    course,
                    grade.user_id,
                    grade.percent,
                    grade.letter_grade,
                    grade.passed,
                    stored_json(CourseGrade, grade.breakdown),
                    now,
                )
                for grade in grades
            ),
        )
        return {grade.user_id: _to_grade_data(grade) for grade in grades}


class BuiltinProblemStateService:
    """Reads and changes learner state; every score change saves the learner's course grade."""

    def get_state(self, course_key: CourseKey, usage_key: UsageKey, user_id: int) -> ProblemStateData | None:
        row = ProblemState.objects.filter(course_key=course_key, usage_key=usage_key, user_id=user_id).first()
        return _to_state_data(row) if row else None

    @staticmethod
    def _get_row(course_key: CourseKey, usage_key: UsageKey, user_id: int) -> ProblemState:
        row = (
            ProblemState.objects.select_for_update()
            .filter(course_key=course_key, usage_key=usage_key, user_id=user_id)
            .first()
        )
        if row is None:
            raise StateNotFound(usage_key, user_id)
        return row

    def reset_attempts(self, course_key: CourseKey, usage_key: UsageKey, user_id: int) -> ProblemStateData:
        row = self._get_row(course_key, usage_key, user_id)
        row.attempts = 0
        row.state = {**(row.state or {}), **{key: [] for key in _HISTORY_KEYS}, "attempts": 0}
        row.save(update_fields=["attempts", "state", "modified"])
        return _to_state_data(row)

    def delete_state(self, course_key: CourseKey, usage_key: UsageKey, user_id: int) -> ScoreChangeData:
        row = self._get_row(course_key, usage_key, user_id)
        deleted = _to_state_data(row)
        row.delete()
        grade = CourseGrader.for_course(course_key).save_grades(course_key, [user_id])[user_id]
        return ScoreChangeData(user_id, usage_key, deleted.score, None, deleted.max_score, course_grade=grade)

    def rescore(
        self, course_key: CourseKey, usage_key: UsageKey, user_id: int, only_if_higher: bool
    ) -> ScoreChangeData:
        changes = self.rescore_many(course_key, usage_key, [user_id], only_if_higher)
        if user_id not in changes:
            raise StateNotFound(usage_key, user_id)
        return changes[user_id]

    def rescore_many(
        self, course_key: CourseKey, usage_key: UsageKey, user_ids: Iterable[int], only_if_higher: bool
    ) -> Mapping[int, ScoreChangeData]:
        """Rescore these learners in a handful of queries; learners without state are left out."""
        rows = list(
            ProblemState.objects.select_for_update()
            .filter(course_key=course_key, usage_key=usage_key, user_id__in=list(user_ids))
            .order_by("user_id")
            .values_list("pk", "user_id", "score", "max_score", "state")
        )
        by_score: dict[float | None, list[int]] = defaultdict(list)
        new_scores = {}
        for pk, user_id, score, max_score, state in rows:
            new_score = graded_score(state or {}, max_score)
            if new_score is None or (only_if_higher and score is not None and score >= new_score):
                new_score = score
            new_scores[user_id] = new_score
            if new_score != score:
                by_score[new_score].append(pk)
        now = timezone.now()
        for score, pks in by_score.items():
            ProblemState.objects.filter(pk__in=pks).update(score=score, modified=now)
        changed = [user_id for _, user_id, score, _, _ in rows if new_scores[user_id] != score]
        grades = CourseGrader.for_course(course_key).save_grades(course_key, changed)
        return {
            user_id: ScoreChangeData(
                user_id, usage_key, score, new_scores[user_id], max_score, course_grade=grades.get(user_id)
            )
            for _, user_id, score, max_score, _ in rows
        }

    def override_score(self, course_key: CourseKey, usage_key: UsageKey, user_id: int, score: float) -> ScoreChangeData:
        row = self._get_row(course_key, usage_key, user_id)
        check_score(score, row.max_score)
        previous = row.score
        row.score = score
        row.save(update_fields=["score", "modified"])
        grade = CourseGrader.for_course(course_key).save_grades(course_key, [user_id])[user_id]
        return ScoreChangeData(user_id, usage_key, previous, score, row.max_score, course_grade=grade)

    def iter_learners_with_state(self, course_key: CourseKey, usage_key: UsageKey) -> Iterator[int]:
        rows = ProblemState.objects.filter(course_key=course_key, usage_key=usage_key)
        return (user_id for (user_id,) in keyset_stream(rows, ["user_id"], ["user_id"]))

    def iter_course_grades(self, course_key: CourseKey) -> Iterator[CourseGradeData]:
        rows = _enrollments_with_grades(course_key)
        columns = [
            "user_id",
            "grade__percent",
            "grade__letter_grade",
            "grade__passed",
            "grade__breakdown",
            "username",
            "user__email",
        ]
        for user_id, percent, letter_grade, passed, breakdown, username, email in keyset_stream(
            rows, ["user_id"], columns, index=ENROLLMENT_KEYSET
        ):
            yield CourseGradeData(
                user_id=user_id,
                percent=percent or 0.0,
                letter_grade=letter_grade or None,
                passed=bool(passed),
                section_breakdown=breakdown or {},
                username=username,
                email=email,
            )

    def iter_course_grade_rows(
        self, course_key: CourseKey, assignment_types: Sequence[str]
    ) -> Iterator[Sequence[object]]:
        kinds = tuple(assignment_types)
        if streams_through_a_cursor(CourseEnrollment.objects.all()):
            return _joined_grade_rows(course_key, kinds)
        return _grade_rows_by_range(course_key, kinds)

    def iter_problem_states(
        self, course_key: CourseKey, usage_keys: Sequence[UsageKey] | None = None
    ) -> Iterator[ProblemStateData]:
        parsed: dict[str, UsageKey] = {str(key): key for key in usage_keys or ()}
        columns = ["user_id", "location", "attempts", "score", "max_score", "state", "modified"]
        for user_id, location, attempts, score, max_score, state, modified in keyset_stream(
            _states_with_location(course_key, usage_keys), ["user_id", "location"], columns, index=_STATE_KEYSET
        ):
            usage_key = parsed.get(location)
            if usage_key is None:
                usage_key = parsed[location] = UsageKey.from_string(location)
            yield ProblemStateData(user_id, usage_key, attempts, score, max_score, state or {}, modified)

    def iter_problem_scores(
        self, course_key: CourseKey, usage_keys: Sequence[UsageKey]
    ) -> Iterator[tuple[int, UsageKey, float | None, float | None]]:
        parsed = {str(key): key for key in usage_keys}
        columns = ["user_id", "location", "score", "max_score"]
        for user_id, location, score, max_score in keyset_stream(
            _states_with_location(course_key, usage_keys), ["user_id", "location"], columns, index=_STATE_KEYSET
        ):
            yield (user_id, parsed[location], score, max_score)

    def iter_problem_response_rows(
        self, course_key: CourseKey, usage_keys: Sequence[UsageKey]
    ) -> Iterator[Sequence[object]]:
        # The state read as text too: no JSONField converter, no modification time converted; the state
        # decoded without json.loads' checks.
        rows = _states_with_location(course_key, usage_keys).annotate(
            state_text=ExpressionWrapper(F("state"), output_field=TextField())
        )
        columns = ["user__username", "location", "attempts", "score", "max_score", "state_text"]
        for username, location, attempts, score, max_score, state in keyset_stream(
            rows, ["user_id", "location"], columns, _RESPONSE_ROWS_CHUNK, _STATE_KEYSET
        ):
            yield (username, location, attempts, score, max_score, _decode_json(state)[0] if state else {})


#: Learners per chunk of :meth:`BuiltinProblemStateService.iter_course_grade_rows` (two queries a chunk: every
#: query costs the database another plan and start-up).
_GRADE_ROWS_CHUNK = 10_000
#: The index problem states are streamed in the order of: course, learner, problem.
_STATE_KEYSET = "ipb_problem_state_keyset"
#: States per query of :meth:`BuiltinProblemStateService.iter_problem_response_rows`.
_RESPONSE_ROWS_CHUNK = 5000

#: ``json.loads`` without its checks of the text's type and surrounding blanks (none around the database's).
_decode_json = json.JSONDecoder().raw_decode


@functools.lru_cache(maxsize=4096)
def _breakdown_members(text: str, kinds: tuple[str, ...]) -> tuple:
    """The values of ``kinds`` in the breakdown's JSON ``text`` (``None`` when absent), decoded once per text."""
    breakdown = _decode_json(text)[0] or {}
    return tuple(breakdown.get(kind) for kind in kinds)


def _enrollments_with_grades(course_key: CourseKey) -> QuerySet:
    """The course's active enrollments with ``grade``, the learner's course grade row (if any)."""
    grade = FilteredRelation(
        "user__builtin_course_grades", condition=Q(user__builtin_course_grades__course_key=course_key)
    )
    return CourseEnrollment.objects.filter(course_key=course_key, is_active=True).annotate(grade=grade)


def _states_with_location(course_key: CourseKey, usage_keys: Sequence[UsageKey] | None) -> QuerySet:
    """
    The course's states (on ``usage_keys`` only, when given) with ``location``, their usage key read as text:
    the same column, in the keyset index's order, parsed once per problem rather than once per row (parsing
    a usage key was most of a problem-responses report's time).
    """
    rows = ProblemState.objects.filter(course_key=course_key)
    if usage_keys is not None:
        rows = rows.filter(usage_key__in=list(usage_keys))
    return rows.annotate(location=ExpressionWrapper(F("usage_key"), output_field=CharField()))


def _grade_columns(prefix: str, kinds: tuple[str, ...]) -> list[str | Combinable]:
    """A grade row's account and grade columns, the grade's named through ``prefix``; its breakdown as text."""
    columns: list[str | Combinable] = [
        "user_id",
        "user__email",
        "user__username",
        f"{prefix}percent",
        f"{prefix}letter_grade",
        f"{prefix}passed",
    ]
    if kinds:
        # The breakdown read as text and decoded once per distinct text: a course's grades repeat a few.
        columns.append(ExpressionWrapper(F(f"{prefix}breakdown"), output_field=TextField()))
    return columns


def _joined_grade_rows(course_key: CourseKey, kinds: tuple[str, ...]) -> Iterator[Sequence[object]]:
    """
    The grade rows of one query through a cursor: the enrollments merge-joined with their accounts and grades.

    Reading a grade range per chunk instead, PostgreSQL hashed every account for each chunk's join.
    """
    ungraded = (None,) * (3 + len(kinds))
    rows = keyset_stream(_enrollments_with_grades(course_key), ["user_id"], _grade_columns("grade__", kinds))
    for row in rows:
        if row[3] is None:  # No grade row: a grade's percent is never null.
            yield (*row[:3], *ungraded)
        elif kinds:
            yield (*row[:6], *_breakdown_members(row[6], kinds))
        else:
            yield row


def _grade_rows_by_range(course_key: CourseKey, kinds: tuple[str, ...]) -> Iterator[Sequence[object]]:
    """
    The grade rows of the enrolled learners' ids a chunk at a time, then of the grades in the chunk's id range
    with their accounts: an index range each, where joining every enrollment to its grade through the
    grade's (course, user) index cost MariaDB twice the database time.
    """
    enrolled = CourseEnrollment.objects.filter(course_key=course_key, is_active=True)
    grades = through_index(CourseGrade.objects.filter(course_key=course_key), "ipb_unique_course_grade")
    columns = _grade_columns("", kinds)
    ungraded = (None,) * (3 + len(kinds))
    for chunk in keyset_chunks(enrolled, ["user_id"], ["user_id"], _GRADE_ROWS_CHUNK, ENROLLMENT_KEYSET):
        in_range = grades.filter(user_id__gte=chunk[0][0], user_id__lte=chunk[-1][0]).values_list(*columns)
        if kinds:
            rows = {row[0]: (*row[:6], *_breakdown_members(row[6], kinds)) for row in in_range}
        else:
            rows = {row[0]: row for row in in_range}
        never_graded = [user_id for (user_id,) in chunk if user_id not in rows]
        if never_graded:
            accounts = get_user_model().objects.filter(pk__in=never_graded).values_list("pk", "email", "username")
            rows.update((user_id, (user_id, email, username, *ungraded)) for user_id, email, username in accounts)
        for (user_id,) in chunk:
            # A learner whose account went between the two reads has none.
            yield rows.get(user_id) or (user_id, None, None, *ungraded)


def check_score(score: float, max_score: float | None) -> None:
    """Raise ``ValueError`` unless ``0 <= score <= max_score``."""
    if score < 0:
        raise ValueError("The score cannot be negative.")
    if max_score is not None and score > max_score:
        raise ValueError(f"The score {score:g} is above the problem's maximum of {max_score:g}.")


def graded_overrides(course_key: CourseKey, user_ids: Iterable[int]) -> dict[int, dict[str, GradedOverride]]:
    """The graded ``(earned, possible)`` of these learners' overrides that set both, by user id then subsection."""
    rows = (
        SubsectionGradeOverride.objects.filter(
            course_key=course_key,
            user_id__in=list(user_ids),
            earned_graded_override__isnull=False,
            possible_graded_override__isnull=False,
        )
        .annotate(key=Cast("usage_key", CharField()))
        .values_list("user_id", "key", "earned_graded_override", "possible_graded_override")
    )
    overrides: dict[int, dict[str, GradedOverride]] = defaultdict(dict)
    for user_id, usage_key, earned, possible in rows:
        overrides[user_id][usage_key] = (float(earned or 0), float(possible or 0))
    return overrides
