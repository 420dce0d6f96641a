"""
Report bodies at the seeded size, each beside a raw ``values_list().iterator()`` -> ``csv.writer`` baseline.

A figure's name carries the rows written and the rows per second; its peak memory is what
tracemalloc saw while the CSV was written to a temporary file. The flatness figures write the
same report limited to a tenth of the learners and to all of them: streaming keeps the two peaks
close, whatever the course size.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import replace
from itertools import islice

from opaque_keys.edx.keys import CourseKey

from benchmarks.measure import Comparison, Figures, measure
from instructor_plugin.backends.builtin.models import CourseEnrollment, CourseGrade
from instructor_plugin.reports import CsvBody, csv_body, enrolled_students_features, write_csv

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


def _plugin_report(report_type: str, course_key: CourseKey, limit: int | None = None) -> Callable[[], int]:
    task_input = {"features": enrolled_students_features(course_key)} if report_type == "enrolled_students" else {}

    def run() -> int:
        body = csv_body(report_type, course_key, task_input)
        if limit is not None:
            body = CsvBody(body.header, islice(body.rows, limit), body.total)
        with tempfile.TemporaryFile() as content:
            return write_csv(content, body)

    return run


def _baseline(header: Iterable[str], rows: Callable[[], Iterable]) -> Callable[[], int]:
    def run() -> int:
        count = 0
        with tempfile.TemporaryFile() as content:
            text = io.TextIOWrapper(content, encoding="utf-8", newline="")
            writer = csv.writer(text)
            writer.writerow(header)
            for row in rows():
                writer.writerow(row)
                count += 1
            text.flush()
            text.detach()
        return count

    return run


def _enrollments_baseline(course_key: CourseKey) -> Callable[[], int]:
    def rows():
        enrollments = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).order_by("user_id")
        return enrollments.values_list(*_PROFILE_COLUMNS).iterator(chunk_size=2000)

    return _baseline(_PROFILE_COLUMNS, rows)


def _grades_baseline(course_key: CourseKey) -> Callable[[], int]:
    def rows():
        grades = CourseGrade.objects.filter(course_key=course_key).order_by("user_id")
        return grades.values_list(*_GRADE_COLUMNS).iterator(chunk_size=2000)

    return _baseline(_GRADE_COLUMNS, rows)


def _with_rate(name: str, operation: Callable[[], int], runs: int) -> Figures:
    rows = operation()
    figures = measure(name, operation, runs=runs)
    rate = rows / (figures.median_ms / 1000) if figures.median_ms else 0.0
    return replace(figures, name=f"{name}: {rows:,} rows, {rate:,.0f} rows/s")


def figures(course_key: CourseKey, runs: int = 5) -> list[Comparison | Figures]:
    """The ``enrolled_students`` and ``grade`` bodies and their baselines, then memory at N/10 and N learners."""
    learners = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).count()
    tenth = max(learners // 10, 1)
    return [
        Comparison(
            _with_rate("report enrolled_students", _plugin_report("enrolled_students", course_key), runs),
            _with_rate("  baseline values_list -> csv", _enrollments_baseline(course_key), runs),
        ),
        Comparison(
            _with_rate("report grade", _plugin_report("grade", course_key), runs),
            _with_rate("  baseline values_list -> csv", _grades_baseline(course_key), runs),
        ),
        _with_rate("enrolled_students, N/10", _plugin_report("enrolled_students", course_key, tenth), 1),
        _with_rate("enrolled_students, N", _plugin_report("enrolled_students", course_key), 1),
        _with_rate("grade, N/10", _plugin_report("grade", course_key, tenth), 1),
        _with_rate("grade, N", _plugin_report("grade", course_key), 1),
    ]
