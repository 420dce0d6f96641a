"""
Rescoring a problem for every learner: the plugin's task beside a raw-ORM loop doing the same update.

The plugin side runs the ``rescore_problem`` task body synchronously (scores, course grades,
result rows, audit records and grade events); the baseline updates the scores and recomputes
the same course grades with the plain ORM, chunk by chunk, and nothing else. Before each
side runs, every learner's score on the two measured problems is set back to zero, so both
rescore the same rows and change the same scores.
"""

from __future__ import annotations

from django.db import transaction
from opaque_keys.edx.keys import CourseKey, UsageKey

from benchmarks.measure import Comparison, measure_write
from instructor_plugin.backends.builtin.models import ProblemState
from instructor_plugin.backends.builtin.problem_state import CourseGrader, graded_score
from instructor_plugin.grading import RESCORE_TASK
from instructor_plugin.instructor_tasks import create_task_record, execute_task
from instructor_plugin.models import InstructorTask

#: Two problems every seeded learner has answered (the first two questions of Homework 1).
PROBLEMS = ("hw1_q1", "hw1_q2")
CHUNK_SIZE = 200


def _usage_keys(course_key: CourseKey) -> tuple[UsageKey, UsageKey]:
    first, second = (course_key.make_usage_key("problem", block_id) for block_id in PROBLEMS)
    return first, second


def _zero_scores(course_key: CourseKey, usage_keys: tuple[UsageKey, ...]) -> None:
    ProblemState.objects.filter(course_key=course_key, usage_key__in=usage_keys).update(score=0.0)


def _plugin_rescore(course_key: CourseKey, usage_key: UsageKey) -> None:
    task = create_task_record(
        RESCORE_TASK,
        course_key,
        None,
        {"usage_key": str(usage_key), "learner_id": None, "learner": None, "only_if_higher": False},
        scope=f"{usage_key}:benchmark",
        usage_key=usage_key,
    )
    execute_task(str(task.task_id))
    task.refresh_from_db()
    assert task.state == InstructorTask.COMPLETED, task.error


def _baseline_rescore(course_key: CourseKey, usage_key: UsageKey) -> None:
    grader = CourseGrader.for_course(course_key)
    rows = ProblemState.objects.filter(course_key=course_key, usage_key=usage_key).order_by("user_id")
    chunk: list[ProblemState] = []
    for row in rows.iterator(chunk_size=2000):
        chunk.append(row)
        if len(chunk) == CHUNK_SIZE:
            _baseline_chunk(course_key, grader, chunk)
            chunk = []
    if chunk:
        _baseline_chunk(course_key, grader, chunk)


def _baseline_chunk(course_key: CourseKey, grader: CourseGrader, chunk: list[ProblemState]) -> None:
    changed = []
    for row in chunk:
        new_score = graded_score(row.state, row.max_score)
        if new_score is not None and new_score != row.score:
            row.score = new_score
            changed.append(row)
    with transaction.atomic():
        ProblemState.objects.bulk_update(changed, ["score"])
        grader.save_grades(course_key, [row.user_id for row in changed])


def figures(course_key: CourseKey) -> list[Comparison]:
    """Rescore every learner's answers on a problem, through the plugin's task and with the plain ORM."""
    first, second = _usage_keys(course_key)
    learners = ProblemState.objects.filter(course_key=course_key, usage_key=first).count()
    _zero_scores(course_key, (first, second))
    plugin = measure_write(f"rescore problem, {learners:,} learners (task)", lambda: _plugin_rescore(course_key, first))
    _zero_scores(course_key, (first, second))
    baseline = measure_write(
        f"rescore problem, {learners:,} learners (raw ORM)", lambda: _baseline_rescore(course_key, first)
    )
    return [Comparison(plugin, baseline)]
