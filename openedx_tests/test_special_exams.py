"""Special exams over the real edx-proctoring beyond the contract: refusals, its records, providers, query counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_proctoring.api import create_exam
from edx_proctoring.models import ProctoredExamStudentAllowance, ProctoredExamStudentAttempt
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.data import ExamListQuery, PageRequest
from instructor_plugin.backends.exceptions import ExamNotFound
from instructor_plugin.backends.openedx import openedx_backend
from instructor_plugin.backends.openedx.special_exams import ExamNotActive

from .world import OpenedxWorld

COURSE = CourseKey.from_string("course-v1:ExamX+E1+2026")
OTHER = CourseKey.from_string("course-v1:ExamX+E2+2026")
EVERYONE = PageRequest(offset=0, limit=100)


@pytest.fixture
def backend():
    return openedx_backend()


@pytest.fixture
def exams(db) -> dict[str, int]:
    def exam(course, name, **options):
        return create_exam(
            str(course),
            f"block-v1:{course.org}+{course.course}+{course.run}+type@sequential+block@{name}",
            name,
            60,
            **options,
        )

    return {
        "final": exam(COURSE, "final", backend="mock"),
        "practice": exam(COURSE, "practice", is_practice_exam=True, backend="mock"),
        "timed": exam(COURSE, "timed", is_proctored=False),
        "retired": exam(COURSE, "retired", is_active=False, is_proctored=False),
        "elsewhere": exam(OTHER, "elsewhere", backend="mock"),
    }


@pytest.fixture
def people(db) -> dict[str, int]:
    world = OpenedxWorld()
    return {name: world.make_user(name, f"{name}@example.com", name.title()) for name in ("ann", "bob", "staff")}


def attempt(exam_id, user_id, status, started_day):
    return ProctoredExamStudentAttempt.objects.create(
        proctored_exam_id=exam_id,
        user_id=user_id,
        status=status,
        started_at=datetime(2026, 3, started_day, tzinfo=UTC),
        allowed_time_limit_mins=60,
    )


class TestAllowances:
    def test_refused_on_another_course_or_an_inactive_exam(self, backend, exams, people):
        with pytest.raises(ExamNotFound):
            backend.special_exams.set_allowance(
                COURSE, exams["elsewhere"], people["ann"], "additional_time_granted", "30"
            )
        with pytest.raises(ExamNotActive):
            backend.special_exams.set_allowance(
                COURSE, exams["retired"], people["ann"], "additional_time_granted", "30"
            )

        assert not ProctoredExamStudentAllowance.objects.exists()


class TestAttempts:
    def test_list_ordered_and_costing_the_same_queries(self, backend, exams, people):
        attempt(exams["final"], people["ann"], "submitted", 2)
        attempt(exams["final"], people["bob"], "started", 5)

        with CaptureQueriesContext(connection) as few:
            page = backend.special_exams.list_attempts(COURSE, ExamListQuery(ordering="-started_at"), EVERYONE)
        for day in range(6, 16):
            attempt(exams["practice"], people["ann"], "started", day)
        with CaptureQueriesContext(connection) as many:
            backend.special_exams.list_attempts(COURSE, ExamListQuery(), EVERYONE)

        assert [(row.user.username, row.status) for row in page.items] == [("bob", "started"), ("ann", "submitted")]
        assert len(many) == len(few)

    def test_reset_removes_the_learner_attempts_through_edx_proctoring(self, backend, exams, people):
        attempt(exams["final"], people["ann"], "ready_to_start", 2)
        attempt(exams["final"], people["bob"], "started", 2)

        removed = backend.special_exams.reset_attempts(COURSE, exams["final"], people["ann"], people["staff"])

        assert removed == 1
        assert list(ProctoredExamStudentAttempt.objects.values_list("user_id", flat=True)) == [people["bob"]]
        assert backend.special_exams.reset_attempts(OTHER, exams["final"], people["bob"], people["staff"]) == 0


class TestProviders:
    def test_capabilities_of_the_course_provider(self, backend, exams, monkeypatch):
        mock = apps.get_app_config("edx_proctoring").get_backend("mock")

        assert backend.special_exams.supports_onboarding(COURSE) is False
        assert backend.special_exams.review_dashboard_available(COURSE) is False

        monkeypatch.setattr(mock, "supports_onboarding", True)
        monkeypatch.setattr(mock, "has_dashboard", True)

        assert backend.special_exams.supports_onboarding(COURSE) is True
        assert backend.special_exams.review_dashboard_available(COURSE) is True
