"""Course email: recipients of each target, the sending task (batches, failures, no second copy), the dispatcher."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from instructor_plugin import bulk_email
from instructor_plugin.backends.builtin.mail import DjangoMailService
from instructor_plugin.backends.builtin.models import Cohort, CohortMembership, CourseEmailOptout
from instructor_plugin.backends.builtin.seed import DEMO_COHORTS, seed_demo_course
from instructor_plugin.backends.data import EmailTargets
from instructor_plugin.backends.registry import get_backend
from instructor_plugin.bulk_email import (
    BULK_EMAIL_TASK,
    InvalidEmailRequest,
    html_to_text,
    send_course_email,
    send_due_course_emails,
    validate_targets,
)
from instructor_plugin.instructor_tasks import execute_task
from instructor_plugin.models import CourseEmail, CourseEmailDelivery, CourseEmailSchedule, InstructorTask
from tests.conftest import enroll, grant, make_user


@pytest.fixture
def people(users, course_key) -> dict:
    """The matrix users, plus verified learners in cohorts, an org-level staff and an opted-out learner."""
    blue = Cohort.objects.create(course_key=course_key, name="Blue")
    red = Cohort.objects.create(course_key=course_key, name="Red")
    extra = {
        "blue_verified": make_user("blue_verified", language="fr"),
        "red_audit": make_user("red_audit"),
        "opted_out": make_user("opted_out"),
        "org_staff": make_user("org_staff"),
        "inactive": make_user("inactive", is_active=False),
        "unenrolled": make_user("unenrolled"),
    }
    enroll(extra["blue_verified"], course_key, mode="verified")
    enroll(extra["red_audit"], course_key)
    enroll(extra["opted_out"], course_key, mode="verified")
    enroll(extra["inactive"], course_key)
    enroll(extra["unenrolled"], course_key, is_active=False)
    grant(extra["org_staff"], course_key, "staff", org_level=True)
    CohortMembership.objects.create(cohort=blue, user=extra["blue_verified"], course_key=course_key)
    CohortMembership.objects.create(cohort=red, user=extra["red_audit"], course_key=course_key)
    CohortMembership.objects.create(cohort=blue, user=extra["opted_out"], course_key=course_key)
    CourseEmailOptout.objects.create(user=extra["opted_out"], course_key=course_key)
    return {**users, **extra}


def recipients(course_key, **targets) -> list[str]:
    rows = get_backend().enrollments.iter_email_recipients(course_key, EmailTargets(**targets))
    return sorted(row.email.split("@")[0] for row in rows)


class TestRecipients:
    def test_learners_are_active_enrolled_non_staff_who_did_not_opt_out(self, people, course_key):
        assert recipients(course_key, learners=True) == ["beta_tester", "blue_verified", "learner", "red_audit"]

    def test_staff_are_course_and_org_staff_and_instructors(self, people, course_key):
        expected = ["course_staff", "discussion_admin", "instructor", "org_staff"]
        assert recipients(course_key, staff=True) == expected

    def test_myself_is_the_sender(self, people, course_key):
        assert recipients(course_key, myself_id=people["outsider"].pk) == ["outsider"]

    def test_cohort_and_track_select_their_members_without_the_opted_out(self, people, course_key):
        assert recipients(course_key, cohorts=("Blue",)) == ["blue_verified"]
        assert recipients(course_key, modes=("verified",)) == ["blue_verified"]
        assert recipients(course_key, cohorts=("Red",), modes=("verified",)) == ["blue_verified", "red_audit"]

    def test_union_lists_a_learner_in_several_targets_once(self, people, course_key):
        targets = {"learners": True, "cohorts": ("Blue",), "modes": ("verified",), "staff": True}
        rows = recipients(course_key, **targets, myself_id=people["instructor"].pk)
        assert len(rows) == len(set(rows)) == 8
        count = get_backend().enrollments.count_email_recipients(course_key, EmailTargets(**targets))
        assert count == 8

    def test_rows_carry_name_and_language(self, people, course_key):
        (row,) = get_backend().enrollments.iter_email_recipients(course_key, EmailTargets(cohorts=("Blue",)))
        assert (row.user_id, row.full_name, row.language) == (people["blue_verified"].pk, "Blue_Verified", "fr")

    def test_validation_keeps_known_targets_once_and_refuses_the_rest(self, people, course_key):
        targets = ["learners", "Staff", "cohort:Blue", "track:verified", "learners"]
        assert validate_targets(course_key, targets) == ["learners", "staff", "cohort:Blue", "track:verified"]
        for bad, code in [
            (["cohort:Green"], "unknown_cohort"),
            (["track:honor"], "unknown_track"),
            (["everyone"], "unknown_target"),
            (["cohort:"], "unknown_target"),
            ([], "no_targets"),
        ]:
            with pytest.raises(InvalidEmailRequest) as caught:
                validate_targets(course_key, bad)
            assert caught.value.error_code == code


def test_html_to_text_keeps_lines_and_decodes_entities():
    assert html_to_text("<p>Hello &amp; welcome</p><p>Line<br>two</p>") == "Hello & welcome\nLine\ntwo"


def send(course_key, sender, targets, **kwargs) -> InstructorTask:
    return send_course_email(course_key, sender.pk, "Week 2 & more", "<p>Read <b>this</b></p>", targets, **kwargs)


class TestSendingTask:
    def test_each_recipient_gets_one_message_and_a_sent_row(
        self, people, course_key, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            task = send(course_key, people["instructor"], ["learners", "cohort:Blue", "myself"])

        task.refresh_from_db()
        assert task.state == InstructorTask.COMPLETED, task.error
        addresses = sorted(message.to[0] for message in mailoutbox)
        assert addresses == sorted(
            f"{name}@example.com" for name in ("beta_tester", "blue_verified", "learner", "red_audit", "instructor")
        )
        message = mailoutbox[0]
        assert message.subject == "Week 2 & more"
        assert "Read this" in message.body
        assert "<p>Read <b>this</b></p>" in message.alternatives[0][0]
        email = CourseEmail.objects.get()
        assert set(email.deliveries.values_list("state", flat=True)) == {CourseEmailDelivery.SENT}
        assert task.output["sent"] == 5
        assert task.progress_current == task.progress_total == 5

    def test_running_the_task_again_sends_nobody_a_second_copy(
        self, people, course_key, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            task = send(course_key, people["instructor"], ["learners"])
        assert len(mailoutbox) == 4

        execute_task(str(task.task_id))  # a repeated delivery of a finished task is ignored
        InstructorTask.objects.filter(pk=task.pk).update(
            state=InstructorTask.PENDING, active_key=None, progress_current=0
        )
        execute_task(str(task.task_id))  # re-executed after a crash: every recipient is already claimed

        task.refresh_from_db()
        assert len(mailoutbox) == 4
        assert task.state == InstructorTask.COMPLETED
        assert (task.output["sent"], task.output["skipped"]) == (0, 4)
        assert CourseEmailDelivery.objects.count() == 4

    def test_a_recipient_claimed_before_a_crash_is_not_sent_again(
        self, people, course_key, mailoutbox, django_capture_on_commit_callbacks
    ):
        task = send(course_key, people["instructor"], ["learners"])
        email = CourseEmail.objects.get()
        CourseEmailDelivery.objects.create(email=email, user=people["learner"], address="learner@example.com")

        execute_task(str(task.task_id))

        assert sorted(message.to[0] for message in mailoutbox) == [
            "beta_tester@example.com",
            "blue_verified@example.com",
            "red_audit@example.com",
        ]
        assert email.deliveries.get(user=people["learner"]).state == CourseEmailDelivery.CLAIMED

    def test_a_failing_send_is_recorded_and_the_others_still_get_theirs(
        self, people, course_key, mailoutbox, monkeypatch
    ):
        real_send = DjangoMailService.send

        def flaky_send(service, message):
            if message.recipient_email == "learner@example.com":
                raise ConnectionError("SMTP refused")
            real_send(service, message)

        monkeypatch.setattr(DjangoMailService, "send", flaky_send)
        task = send(course_key, people["instructor"], ["learners"])

        execute_task(str(task.task_id))

        task.refresh_from_db()
        assert len(mailoutbox) == 3
        failed = CourseEmailDelivery.objects.get(user=people["learner"])
        assert (failed.state, failed.error) == (CourseEmailDelivery.FAILED, "SMTP refused")
        assert (task.output["succeeded"], task.output["failed"]) == (3, 1)
        assert task.results.get(succeeded=False).message == "SMTP refused"

    def test_recipients_are_sent_in_batches_with_progress(self, people, course_key, mailoutbox, settings, monkeypatch):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "BULK_EMAIL_BATCH_SIZE": 3}
        for number in range(5):
            enroll(make_user(f"more{number}"), course_key)
        seen = []
        claim = bulk_email._claimed
        monkeypatch.setattr(bulk_email, "_claimed", lambda email, batch: seen.append(len(batch)) or claim(email, batch))
        task = send(course_key, people["instructor"], ["learners"])

        execute_task(str(task.task_id))

        task.refresh_from_db()
        assert seen == [3, 3, 3]
        assert len(mailoutbox) == 9
        assert task.progress_current == task.progress_total == 9


class TestSchedulingAndDispatch:
    def test_a_scheduled_email_waits_pending_until_the_dispatcher_queues_it(
        self, people, course_key, mailoutbox, django_capture_on_commit_callbacks
    ):
        due = timezone.now() + timedelta(hours=1)
        later = timezone.now() + timedelta(days=2)
        with django_capture_on_commit_callbacks(execute=True):
            task = send(course_key, people["instructor"], ["staff"], schedule=due)
            waiting = send(course_key, people["instructor"], ["staff"], schedule=later)
        assert mailoutbox == []
        assert CourseEmailSchedule.objects.get(task=task).state == CourseEmailSchedule.SCHEDULED
        task.refresh_from_db()
        assert task.state == InstructorTask.PENDING

        with django_capture_on_commit_callbacks(execute=True):
            assert send_due_course_emails(now=due - timedelta(minutes=1)) == 0
        with django_capture_on_commit_callbacks(execute=True):
            assert send_due_course_emails(now=due + timedelta(minutes=1)) == 1

        task.refresh_from_db()
        assert task.state == InstructorTask.COMPLETED
        assert len(mailoutbox) == 4
        assert CourseEmailSchedule.objects.get(task=task).state == CourseEmailSchedule.QUEUED
        assert CourseEmailSchedule.objects.get(task=waiting).state == CourseEmailSchedule.SCHEDULED
        with django_capture_on_commit_callbacks(execute=True):
            assert send_due_course_emails(now=due + timedelta(minutes=2)) == 0
        assert len(mailoutbox) == 4

    def test_a_past_schedule_is_refused(self, people, course_key):
        with pytest.raises(InvalidEmailRequest) as caught:
            send(course_key, people["instructor"], ["staff"], schedule=timezone.now() - timedelta(seconds=1))
        assert caught.value.error_code == "schedule_in_past"
        assert not CourseEmail.objects.exists()

    def test_the_management_command_runs_the_dispatcher(
        self, people, course_key, mailoutbox, django_capture_on_commit_callbacks
    ):
        task = send(course_key, people["instructor"], ["myself"], schedule=timezone.now() + timedelta(hours=1))
        CourseEmailSchedule.objects.filter(task=task).update(due=timezone.now() - timedelta(seconds=1))
        out = StringIO()

        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_due_course_emails", stdout=out)

        assert out.getvalue().strip() == "Queued 1 scheduled course email(s)."
        assert [message.to for message in mailoutbox] == [["instructor@example.com"]]

    def test_the_beat_task_calls_the_dispatcher(self, monkeypatch):
        calls = []
        monkeypatch.setattr(bulk_email, "send_due_course_emails", lambda: calls.append(1) or 3)
        assert bulk_email.send_due_course_emails_task.apply().get() == 3
        assert calls == [1]
        assert bulk_email.send_due_course_emails_task.name == "instructor_plugin.send_due_course_emails"

    def test_the_task_type_is_registered(self, people, course_key):
        task = send(course_key, people["instructor"], ["staff"], schedule=timezone.now() + timedelta(hours=1))
        assert task.task_type == BULK_EMAIL_TASK
        assert task.scope == f"email:{task.task_input['email_id']}"


def test_the_demo_seed_has_cohorts_and_an_opted_out_learner(db):
    result = seed_demo_course(learners=4)

    cohorts = get_backend().cohorts.list_cohorts(result.course_key)
    assert [(c.name, c.user_count) for c in cohorts] == [(DEMO_COHORTS[0], 2), (DEMO_COHORTS[1], 2)]
    learners = recipients(result.course_key, learners=True)
    assert "learner3" not in learners
    assert {"learner1", "learner2", "learner4"} <= set(learners)
