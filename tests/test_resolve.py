"""The resolve layer: request text to typed values of one course, by one key rule and one id rule."""

from __future__ import annotations

import uuid

import pytest
from opaque_keys.edx.keys import CourseKey

from instructor_plugin import resolve
from instructor_plugin.backends.builtin.models import Block, Course
from instructor_plugin.backends.exceptions import BlockNotFound, CourseNotFound, ExamNotFound, UserNotFound
from instructor_plugin.models import InstructorTask, Report
from tests.conftest import enroll, make_user
from tests.special_exam_fixtures import add_exams

OTHER = CourseKey.from_string("course-v1:TestX+OTHER+2026")


@pytest.fixture
def chapter(course, course_key):
    return Block.objects.get(course=course, block_type="chapter")


class TestCourse:
    def test_both_forms_of_course_id(self, course, course_key):
        assert resolve.course("course-v1:TestX+T101+2026").course_key == course_key
        old = Course.objects.create(course_key=CourseKey.from_string("TestX/Old/2026"), display_name="Old")
        assert resolve.course("TestX/Old/2026").course_key == old.course_key

    @pytest.mark.parametrize("text", ["nonsense", "course-v1:TestX+Nope+2026", ""])
    def test_malformed_or_unknown(self, course, text):
        with pytest.raises(CourseNotFound):
            resolve.course(text)


class TestUsageKey:
    def test_a_key_of_the_course(self, course_key):
        key = course_key.make_usage_key("problem", "q1")
        assert resolve.usage_key(course_key, f"  {key} ") == key

    @pytest.mark.parametrize("text", ["i4x://TestX/T101/problem/q1", "i4x://TestX/T101/problem/q1@draft"])
    def test_a_run_less_legacy_key_is_mapped_into_the_course(self, course_key, text):
        assert resolve.usage_key(course_key, text) == course_key.make_usage_key("problem", "q1")

    def test_the_old_course_id_form_accepts_its_keys(self):
        old = CourseKey.from_string("TestX/T101/2026")
        assert resolve.usage_key(old, "block-v1:TestX+T101+2026+type@problem+block@q1") == old.make_usage_key(
            "problem", "q1"
        )

    @pytest.mark.parametrize(
        "text",
        [
            str(OTHER.make_usage_key("problem", "q1")),
            "i4x://OtherX/T101/problem/q1",
            "lib-block-v1:TestX+Lib+type@problem+block@q1",
            "block-v1:TestX+T101+2026+branch@draft+type@problem+block@q1".replace("T101", "T102"),
        ],
    )
    def test_a_key_of_another_course_is_not_found(self, course_key, text):
        with pytest.raises(BlockNotFound) as refused:
            resolve.usage_key(course_key, text)
        assert refused.value.error_code == "block_not_found"

    @pytest.mark.parametrize("text", ["", "not-a-key", "block-v1:broken", "i4x://"])
    def test_malformed(self, course_key, text):
        with pytest.raises(resolve.InvalidUsageKey) as refused:
            resolve.usage_key(course_key, text, resolve.PROBLEM)
        assert (refused.value.error_code, refused.value.message) == (
            "invalid_problem_location",
            "Invalid problem location.",
        )


class TestBlock:
    def test_a_block_of_the_course(self, chapter, course_key):
        assert resolve.block(course_key, str(chapter.usage_key)).usage_key == chapter.usage_key

    def test_an_unknown_block_is_reported_as_asked(self, course, course_key):
        with pytest.raises(BlockNotFound) as refused:
            resolve.block(course_key, str(course_key.make_usage_key("sequential", "nope")), resolve.UNIT)
        assert refused.value.message == "Unit not found in this course."


class TestLearner:
    def test_username_or_email_any_case(self, users, course_key):
        assert resolve.learner(course_key, "LEARNER@example.com").username == "learner"
        assert resolve.learner(course_key, "learner", enrolled=True).username == "learner"

    def test_usernames_are_exact(self, users, course_key):
        with pytest.raises(UserNotFound):
            resolve.learner(course_key, "LEARNER")

    def test_enrolled_means_actively_enrolled(self, users, course_key):
        enroll(make_user("leaver"), course_key, is_active=False)
        for identifier in ("outsider", "leaver"):
            with pytest.raises(resolve.LearnerNotEnrolled):
                resolve.learner(course_key, identifier, enrolled=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), ("42", 42), (resolve.MAX_ID, resolve.MAX_ID), (" 7 ", 7)]
    + [(bad, None) for bad in (0, -1, "-1", "0", "9" * 25, resolve.MAX_ID + 1, "1.5", "abc", "", True, "١٢")],
)
def test_database_id(value, expected):
    assert resolve.database_id(value) == expected


class TestExamTaskReportSchedule:
    def test_exam_of_the_course_only(self, course, course_key):
        exams = add_exams(course_key)
        assert resolve.exam(course_key, str(exams.timed.pk)).id == exams.timed.pk
        for bad in (exams.foreign.pk, "9" * 25, "x"):
            with pytest.raises(ExamNotFound):
                resolve.exam(course_key, bad)

    def test_task_of_the_course_and_visibility(self, users, course_key):
        task = InstructorTask.objects.create(
            course_key=course_key, task_type="grade_report", requester=users["instructor"]
        )
        assert resolve.task(course_key, task.task_id) == task
        assert resolve.task(course_key, task.task_id, requester_id=users["instructor"].pk) == task
        with pytest.raises(resolve.TaskNotVisible):
            resolve.task(course_key, task.task_id, requester_id=users["course_staff"].pk)
        with pytest.raises(resolve.TaskNotVisible):
            resolve.task(course_key, uuid.uuid4(), requester_id=users["course_staff"].pk)
        for bad in (uuid.uuid4(), "nope"):
            with pytest.raises(resolve.TaskNotFound):
                resolve.task(course_key, bad)
        with pytest.raises(resolve.TaskNotFound):
            resolve.task(OTHER, task.task_id)

    def test_report_of_the_course_only(self, users, course_key):
        task = InstructorTask.objects.create(course_key=course_key, task_type="grade_report")
        report = Report.objects.create(
            course_key=course_key, task=task, report_type="grade", name="g.csv", storage_path="x"
        )
        assert resolve.report(course_key, str(report.pk)) == report
        for key, bad in ((OTHER, report.pk), (course_key, "9" * 25)):
            with pytest.raises(resolve.ReportNotFound):
                resolve.report(key, bad)

    def test_schedule_out_of_range(self, course, course_key):
        with pytest.raises(resolve.ScheduleNotFound) as refused:
            resolve.schedule(course_key, "9" * 25)
        assert refused.value.error_code == "schedule_not_found"
