"""The legacy entrance-exam endpoints (LMS_APIS ``instructor_legacy``) and the built-in entrance exams."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import Block, EntranceExam, EntranceExamSkip, ProblemState
from instructor_plugin.backends.builtin.seed import DEMO_COURSE_ID, INVITE_ONLY_COURSE_ID, seed_demo_course
from instructor_plugin.backends.registry import get_backend
from instructor_plugin.entrance_exams import (
    DELETE_EXAM_STATE_TASK,
    RESCORE_EXAM_TASK,
    RESET_EXAM_ATTEMPTS_TASK,
    exam_problems,
    get_entrance_exam,
)
from instructor_plugin.grading import RESCORE_TASK
from instructor_plugin.instructor_tasks import create_task_record
from instructor_plugin.models import AuditRecord, InstructorTask
from tests.conftest import COURSE_ID, enroll, make_user
from tests.grading_fixtures import add_block, give_state

CSRF_SECRET = "a" * 32
NAMES = (
    "reset_student_attempts_for_entrance_exam",
    "rescore_entrance_exam",
    "list_entrance_exam_instructor_tasks",
    "mark_student_can_skip_entrance_exam",
)


def legacy(name: str, course_id: str = COURSE_ID) -> str:
    return f"/courses/{course_id}/instructor/api/{name}"


@pytest.fixture
def exam(course):
    """An entrance-exam section of two questions (one nested deeper) and, outside it, a homework question."""
    root = Block.objects.get(course=course, block_type="course")
    section = add_block(course, root, "chapter", "entrance", "Entrance Exam")
    subsection = add_block(course, section, "sequential", "entrance_seq", "Entrance Exam")
    unit = add_block(course, subsection, "vertical", "entrance_unit", "Questions")
    q1 = add_block(course, unit, "problem", "entrance_q1", "Question 1", has_score=True, max_attempts=2)
    q2 = add_block(course, unit, "problem", "entrance_q2", "Question 2", has_score=True)
    week = Block.objects.get(course=course, usage_key=course.course_key.make_usage_key("chapter", "week1"))
    outside = add_block(course, week, "problem", "homework_q", "Homework", has_score=True)
    EntranceExam.objects.create(course=course, usage_key=section.usage_key, minimum_score_pct=0.6)
    return {"section": section, "q1": q1, "q2": q2, "outside": outside}


@pytest.fixture
def staff(client, users):
    client.force_authenticate(users["course_staff"])
    return client


@pytest.fixture
def instructor(client, users):
    client.force_authenticate(users["instructor"])
    return client


@pytest.fixture
def post_and_run(django_capture_on_commit_callbacks):
    """POST to a legacy endpoint and run the tasks it queues, as a worker would once the request commits."""

    def post(client, name: str, body: dict):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(legacy(name), body)

    return post


def valid_body(name: str) -> dict:
    return {
        "reset_student_attempts_for_entrance_exam": {"unique_student_identifier": "learner"},
        "rescore_entrance_exam": {"unique_student_identifier": "learner"},
        "list_entrance_exam_instructor_tasks": {},
        "mark_student_can_skip_entrance_exam": {"unique_student_identifier": "learner"},
    }[name]


def assert_error(response, status: int, code: str, message: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error_code"] == code
    if message is not None:
        assert body["error"] == message


def states(user) -> list[tuple[str, int, float | None]]:
    rows = ProblemState.objects.filter(user=user).order_by("usage_key")
    return [(str(row.usage_key).rsplit("@", 1)[-1], row.attempts, row.score) for row in rows]


class TestEveryEndpoint:
    @pytest.mark.parametrize("name", NAMES)
    def test_get_is_not_allowed(self, client, users, exam, name):
        client.force_authenticate(users["global_staff"])

        response = client.get(legacy(name))

        assert response.status_code == 405
        assert response.json()["error_code"] == "method_not_allowed"

    @pytest.mark.parametrize("name", NAMES)
    def test_session_callers_send_the_csrf_token(self, users, exam, name):
        session = APIClient(enforce_csrf_checks=True)
        session.login(username="global_staff", password="edx")
        session.cookies["csrftoken"] = CSRF_SECRET

        refused = session.post(legacy(name), valid_body(name))
        accepted = session.post(legacy(name), valid_body(name), HTTP_X_CSRFTOKEN=CSRF_SECRET)

        assert refused.status_code == 403
        assert refused.json()["error_code"] == "permission_denied"
        assert accepted.status_code == 200, accepted.content

    @pytest.mark.parametrize("name", NAMES)
    def test_anonymous_is_401(self, client, users, exam, name):
        assert client.post(legacy(name), valid_body(name)).status_code == 401

    @pytest.mark.parametrize("name", NAMES[:3])
    def test_a_course_without_an_entrance_exam_is_a_400(self, client, users, name):
        client.force_authenticate(users["global_staff"])

        response = client.post(legacy(name), valid_body(name))

        assert_error(response, 400, "no_entrance_exam", "Course has no entrance exam section.")
        assert not InstructorTask.objects.exists()

    @pytest.mark.parametrize("name", NAMES)
    def test_an_unknown_course_is_a_404(self, client, users, exam, name):
        client.force_authenticate(users["global_staff"])

        response = client.post(legacy(name, "course-v1:Nope+N1+2026"), valid_body(name))

        assert response.status_code == 404

    @pytest.mark.parametrize("name", ["reset_student_attempts_for_entrance_exam", "rescore_entrance_exam"])
    def test_a_section_that_is_gone_is_a_400(self, client, users, exam, name):
        client.force_authenticate(users["global_staff"])
        exam["section"].delete()

        response = client.post(legacy(name), valid_body(name))

        assert_error(response, 400, "invalid_entrance_exam", "Course has no valid entrance exam section.")
        assert not InstructorTask.objects.exists()


class TestEntranceExamCapability:
    def test_the_built_in_backend_knows_the_exam_and_who_may_skip(self, course, course_key, users, exam):
        service = get_backend().entrance_exams

        found = service.get_entrance_exam(course_key)

        assert (found.usage_key, found.minimum_score_pct) == (exam["section"].usage_key, 0.6)
        assert service.can_skip(course_key, users["learner"].id) is False
        assert service.allow_skip(course_key, users["learner"].id) is True
        assert service.allow_skip(course_key, users["learner"].id) is False
        assert service.can_skip(course_key, users["learner"].id) is True

    def test_a_course_without_an_exam(self, course, course_key):
        assert get_backend().entrance_exams.get_entrance_exam(course_key) is None

    def test_the_exam_problems_are_the_scored_blocks_under_the_section(self, course, course_key, exam):
        problems = exam_problems(course_key, get_entrance_exam(course_key))

        assert problems == [exam["q1"].usage_key, exam["q2"].usage_key]


class TestResetStudentAttemptsForEntranceExam:
    def test_one_learner_as_a_task_over_every_exam_problem(self, staff, users, exam, post_and_run):
        learner = users["learner"]
        give_state(learner, exam["q1"], score=1.0, attempts=2)
        give_state(learner, exam["q2"], score=0.0, attempts=1)
        give_state(learner, exam["outside"], score=1.0, attempts=3)

        response = post_and_run(
            staff, "reset_student_attempts_for_entrance_exam", {"unique_student_identifier": "learner"}
        )

        assert response.status_code == 200, response.content
        assert response.json() == {"student": "learner", "task": "created"}
        task = InstructorTask.objects.get()
        assert (task.task_type, task.state, task.learner_id) == (RESET_EXAM_ATTEMPTS_TASK, "completed", learner.id)
        assert task.usage_key == exam["section"].usage_key
        assert states(learner) == [("entrance_q1", 0, 1.0), ("entrance_q2", 0, 0.0), ("homework_q", 3, 1.0)]
        assert task.output["message"] == "Reset the entrance exam of 1 of 1 learners."
        assert [row.message for row in task.results.all()] == ["Reset 2 of 2 problems."]
        assert AuditRecord.objects.filter(action="reset_attempts", learner=learner).count() == 2

    def test_every_learner_needs_an_instructor(self, staff, instructor, users, exam, post_and_run):
        other = make_user("other")
        enroll(other, exam["section"].course.course_key)
        give_state(users["learner"], exam["q1"], score=1.0, attempts=2)
        give_state(other, exam["q2"], score=1.0, attempts=2)

        staff.force_authenticate(users["course_staff"])
        refused = staff.post(legacy("reset_student_attempts_for_entrance_exam"), {"all_students": "true"})
        assert_error(refused, 403, "permission_denied", "Requires instructor access.")
        assert not InstructorTask.objects.exists()

        instructor.force_authenticate(users["instructor"])
        response = post_and_run(instructor, "reset_student_attempts_for_entrance_exam", {"all_students": "true"})

        assert response.json() == {"student": "All Students", "task": "created"}
        task = InstructorTask.objects.get()
        assert task.learner_id is None
        assert task.output["succeeded"] == 2
        assert set(ProblemState.objects.values_list("attempts", flat=True)) == {0}

    def test_delete_module_deletes_the_exam_state_and_needs_an_instructor(self, staff, users, exam, post_and_run):
        learner = users["learner"]
        give_state(learner, exam["q1"], score=1.0, attempts=2)
        give_state(learner, exam["outside"], score=1.0, attempts=3)
        body = {"unique_student_identifier": "learner@example.com", "delete_module": "true"}

        refused = staff.post(legacy("reset_student_attempts_for_entrance_exam"), body)
        assert refused.status_code == 403
        staff.force_authenticate(users["instructor"])
        response = post_and_run(staff, "reset_student_attempts_for_entrance_exam", body)

        assert response.json() == {"student": "learner@example.com", "task": "created"}
        task = InstructorTask.objects.get()
        assert task.task_type == DELETE_EXAM_STATE_TASK
        assert states(learner) == [("homework_q", 3, 1.0)]
        assert AuditRecord.objects.filter(action="delete_state").count() == 1

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({}, "Either unique_student_identifier or all_students is required."),
            (
                {"all_students": "true", "unique_student_identifier": "learner"},
                "all_students and unique_student_identifier are mutually exclusive.",
            ),
            (
                {"all_students": "true", "delete_module": "true"},
                "all_students and delete_module are mutually exclusive.",
            ),
        ],
    )
    def test_bad_combinations_are_400(self, instructor, exam, body, message):
        response = instructor.post(legacy("reset_student_attempts_for_entrance_exam"), body)

        assert_error(response, 400, "invalid_request", message)
        assert not InstructorTask.objects.exists()

    def test_a_learner_of_another_course_is_refused(self, staff, exam):
        make_user("stranger")

        response = staff.post(
            legacy("reset_student_attempts_for_entrance_exam"), {"unique_student_identifier": "stranger"}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "learner_not_enrolled"
        assert not InstructorTask.objects.exists()

    def test_an_unknown_learner_is_a_404(self, staff, exam):
        response = staff.post(
            legacy("reset_student_attempts_for_entrance_exam"), {"unique_student_identifier": "nobody"}
        )

        assert_error(response, 404, "learner_not_found")

    def test_a_malformed_body_is_a_400(self, staff, exam):
        response = staff.post(
            legacy("reset_student_attempts_for_entrance_exam"),
            {"unique_student_identifier": "x" * 300, "all_students": "maybe"},
        )

        assert response.status_code == 400
        assert set(response.json()["field_errors"]) == {"unique_student_identifier", "all_students"}

    def test_the_same_task_still_running_is_a_400(self, staff, users, exam, course_key):
        section = exam["section"].usage_key
        learner = users["learner"]
        create_task_record(
            RESET_EXAM_ATTEMPTS_TASK,
            course_key,
            None,
            {},
            scope=f"entrance_exam:{section}:{learner.id}",
            usage_key=section,
            learner_id=learner.id,
        )

        response = staff.post(
            legacy("reset_student_attempts_for_entrance_exam"), {"unique_student_identifier": "learner"}
        )

        assert_error(response, 400, "task_already_running", "A reset of this entrance exam is already running.")
        assert InstructorTask.objects.count() == 1


class TestRescoreEntranceExam:
    def test_one_learner_only_if_higher(self, instructor, users, exam, post_and_run):
        learner = users["learner"]
        give_state(learner, exam["q1"], score=0.0, max_score=2.0, correct=2)
        give_state(learner, exam["q2"], score=2.0, max_score=2.0, correct=0)

        response = post_and_run(
            instructor, "rescore_entrance_exam", {"unique_student_identifier": "learner", "only_if_higher": "true"}
        )

        assert response.status_code == 200, response.content
        assert response.json() == {"student": "learner", "task": "created"}
        task = InstructorTask.objects.get()
        assert (task.task_type, task.learner_id, task.task_input["only_if_higher"]) == (
            RESCORE_EXAM_TASK,
            learner.id,
            True,
        )
        assert states(learner) == [("entrance_q1", 1, 2.0), ("entrance_q2", 1, 2.0)]
        assert (task.output["succeeded"], task.output["changed"]) == (2, 1)
        assert AuditRecord.objects.filter(action="rescore").count() == 2

    def test_every_learner_when_none_is_named(self, instructor, users, exam, post_and_run):
        other = make_user("other")
        enroll(other, exam["section"].course.course_key)
        give_state(users["learner"], exam["q1"], score=0.0, correct=2)
        give_state(other, exam["q2"], score=0.0, correct=1)

        response = post_and_run(instructor, "rescore_entrance_exam", {"all_students": "true"})

        assert response.json() == {"student": "All Students", "task": "created"}
        task = InstructorTask.objects.get()
        assert task.learner_id is None
        assert sorted(ProblemState.objects.values_list("score", flat=True)) == [1.0, 2.0]

    def test_course_staff_may_not_rescore(self, staff, exam):
        response = staff.post(legacy("rescore_entrance_exam"), {"unique_student_identifier": "learner"})

        assert response.status_code == 403
        assert not InstructorTask.objects.exists()

    def test_a_learner_and_all_students_is_a_400(self, instructor, exam):
        response = instructor.post(
            legacy("rescore_entrance_exam"), {"unique_student_identifier": "learner", "all_students": "true"}
        )

        message = "Cannot rescore with all_students and unique_student_identifier."
        assert_error(response, 400, "invalid_request", message)


class TestListEntranceExamInstructorTasks:
    def make_tasks(self, course_key, exam, learner):
        section = exam["section"].usage_key
        for_everyone = create_task_record(
            RESCORE_EXAM_TASK, course_key, None, {}, scope="all", usage_key=section, learner_id=None
        )
        for_learner = create_task_record(
            RESET_EXAM_ATTEMPTS_TASK, course_key, None, {}, scope="one", usage_key=section, learner_id=learner.id
        )
        create_task_record(RESCORE_TASK, course_key, None, {}, scope="problem", usage_key=exam["q1"].usage_key)
        return for_everyone, for_learner

    def test_without_a_learner_the_exam_tasks_for_everyone(self, client, users, exam, course_key):
        for_everyone, _ = self.make_tasks(course_key, exam, users["learner"])
        client.force_authenticate(users["data_researcher"])

        response = client.post(legacy("list_entrance_exam_instructor_tasks"))

        assert response.status_code == 200
        (task,) = response.json()["tasks"]
        assert (task["task_id"], task["task_type"], task["task_state"]) == (
            str(for_everyone.task_id),
            RESCORE_EXAM_TASK,
            "PENDING",
        )

    def test_with_a_learner_their_exam_tasks(self, staff, users, exam, course_key):
        _, for_learner = self.make_tasks(course_key, exam, users["learner"])

        response = staff.post(
            legacy("list_entrance_exam_instructor_tasks"), {"unique_student_identifier": "learner@example.com"}
        )

        assert [task["task_id"] for task in response.json()["tasks"]] == [str(for_learner.task_id)]

    def test_an_unknown_learner_is_a_400(self, staff, exam):
        response = staff.post(legacy("list_entrance_exam_instructor_tasks"), {"unique_student_identifier": "nobody"})

        assert_error(response, 400, "invalid_student_identifier", "Invalid student identifier")

    def test_the_tasks_of_another_course_are_not_listed(self, staff, users, exam, course_key):
        other = exam["section"].usage_key.replace(course_key=course_key.replace(run="2027"))
        create_task_record(RESCORE_EXAM_TASK, course_key.replace(run="2027"), None, {}, scope="x", usage_key=other)

        response = staff.post(legacy("list_entrance_exam_instructor_tasks"))

        assert response.json() == {"tasks": []}

    @pytest.mark.parametrize("count", [10, 1000])
    def test_query_count_does_not_grow_with_the_tasks(self, staff, users, exam, course_key, count):
        section = exam["section"].usage_key
        InstructorTask.objects.bulk_create(
            InstructorTask(
                course_key=course_key,
                task_type=RESCORE_EXAM_TASK,
                usage_key=section,
                requester=users["instructor"],
                state="completed",
                output={"message": "Done.", "duration_ms": 1000},
            )
            for _ in range(count)
        )

        with CaptureQueriesContext(connection) as queries:
            response = staff.post(legacy("list_entrance_exam_instructor_tasks"))

        assert response.status_code == 200
        tasks = response.json()["tasks"]
        assert len(tasks) == min(count, 100)
        assert {task["requester"] for task in tasks} == {"instructor"}
        assert len(queries) == QUERIES_FOR_THE_TASK_LIST


#: The course and the caller's access, the exam and its section, the learner-less stale-task sweep, the tasks.
QUERIES_FOR_THE_TASK_LIST = 6


class TestMarkStudentCanSkipEntranceExam:
    def test_allowed_then_already_allowed_and_audited(self, staff, users, course_key):
        first = staff.post(legacy("mark_student_can_skip_entrance_exam"), {"unique_student_identifier": "learner"})
        again = staff.post(legacy("mark_student_can_skip_entrance_exam"), {"unique_student_identifier": "learner"})

        assert first.status_code == 200
        assert first.json() == {"message": "This student (learner) will skip the entrance exam."}
        assert again.json() == {"message": "This student (learner) is already allowed to skip the entrance exam."}
        assert list(EntranceExamSkip.objects.values_list("user__username", "course_key")) == [("learner", course_key)]
        audit = AuditRecord.objects.get()
        assert (audit.action, audit.actor, audit.learner) == (
            "allow_entrance_exam_skip",
            users["course_staff"],
            users["learner"],
        )

    def test_an_unknown_student_is_a_400_as_the_original(self, staff, course):
        response = staff.post(legacy("mark_student_can_skip_entrance_exam"), {"unique_student_identifier": "ghost"})

        assert_error(response, 400, "student_not_found", "Could not find student matching : ghost")
        assert not EntranceExamSkip.objects.exists()

    @pytest.mark.parametrize("body", [{}, {"unique_student_identifier": ""}, {"unique_student_identifier": "x" * 256}])
    def test_a_missing_or_oversized_identifier_is_a_400(self, staff, course, body):
        response = staff.post(legacy("mark_student_can_skip_entrance_exam"), body, format="json")

        assert response.status_code == 400
        assert "unique_student_identifier" in response.json()["field_errors"]
        assert not EntranceExamSkip.objects.exists()

    def test_a_json_body_of_the_wrong_shape_is_a_400(self, staff, course):
        response = staff.post(
            legacy("mark_student_can_skip_entrance_exam"),
            json.dumps(["learner"]),
            content_type="application/json",
        )

        assert response.status_code == 400
        assert not EntranceExamSkip.objects.exists()


class TestDemoSeed:
    def test_the_invite_only_course_requires_its_entrance_exam_and_the_demo_course_none(self, db):
        seed_demo_course(learners=2)
        seed_demo_course(learners=2)  # reseeding rebuilds the exam rather than failing on the old one
        invite_only = CourseKey.from_string(INVITE_ONLY_COURSE_ID)

        exam = get_entrance_exam(invite_only)

        assert exam.usage_key == invite_only.make_usage_key("chapter", "entrance_exam")
        assert exam.minimum_score_pct == 0.65
        assert [key.block_id for key in exam_problems(invite_only, exam)] == [
            "entrance_q1",
            "entrance_q2",
            "entrance_q3",
        ]
        assert get_backend().entrance_exams.get_entrance_exam(CourseKey.from_string(DEMO_COURSE_ID)) is None
        assert EntranceExam.objects.count() == 1
