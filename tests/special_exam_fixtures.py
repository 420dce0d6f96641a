"""Special exams of the test course: a timed, a proctored and a practice exam, and one of another course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.models import ExamAllowance, ExamAttempt, SpecialExam

OTHER_COURSE = CourseKey.from_string("course-v1:TestX+OTHER+2026")
STARTED = datetime(2026, 11, 1, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Exams:
    timed: SpecialExam
    proctored: SpecialExam
    practice: SpecialExam
    foreign: SpecialExam


def make_exam(course_key: CourseKey, block_id: str, name: str, **fields) -> SpecialExam:
    return SpecialExam.objects.create(
        course_key=course_key,
        content_id=course_key.make_usage_key("sequential", block_id),
        exam_name=name,
        time_limit_mins=fields.pop("time_limit_mins", 60),
        **fields,
    )


def add_exams(course_key: CourseKey) -> Exams:
    return Exams(
        timed=make_exam(course_key, "midterm", "Midterm", time_limit_mins=45),
        proctored=make_exam(course_key, "final", "Final", time_limit_mins=120, is_proctored=True, backend="null"),
        practice=make_exam(course_key, "practice", "Practice", is_proctored=True, is_practice_exam=True),
        foreign=make_exam(OTHER_COURSE, "final", "Other course final", is_proctored=True),
    )


def attempt(exam: SpecialExam, user, status: str = "submitted", hours: int = 0, **fields) -> ExamAttempt:
    return ExamAttempt.objects.create(
        exam=exam,
        user=user,
        status=status,
        started_at=STARTED + timedelta(hours=hours),
        allowed_time_limit_mins=exam.time_limit_mins,
        **fields,
    )


def allowance(exam: SpecialExam, user, key: str = "additional_time_granted", value: str = "30") -> ExamAllowance:
    return ExamAllowance.objects.create(exam=exam, user=user, key=key, value=value)


def bulk_attempts(exam: SpecialExam, people) -> None:
    ExamAttempt.objects.bulk_create(
        ExamAttempt(exam=exam, user=user, status=("started", "error", "submitted")[i % 3], started_at=STARTED)
        for i, user in enumerate(people)
    )


def bulk_allowances(exam: SpecialExam, people) -> None:
    ExamAllowance.objects.bulk_create(
        ExamAllowance(exam=exam, user=user, key="additional_time_granted", value=str(i + 1))
        for i, user in enumerate(people)
    )
