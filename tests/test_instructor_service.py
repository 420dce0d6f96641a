"""``InstructorService`` called the way edx-proctoring calls it, the exam-completion task, and the exam signals."""

from __future__ import annotations

import logging
import re

import pytest
from django.core.exceptions import ObjectDoesNotExist
from openedx_events.learning.data import ExamAttemptData, UserData, UserPersonalData
from openedx_events.learning.signals import EXAM_ATTEMPT_RESET, EXAM_ATTEMPT_SUBMITTED

from instructor_plugin.backends.builtin.models import BlockCompletion, ProblemState
from instructor_plugin.completion import EXAM_COMPLETION_TASK, completable_blocks, start_exam_completion
from instructor_plugin.models import InstructorTask
from instructor_plugin.services import InstructorService
from tests.conftest import COURSE_ID
from tests.exam_fixtures import add_exam_blocks
from tests.grading_fixtures import give_state


class FakeRuntime:
    """edx-proctoring's runtime-service registry (``edx_proctoring.runtime``), reduced to what it does."""

    def __init__(self):
        self._services = {}

    def set_runtime_service(self, name, service):
        self._services[name] = service

    def get_runtime_service(self, name):
        return self._services.get(name)


@pytest.fixture
def instructor_service():
    runtime = FakeRuntime()
    runtime.set_runtime_service("instructor", InstructorService())
    return runtime.get_runtime_service("instructor")


@pytest.fixture
def exam(course):
    return add_exam_blocks(course)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the callbacks queued on commit (the task submissions) while the block runs."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def completions(user) -> dict:
    return {str(row.usage_key).rsplit("@", 1)[1]: row.completion for row in BlockCompletion.objects.filter(user=user)}


def test_completable_blocks_are_the_non_aggregator_leaves_under_the_content(exam):
    assert [block.usage_key for block in completable_blocks(exam.exam.usage_key)] == [
        exam.intro.usage_key,
        exam.q1.usage_key,
        exam.q2.usage_key,
    ]
    assert [block.usage_key for block in completable_blocks(exam.hw_q.usage_key)] == [exam.hw_q.usage_key]


class TestCompleteStudentAttempt:
    def test_marks_every_completable_block_of_the_exam_complete(self, instructor_service, users, exam, run_on_commit):
        with run_on_commit():
            instructor_service.complete_student_attempt("learner", str(exam.exam.usage_key))

        assert completions(users["learner"]) == {"exam_intro": 1.0, "exam_q1": 1.0, "exam_q2": 1.0}
        task = InstructorTask.objects.get(task_type=EXAM_COMPLETION_TASK)
        assert (task.state, task.learner_id, task.output["blocks"]) == ("completed", users["learner"].pk, 3)

    def test_accepts_an_email(self, instructor_service, users, exam, run_on_commit):
        with run_on_commit():
            instructor_service.complete_student_attempt(users["learner"].email, str(exam.exam.usage_key))

        assert len(completions(users["learner"])) == 3

    def test_a_duplicate_while_one_is_queued_returns_the_queued_task(self, users, exam):
        first = start_exam_completion("learner", str(exam.exam.usage_key), 1.0)
        second = start_exam_completion("learner", str(exam.exam.usage_key), 1.0)
        clearing = start_exam_completion("learner", str(exam.exam.usage_key), 0.0)

        assert second.pk == first.pk
        assert clearing.pk != first.pk
        assert InstructorTask.objects.filter(task_type=EXAM_COMPLETION_TASK).count() == 2

    @pytest.mark.parametrize(
        ("identifier", "content_id", "logged"),
        [
            ("nobody", "block-v1:TestX+T101+2026+type@sequential+block@exam", "User does not exist!"),
            ("learner", "not a usage key", "Invalid content_id!"),
            ("learner", "block-v1:TestX+T101+2026+type@sequential+block@nope", "Block not found in the course!"),
        ],
    )
    def test_bad_input_is_logged_not_raised(
        self, instructor_service, users, exam, caplog, identifier, content_id, logged
    ):
        with caplog.at_level(logging.ERROR, logger="instructor_plugin.completion"):
            instructor_service.complete_student_attempt(identifier, content_id)

        assert logged in caplog.text
        assert not InstructorTask.objects.exists()


class TestDeleteStudentAttempt:
    def test_deletes_the_exam_problem_state_and_clears_completion(self, instructor_service, users, exam, run_on_commit):
        learner = users["learner"]
        for block in (exam.q1, exam.hw_q):
            give_state(learner, block, score=1.0)
        with run_on_commit():
            instructor_service.complete_student_attempt("learner", str(exam.exam.usage_key))

        with run_on_commit():
            instructor_service.delete_student_attempt(
                "learner", COURSE_ID, str(exam.exam.usage_key), requesting_user=users["course_staff"]
            )

        assert list(ProblemState.objects.filter(user=learner).values_list("usage_key", flat=True)) == [
            exam.hw_q.usage_key
        ]
        assert completions(learner) == {"exam_intro": 0.0, "exam_q1": 0.0, "exam_q2": 0.0}

    @pytest.mark.parametrize(
        ("identifier", "course_id", "content_id", "logged"),
        [
            ("nobody", COURSE_ID, "block-v1:TestX+T101+2026+type@sequential+block@exam", "User does not exist!"),
            ("learner", "not-a-course", "block-v1:TestX+T101+2026+type@sequential+block@exam", "Invalid course_id"),
            ("learner", COURSE_ID, "garbage", "Invalid content_id"),
            ("learner", COURSE_ID, "block-v1:OtherX+O1+2026+type@sequential+block@exam", "is not in course"),
        ],
    )
    def test_bad_input_is_logged_not_raised(
        self, instructor_service, users, exam, caplog, identifier, course_id, content_id, logged
    ):
        give_state(users["learner"], exam.q1, score=1.0)
        with caplog.at_level(logging.ERROR, logger="instructor_plugin.services"):
            instructor_service.delete_student_attempt(identifier, course_id, content_id, users["course_staff"])

        assert logged in caplog.text
        assert ProblemState.objects.count() == 1
        assert not InstructorTask.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("course_staff", True),
        ("instructor", True),
        ("global_staff", True),
        ("discussion_admin", True),
        ("data_researcher", False),
        ("beta_tester", False),
        ("learner", False),
        ("outsider", False),
    ],
)
def test_is_course_staff(instructor_service, users, role, expected):
    assert instructor_service.is_course_staff(users[role], COURSE_ID) is expected


def test_is_course_staff_is_false_for_a_malformed_course_id(instructor_service, users):
    assert instructor_service.is_course_staff(users["global_staff"], "not a course") is False


class TestSupportNotification:
    @pytest.fixture
    def escalation(self, course):
        course.proctoring_escalation_email = "proctoring@example.com"
        course.create_zendesk_tickets = True
        course.save()
        return course

    @pytest.fixture(autouse=True)
    def _run_on_commit(self, run_on_commit):
        self.run_on_commit = run_on_commit

    def notify(self, service, **overrides):
        arguments = {
            "course_id": COURSE_ID,
            "exam_name": "Final exam",
            "student_username": "learner",
            "review_status": "Suspicious",
            "review_url": "https://proctor.example.com/review/1",
        }
        with self.run_on_commit():
            service.send_support_notification(**{**arguments, **overrides})

    def test_mails_the_escalation_contact(self, instructor_service, escalation, mailoutbox):
        self.notify(instructor_service)

        (message,) = mailoutbox
        assert message.to == ["proctoring@example.com"]
        assert message.subject == "Proctored Exam Review: Suspicious"
        assert (
            "A proctored exam attempt for Final exam in Test Course by username: learner was reviewed as Suspicious"
            in message.body
        )
        assert "Review link: https://proctor.example.com/review/1" in message.body

    def test_without_a_review_url(self, instructor_service, escalation, mailoutbox):
        self.notify(instructor_service, review_url=None)

        assert "Review link: not available" in mailoutbox[0].body

    def test_nothing_unless_the_course_asks_for_tickets(self, instructor_service, escalation, mailoutbox):
        escalation.create_zendesk_tickets = False
        escalation.save()

        self.notify(instructor_service)

        assert mailoutbox == []

    @pytest.mark.parametrize("course_id", ["course-v1:TestX+NOPE+2026", "garbage"])
    def test_an_unknown_course_is_logged(self, instructor_service, escalation, mailoutbox, caplog, course_id):
        self.notify(instructor_service, course_id=course_id)

        assert mailoutbox == []
        assert "does not exist" in caplog.text


class TestProctoringEscalationEmail:
    def test_returns_the_course_setting(self, instructor_service, course, course_key):
        course.proctoring_escalation_email = "proctoring@example.com"
        course.save()

        assert instructor_service.get_proctoring_escalation_email(COURSE_ID) == "proctoring@example.com"
        assert instructor_service.get_proctoring_escalation_email(course_key) == "proctoring@example.com"

    @pytest.mark.parametrize("course_id", ["course-v1:TestX+NOPE+2026", "garbage"])
    def test_an_unknown_course_raises(self, instructor_service, course, course_id):
        with pytest.raises(ObjectDoesNotExist, match=re.escape(f"course_id={course_id}. This course does not exist.")):
            instructor_service.get_proctoring_escalation_email(course_id)


def _attempt(student, exam, requesting=None) -> ExamAttemptData:
    def user_data(user):
        return UserData(
            id=user.pk,
            is_active=True,
            pii=UserPersonalData(username=user.username, email=user.email, name=user.username),
        )

    return ExamAttemptData(
        student_user=user_data(student),
        course_key=exam.exam.course.course_key,
        usage_key=exam.exam.usage_key,
        exam_type="timed",
        requesting_user=user_data(requesting) if requesting else None,
    )


class TestExamSignals:
    def test_a_submitted_exam_is_marked_complete(self, users, exam, run_on_commit):
        with run_on_commit():
            EXAM_ATTEMPT_SUBMITTED.send_event(exam_attempt=_attempt(users["learner"], exam))

        assert completions(users["learner"]) == {"exam_intro": 1.0, "exam_q1": 1.0, "exam_q2": 1.0}

    def test_a_reset_exam_loses_its_state_and_completion(self, users, exam, run_on_commit):
        learner = users["learner"]
        give_state(learner, exam.q2, score=2.0)
        BlockCompletion.objects.create(
            user=learner, course_key=exam.q2.course.course_key, usage_key=exam.q2.usage_key, completion=1.0
        )

        with run_on_commit():
            EXAM_ATTEMPT_RESET.send_event(exam_attempt=_attempt(learner, exam, users["course_staff"]))

        assert not ProblemState.objects.filter(user=learner).exists()
        assert completions(learner) == {"exam_intro": 0.0, "exam_q1": 0.0, "exam_q2": 0.0}

    def test_a_reset_without_a_requesting_user_is_logged(self, users, exam, caplog):
        give_state(users["learner"], exam.q2, score=2.0)

        EXAM_ATTEMPT_RESET.send_event(exam_attempt=_attempt(users["learner"], exam))

        assert "does not exist" in caplog.text
        assert ProblemState.objects.count() == 1
