"""
Every CSV report body at the seeded size, each beside a raw ``values_list`` -> ``csv.writer`` baseline
reading the same rows.

A figure's name carries the rows written and the rows per second; a report's peak memory is what
tracemalloc saw while its CSV was written to a temporary file (the baselines are not traced). The
flatness figures write the same report limited to a tenth of the learners: streaming keeps that peak
close to the whole report's, whatever the course size.

The seed holds only a handful of pending invitations, survey answers and inactive learners; the
course is topped up with invitations of a tenth of the learners' number, the answers of a tenth of them and
a tenth of them inactive (only while ``pending_activations`` is measured; all removed afterwards), and
with the special-exam attempts of the lists' figures. While the ORA reports are measured, the course has a
unit of four more open-response blocks, answered by a half, a third, a quarter and a fifth of the learners.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace
from datetime import timedelta
from itertools import groupby, islice

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Subquery
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from benchmarks.lists import top_up_exam_attempts
from benchmarks.measure import Comparison, Figures, measure, measure_pair
from instructor_plugin.backends.builtin.models import (
    Block,
    Course,
    CourseEnrollment,
    CourseEnrollmentAllowed,
    CourseGrade,
    ExamAttempt,
    GeneratedCertificate,
    OpenResponseSubmission,
    ProblemState,
    SurveyAnswer,
)
from instructor_plugin.backends.builtin.seed import analyse_tables
from instructor_plugin.backends.rows import insert_rows, stored_datetime, stored_json
from instructor_plugin.reports import (
    PROCTORED_EXAM_RESULTS_HEADER,
    CsvBody,
    csv_body,
    enrolled_students_features,
    write_csv,
)

_CHUNK = 2000
_PROFILE_COLUMNS = (
    "user_id",
    "user__username",
    "user__builtin_profile__name",
    "user__email",
    "user__builtin_profile__language",
    "user__builtin_profile__year_of_birth",
    "user__builtin_profile__gender",
    "user__builtin_profile__level_of_education",
    "user__builtin_profile__goals",
    "mode",
    "user__last_login",
    "user__date_joined",
    "created",
    "user__builtin_profile__city",
    "user__builtin_profile__country",
)
_GRADE_COLUMNS = ("user_id", "user__email", "user__username", "percent", "letter_grade", "passed", "breakdown")
_BENCH_INVITATION = "bench-invited-{}@example.com"
_BENCH_SURVEY_FORM = "bench"


def _plugin_report(report_type: str, course_key: CourseKey, limit: int | None = None) -> Callable[[], int]:
    task_input: dict = {}
    if report_type == "enrolled_students":
        task_input = {"features": enrolled_students_features(course_key)}
    elif report_type == "problem_responses":
        problems = Block.objects.filter(course__course_key=course_key, block_type="problem").order_by("position")
        task_input = {"problem_location": ",".join(str(key) for key in problems.values_list("usage_key", flat=True))}

    def run() -> int:
        body = csv_body(report_type, course_key, task_input)
        if limit is not None:
            body = CsvBody(body.header, islice(body.rows, limit), body.total)
        with tempfile.TemporaryFile() as content:
            return write_csv(content, body)

    return run


def _baseline(rows: Callable[[], Iterable]) -> Callable[[], int]:
    """Write the rows ``rows()`` yields with a plain ``csv.writer``; the header is the first row."""

    def run() -> int:
        count = -1
        with tempfile.TemporaryFile() as content:
            text = io.TextIOWrapper(content, encoding="utf-8", newline="")
            writer = csv.writer(text)
            for row in rows():
                writer.writerow(row)
                count += 1
            text.flush()
            text.detach()
        return count

    return run


def _streamed(queryset, *columns: str) -> Iterator[tuple]:
    return queryset.values_list(*columns).iterator(chunk_size=_CHUNK)


def _enrolled_students(course_key: CourseKey) -> Iterator[Iterable]:
    yield _PROFILE_COLUMNS
    enrollments = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).order_by("user_id")
    yield from _streamed(enrollments, *_PROFILE_COLUMNS)


def _pending_enrollments(course_key: CourseKey) -> Iterator[Iterable]:
    """The invitations whose email, ignoring case, is none of the set of enrolled emails read first."""
    yield ("email",)
    enrolled = CourseEnrollment.objects.filter(course_key=course_key, is_active=True)
    emails = {email.lower() for (email,) in _streamed(enrolled, "user__email")}
    allowed = CourseEnrollmentAllowed.objects.filter(course_key=course_key).order_by("email")
    for (email,) in _streamed(allowed, "email"):
        if email.lower() not in emails:
            yield (email,)


def _pending_activations(course_key: CourseKey) -> Iterator[Iterable]:
    yield ("email",)
    enrolled = CourseEnrollment.objects.filter(course_key=course_key, is_active=True, user_id=OuterRef("pk"))
    yield from _streamed(User.objects.filter(Exists(enrolled), is_active=False).order_by("pk"), "email")


def _anonymous_id(message: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def _anonymized_student_ids(course_key: CourseKey) -> Iterator[Iterable]:
    yield ("User ID", "Anonymized User ID", "Course Specific Anonymized User ID")
    enrollments = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).order_by("user_id")
    for (user_id,) in _streamed(enrollments, "user_id"):
        yield (user_id, _anonymous_id(str(user_id)), _anonymous_id(f"{course_key}|{user_id}"))


def _grade(course_key: CourseKey) -> Iterator[Iterable]:
    """The report's rows: every actively enrolled learner, with their grade in the course if they have one."""
    yield _GRADE_COLUMNS
    grade = FilteredRelation(
        "user__builtin_course_grades", condition=Q(user__builtin_course_grades__course_key=course_key)
    )
    enrollments = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).annotate(grade=grade)
    columns = [column if column.startswith("user") else f"grade__{column}" for column in _GRADE_COLUMNS]
    yield from _streamed(enrollments.order_by("user_id"), *columns)


def _problem_keys(course_key: CourseKey) -> list:
    problems = Block.objects.filter(course__course_key=course_key, block_type="problem").order_by("position")
    return list(problems.values_list("usage_key", flat=True))


def _problem_grade(course_key: CourseKey) -> Iterator[Iterable]:
    """The grades and the problem states, both by learner, merged into one row per learner."""
    keys = _problem_keys(course_key)
    yield ("user_id", "email", "username", "percent", *(f"{key} {part}" for key in keys for part in ("earned", "max")))
    grades = CourseGrade.objects.filter(course_key=course_key).order_by("user_id")
    states = ProblemState.objects.filter(course_key=course_key).order_by("user_id", "usage_key")
    state_rows = groupby(_streamed(states, "user_id", "usage_key", "score", "max_score"), key=lambda row: row[0])
    learner, scores = next(state_rows, (None, iter(())))
    for user_id, email, username, percent in _streamed(grades, "user_id", "user__email", "user__username", "percent"):
        while learner is not None and learner < user_id:
            learner, scores = next(state_rows, (None, iter(())))
        found = {key: (score, max_score) for _, key, score, max_score in scores} if learner == user_id else {}
        row = [user_id, email, username, percent]
        for key in keys:
            row.extend(found.get(key, ("Not Attempted", "")))
        yield row


def _problem_responses(course_key: CourseKey) -> Iterator[Iterable]:
    columns = ("user__username", "usage_key", "attempts", "score", "max_score", "state")
    yield columns
    states = ProblemState.objects.filter(course_key=course_key, usage_key__in=_problem_keys(course_key))
    states = states.order_by("user_id", "usage_key")
    for username, key, attempts, score, max_score, state in _streamed(states, *columns):
        yield (username, key, attempts, score, max_score, json.dumps(state, sort_keys=True))


#: The workflow steps the ORA summary counts, in its columns' order.
_ORA_STEPS = ("training", "peer", "self", "waiting", "staff", "done")


def _ora2_summary(course_key: CourseKey) -> Iterator[Iterable]:
    """The report's rows: each attached open-response block with its unit's name and its counts per step."""
    yield ("Block ID", "Unit Name", "Display Name", "Total", *(step.title() for step in _ORA_STEPS))
    blocks = Block.objects.filter(course__course_key=course_key, block_type="openassessment", parent__isnull=False)
    names = list(blocks.order_by("position").values_list("usage_key", "parent__display_name", "display_name"))
    counts: dict = {}
    submissions = OpenResponseSubmission.objects.filter(course_key=course_key, status__in=_ORA_STEPS)
    for usage_key, status, n in submissions.values_list("usage_key", "status").annotate(n=Count("pk")).order_by():
        counts.setdefault(usage_key, {})[status] = n
    for usage_key, unit, name in names:
        steps = [counts.get(usage_key, {}).get(step, 0) for step in _ORA_STEPS]
        yield (usage_key, unit, name, sum(steps), *steps)


def _ora2_data(course_key: CourseKey) -> Iterator[Iterable]:
    """The report's nine cells, the files' names joined as the report joins them."""
    columns = (
        "submission_uuid",
        "usage_key",
        "user__username",
        "status",
        "answer_text",
        "files",
        "points_earned",
        "points_possible",
        "submitted_at",
    )
    yield columns
    rows = OpenResponseSubmission.objects.filter(course_key=course_key).order_by("usage_key", "submitted_at", "pk")
    for submission_uuid, usage_key, username, status, text, files, earned, possible, submitted_at in _streamed(
        rows, *columns
    ):
        names = "; ".join(file["name"] for file in files)
        yield (submission_uuid, usage_key, username, status, text, names, earned, possible, submitted_at)


def _issued_certificates(course_key: CourseKey) -> Iterator[Iterable]:
    yield ("mode", "count")
    rows = GeneratedCertificate.objects.filter(course_key=course_key, status="downloadable").values("mode")
    yield from rows.annotate(n=Count("pk")).order_by("mode").values_list("mode", "n")


#: The review cells of a proctored attempt the built-in backend has no review of.
_NO_REVIEW = ("", 0, "", 0, "")


def _proctored_exam_results(course_key: CourseKey) -> Iterator[Iterable]:
    """The report's seventeen cells: the attempts' own seven and the exam's, the rest empty as the report has them."""
    yield PROCTORED_EXAM_RESULTS_HEADER
    columns = (
        "exam__backend",
        "track",
        "exam__exam_name",
        "user__username",
        "user__email",
        "allowed_time_limit_mins",
        "exam__is_practice_exam",
        "started_at",
        "completed_at",
        "status",
    )
    track = CourseEnrollment.objects.filter(course_key=course_key, user_id=OuterRef("user_id")).values("mode")
    attempts = ExamAttempt.objects.filter(exam__course_key=course_key, exam__is_proctored=True)
    attempts = attempts.annotate(track=Subquery(track)).order_by("exam_id", "user__username")
    course = str(course_key)
    for backend, track_mode, name, username, email, limit, practice, started, completed, status in _streamed(
        attempts, *columns
    ):
        yield (
            course,
            backend,
            track_mode,
            name,
            username,
            email,
            "",
            limit,
            practice,
            started,
            completed,
            status,
            *_NO_REVIEW,
        )


def _course_survey_results(course_key: CourseKey) -> Iterator[Iterable]:
    """The answers by learner, one row per learner with a cell per field."""
    answers = SurveyAnswer.objects.filter(course_key=course_key)
    names = list(answers.values_list("field_name", flat=True).distinct().order_by("field_name"))
    yield ("user_id", "username", "email", *names)
    columns = ("user_id", "user__username", "user__email", "field_name", "field_value")
    rows = _streamed(answers.order_by("user_id", "field_name", "pk"), *columns)
    for (user_id, username, email), answered in groupby(rows, key=lambda row: row[:3]):
        values = {row[3]: row[4] for row in answered}
        yield (user_id, username, email, *(values.get(name, "") for name in names))


_BASELINES: dict[str, Callable[[CourseKey], Iterator[Iterable]]] = {
    "enrolled_students": _enrolled_students,
    "pending_enrollments": _pending_enrollments,
    "anonymized_student_ids": _anonymized_student_ids,
    "grade": _grade,
    "problem_grade": _problem_grade,
    "problem_responses": _problem_responses,
    "ora2_summary": _ora2_summary,
    "ora2_data": _ora2_data,
    "issued_certificates": _issued_certificates,
    "proctored_exam_results": _proctored_exam_results,
    "course_survey_results": _course_survey_results,
    "pending_activations": _pending_activations,
}


def _with_rate(figures: Figures, rows: int) -> Figures:
    """``figures`` named with the rows the operation wrote and the rows it wrote per second."""
    rate = rows / (figures.median_ms / 1000) if figures.median_ms else 0.0
    return replace(figures, name=f"{figures.name}: {rows:,} rows, {rate:,.0f} rows/s")


def _counted(operation: Callable[[], int]) -> tuple[Callable[[], None], list[int]]:
    """``operation`` returning nothing, and the list it appends each run's row count to."""
    written: list[int] = []
    return lambda: written.append(operation()), written


def _compare(report_type: str, course_key: CourseKey, runs: int) -> Comparison:
    """The report beside its baseline, timed in turns; only the report's memory is traced (its peak is the N figure)."""
    ours, ours_rows = _counted(_plugin_report(report_type, course_key))
    baseline, baseline_rows = _counted(_baseline(lambda: _BASELINES[report_type](course_key)))
    pair = measure_pair((f"report {report_type}", ours), ("  baseline values_list -> csv", baseline), runs)
    return Comparison(_with_rate(pair.ours, ours_rows[-1]), _with_rate(pair.baseline, baseline_rows[-1]))


def _limited(report_type: str, course_key: CourseKey, limit: int) -> Figures:
    """The report cut to its first ``limit`` rows, run once, with its peak memory."""
    run, rows = _counted(_plugin_report(report_type, course_key, limit))
    return _with_rate(measure(f"{report_type}, N/10", run, runs=1), rows[-1])


def _learner_ids(course_key: CourseKey, every: int) -> list[int]:
    enrollments = CourseEnrollment.objects.filter(course_key=course_key, is_active=True)
    enrollments = enrollments.filter(user__username__startswith="learner")
    return list(enrollments.order_by("user_id").values_list("user_id", flat=True)[::every])


@contextmanager
def _topped_up(course_key: CourseKey):
    """Pending invitations and survey answers, each of a tenth of the learners' number, removed afterwards."""
    now = stored_datetime(CourseEnrollmentAllowed, timezone.now())
    course = str(course_key)
    user_ids = _learner_ids(course_key, 10)
    insert_rows(
        CourseEnrollmentAllowed,
        ("email", "course_key", "auto_enroll", "created"),
        ((_BENCH_INVITATION.format(number), course, False, now) for number in range(len(user_ids))),
    )
    insert_rows(
        SurveyAnswer,
        ("user", "course_key", "form_name", "field_name", "field_value", "created", "modified"),
        (
            (user_id, course, _BENCH_SURVEY_FORM, field, f"{field} answer {user_id % 7}", now, now)
            for user_id in user_ids
            for field in ("bench_goal", "bench_level", "bench_source")
        ),
    )
    try:
        yield
    finally:
        CourseEnrollmentAllowed.objects.filter(course_key=course_key, email__startswith="bench-invited-").delete()
        SurveyAnswer.objects.filter(course_key=course_key, form_name=_BENCH_SURVEY_FORM).delete()


#: The workflow steps of the topped-up ORA responses, by learner: most done, some cancelled.
_BENCH_ORA_STATUSES = ("done",) * 4 + ("peer", "peer", "self", "waiting", "staff", "training", "cancelled")
_BENCH_ORA_UNIT = "bench_essays"
_BENCH_ORA_ANSWER = (
    "Learner {}'s essay. The argument starts from the lecture's second example and works through the three "
    "cases it leaves open, comparing each with the reading. The first case holds as stated; the second needs "
    "the extra condition from the lab; the third fails, and the essay closes with a counterexample and a "
    "short note on what a better model would have to assume."
)


def _bench_ora_blocks(course_key: CourseKey) -> list[Block]:
    """A unit after the course's last block holding four open-response blocks, created for the ORA top-up."""
    course = Course.objects.get(course_key=course_key)
    blocks = Block.objects.filter(course=course)
    last = blocks.order_by("-position").first()
    position = last.position if last else 0
    section = blocks.filter(block_type="sequential").order_by("-position").first()
    unit = Block.objects.create(
        course=course,
        usage_key=course_key.make_usage_key("vertical", _BENCH_ORA_UNIT),
        parent=section,
        block_type="vertical",
        display_name="Essays",
        position=position + 1,
    )
    return [
        Block.objects.create(
            course=course,
            usage_key=course_key.make_usage_key("openassessment", f"{_BENCH_ORA_UNIT}_{number}"),
            parent=unit,
            block_type="openassessment",
            display_name=f"Essay {number}",
            position=position + 1 + number,
            has_score=True,
        )
        for number in range(1, 5)
    ]


def _bench_ora_rows(course_key: CourseKey, blocks: list[Block], user_ids: list[int]) -> Iterator[tuple]:
    """Block ``n`` (from 0) answered by every ``n + 2``-th learner, a file with every fourth answer, two every 12th."""
    course = str(course_key)
    started = timezone.now() - timedelta(days=30)
    for number, block in enumerate(blocks):
        usage_key = str(block.usage_key)
        for user_id in user_ids[:: number + 2]:
            status = _BENCH_ORA_STATUSES[user_id % len(_BENCH_ORA_STATUSES)]
            names = ("essay.pdf", "figure.png")[: (user_id % 4 == 0) + (user_id % 12 == 0)]
            files = [{"name": name, "path": f"bench/{usage_key}/{user_id}/{name}", "description": ""} for name in names]
            yield (
                user_id,
                course,
                usage_key,
                uuid.uuid5(uuid.NAMESPACE_URL, f"{usage_key}/{user_id}").hex,
                status,
                _BENCH_ORA_ANSWER.format(user_id),
                stored_json(OpenResponseSubmission, files),
                float(user_id % 11) if status == "done" else None,
                10.0 if status == "done" else None,
                stored_datetime(OpenResponseSubmission, started + timedelta(days=number, seconds=user_id)),
            )


@contextmanager
def _ora_topped_up(course_key: CourseKey):
    """Four more open-response blocks with their responses (see :func:`_bench_ora_rows`), removed afterwards."""
    blocks = _bench_ora_blocks(course_key)
    insert_rows(
        OpenResponseSubmission,
        (
            "user",
            "course_key",
            "usage_key",
            "submission_uuid",
            "status",
            "answer_text",
            "files",
            "points_earned",
            "points_possible",
            "submitted_at",
        ),
        _bench_ora_rows(course_key, blocks, _learner_ids(course_key, 1)),
    )
    analyse_tables()
    try:
        yield
    finally:
        usage_keys = [block.usage_key for block in blocks]
        OpenResponseSubmission.objects.filter(course_key=course_key, usage_key__in=usage_keys).delete()
        Block.objects.filter(pk__in=[blocks[0].parent_id, *(block.pk for block in blocks)]).delete()


@contextmanager
def _deactivated(course_key: CourseKey):
    """Every tenth learner's account inactive, then active again."""
    user_ids = _learner_ids(course_key, 10)
    User.objects.filter(pk__in=user_ids).update(is_active=False)
    try:
        yield
    finally:
        User.objects.filter(pk__in=user_ids).update(is_active=True)


#: What the course holds beyond the top-up while a report is measured (consecutive reports share it).
_CONTEXTS: dict[str, Callable[[CourseKey], AbstractContextManager]] = {
    "ora2_summary": _ora_topped_up,
    "ora2_data": _ora_topped_up,
    "pending_activations": _deactivated,
}


#: The reports whose peak memory is measured over a tenth of their rows too (their comparison traces it over all).
_FLATNESS_REPORTS = ("enrolled_students", "grade", "problem_grade", "ora2_data")


def figures(course_key: CourseKey, runs: int = 5) -> list[Comparison | Figures]:
    """Every report body beside its baseline (with its peak memory at N learners), and some over N/10 learners."""
    learners = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).count()
    tenth = max(learners // 10, 1)
    top_up_exam_attempts(course_key)
    results: list[Comparison | Figures] = []
    with _topped_up(course_key):
        for context, report_types in groupby(_BASELINES, key=lambda name: _CONTEXTS.get(name, nullcontext)):
            with context(course_key):
                for report_type in report_types:
                    results.append(_compare(report_type, course_key, runs))
                    if report_type in _FLATNESS_REPORTS:
                        results.append(_limited(report_type, course_key, tenth))
    return results
