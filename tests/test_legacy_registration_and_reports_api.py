"""Legacy account creation from a CSV, and the proctored-exam and survey reports of the legacy API."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import (
    Cohort,
    CohortMembership,
    CohortSettings,
    Course,
    CourseEnrollment,
    ExamAttempt,
    ManualEnrollmentAudit,
    SpecialExam,
    SurveyAnswer,
    UserProfile,
)
from instructor_plugin.instructor_tasks import create_task_record
from instructor_plugin.models import InstructorTask, Report
from instructor_plugin.reports import PROCTORED_EXAM_RESULTS_HEADER, open_report, report_task_type
from tests.conftest import COURSE_ID, enroll, make_user, v2

User = get_user_model()
REGISTER = f"/courses/{COURSE_ID}/instructor/api/register_and_enroll_students"
PENDING = "To view the status of the report, see Pending Tasks below."


@pytest.fixture(autouse=True)
def run_tasks(django_capture_on_commit_callbacks, monkeypatch):
    """Tasks and messages queued by a request run as its transaction would commit."""

    def post(self, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(self, *args, **kwargs)

    original = APIClient.post
    monkeypatch.setattr(APIClient, "post", post)


@pytest.fixture
def signups(settings):
    settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "ALLOW_AUTOMATED_SIGNUPS": True}
    return settings


@pytest.fixture
def staff(client, users):
    client.force_authenticate(users["course_staff"])
    return client


def register(client, content: bytes, name: str = "accounts.csv", **fields):
    return client.post(REGISTER, {"students_list": SimpleUploadedFile(name, content), **fields}, format="multipart")


def is_enrolled(username: str, course_key) -> bool:
    return CourseEnrollment.objects.filter(user__username=username, course_key=course_key, is_active=True).exists()


class TestRegisterAndEnrollStudents:
    def test_creates_and_enrolls_each_account_and_tells_the_learner(
        self, signups, staff, users, course_key, mailoutbox
    ):
        response = register(
            staff, b"ann@example.com,ann,Ann Lee,US\nbob@example.com,bob,Bob,FR\n", **{"email-students": "on"}
        )

        assert response.status_code == 200
        assert response.json() == {"row_errors": [], "general_errors": [], "warnings": []}
        ann = User.objects.get(username="ann")
        assert (ann.email, ann.is_active, ann.has_usable_password()) == ("ann@example.com", True, True)
        assert (ann.builtin_profile.name, ann.builtin_profile.country) == ("Ann Lee", "US")
        assert is_enrolled("ann", course_key) and is_enrolled("bob", course_key)
        audit = ManualEnrollmentAudit.objects.get(enrolled_email="ann@example.com")
        assert (audit.enrolled_by, audit.reason, audit.state_transition) == (
            users["course_staff"],
            "Enrolling via csv upload",
            "from unenrolled to enrolled",
        )
        assert sorted(message.to[0] for message in mailoutbox) == ["ann@example.com", "bob@example.com"]
        body = mailoutbox[0].body
        assert "Your username is" in body and "/password_reset/" in body

    def test_without_email_students_no_message_is_sent(self, signups, staff, users, mailoutbox):
        register(staff, b"ann@example.com,ann,Ann,US\n")

        assert User.objects.filter(username="ann").exists()
        assert mailoutbox == []

    def test_an_existing_email_enrolls_that_account_with_a_warning(self, signups, staff, users, course_key, mailoutbox):
        body = register(staff, b"outsider@example.com,someone_else,X,US\n", **{"email-students": "on"}).json()

        assert body["warnings"] == [
            {
                "username": "someone_else",
                "email": "outsider@example.com",
                "response": "An account with email outsider@example.com exists but the provided username "
                "someone_else is different. Enrolling anyway with outsider@example.com.",
            }
        ]
        assert is_enrolled("outsider", course_key)
        assert not User.objects.filter(username="someone_else").exists()
        assert [message.to[0] for message in mailoutbox] == ["outsider@example.com"]

    def test_bad_rows_fail_alone(self, signups, staff, users, course_key):
        content = (
            b"not-an-email,carl,Carl,US\n"
            b"dan@example.com,learner,Dan,US\n"
            b'eve@example.com,=HYPERLINK("x"),Eve,US\n'
            b"fay@example.com,fay,Fay,France\n"
            b"too,few\n"
            b"\n"
            b'gus@example.com,gus,=cmd|" /C calc"!A0,US\n'
        )

        body = register(staff, content).json()

        assert body["row_errors"] == [
            {"username": "carl", "email": "not-an-email", "response": "Invalid email not-an-email."},
            {"username": "learner", "email": "dan@example.com", "response": "Username learner already exists."},
            {
                "username": '=HYPERLINK("x")',
                "email": "eve@example.com",
                "response": 'Invalid username =HYPERLINK("x").',
            },
            {
                "username": "fay",
                "email": "fay@example.com",
                "response": "Invalid country France: use its two-letter code.",
            },
        ]
        assert body["general_errors"] == [
            {
                "username": "",
                "email": "",
                "response": "Data in row #5 must have exactly four columns: email, username, full name, and country.",
            }
        ]
        assert set(User.objects.filter(email__endswith="@example.com").values_list("username", flat=True)) >= {"gus"}
        assert UserProfile.objects.get(user__username="gus").name == '=cmd|" /C calc"!A0'
        assert not User.objects.filter(username__in=["carl", "fay"]).exists()
        assert not User.objects.filter(email="dan@example.com").exists()
        assert is_enrolled("gus", course_key)

    def test_cohort_and_mode_columns(self, signups, staff, users, course_key, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "ENABLE_AUTOMATED_SIGNUPS_EXTRA_FIELDS": True}
        CohortSettings.objects.create(course_key=course_key, is_cohorted=True)
        blue = Cohort.objects.create(course_key=course_key, name="Blue")

        body = register(staff, b"ann@example.com,ann,Ann,US,Blue,verified\nbob@example.com,bob,Bob,US,,gold\n").json()

        assert CohortMembership.objects.get(cohort=blue).user.username == "ann"
        assert CourseEnrollment.objects.get(user__username="ann").mode == "verified"
        assert CourseEnrollment.objects.get(user__username="bob").mode == "audit"
        assert [row["response"] for row in body["row_errors"]] == [
            "Invalid course mode: gold. Falling back to the default mode, or keeping the current mode in case the "
            "user is already enrolled."
        ]

    def test_an_unknown_cohort_is_reported_once(self, signups, staff, users, course_key, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "ENABLE_AUTOMATED_SIGNUPS_EXTRA_FIELDS": True}
        CohortSettings.objects.create(course_key=course_key, is_cohorted=True)

        body = register(staff, b"ann@example.com,ann,Ann,US,Nope\nbob@example.com,bob,Bob,US,Nope\n").json()

        assert [row["response"] for row in body["row_errors"]] == [
            "Cohort name not found: Nope. Ignoring cohort assignment for all users."
        ]
        assert is_enrolled("ann", course_key) and is_enrolled("bob", course_key)

    @pytest.mark.parametrize(
        ("files", "message"),
        [
            ({}, "File is not attached."),
            (
                {"students_list": SimpleUploadedFile("a.txt", b"a@example.com,a,A,US\n")},
                "Make sure that the file you upload is in CSV format with no extraneous characters or rows.",
            ),
            ({"students_list": SimpleUploadedFile("a.csv", b"\xff\xfe\x00")}, "Could not read uploaded file."),
        ],
    )
    def test_file_problems_are_general_errors(self, signups, staff, users, files, message):
        response = staff.post(REGISTER, files, format="multipart")

        assert response.status_code == 200
        assert response.json()["general_errors"] == [{"username": "", "email": "", "response": message}]
        assert User.objects.count() == len(users)

    def test_refused_when_the_site_does_not_allow_signups(self, staff, users):
        response = register(staff, b"ann@example.com,ann,Ann,US\n")

        assert response.status_code == 403
        assert response.json()["error_code"] == "automated_signups_disabled"
        assert not User.objects.filter(username="ann").exists()

    def test_researcher_is_refused(self, signups, client, users):
        client.force_authenticate(users["data_researcher"])

        assert register(client, b"ann@example.com,ann,Ann,US\n").status_code == 403
        assert not User.objects.filter(username="ann").exists()

    def test_get_and_csrf(self, signups, users):
        session = APIClient(enforce_csrf_checks=True)
        session.login(username="course_staff", password="edx")
        session.cookies["csrftoken"] = "a" * 32
        files = {"students_list": SimpleUploadedFile("a.csv", b"ann@example.com,ann,Ann,US\n")}

        assert session.get(REGISTER).status_code == 405
        assert session.post(REGISTER, files, format="multipart").status_code == 403
        assert not User.objects.filter(username="ann").exists()


def report_rows(task: InstructorTask) -> list[list[str]]:
    with open_report(Report.objects.get(task=task)) as file:
        return list(csv.reader(io.StringIO(file.read().decode())))


class TestProctoredExamResults:
    URL = f"/courses/{COURSE_ID}/instructor/api/get_proctored_exam_results"

    def test_queues_the_report_of_the_proctored_attempts(self, staff, users, course_key):
        Course.objects.update(proctoring_provider="proctortrack")
        exam = SpecialExam.objects.create(
            course_key=course_key,
            content_id="block-v1:TestX+T101+2026+type@sequential+block@final",
            exam_name="Final",
            time_limit_mins=60,
            is_proctored=True,
        )
        timed = SpecialExam.objects.create(
            course_key=course_key,
            content_id="block-v1:TestX+T101+2026+type@sequential+block@quiz",
            exam_name="Quiz",
            time_limit_mins=10,
        )
        CourseEnrollment.objects.filter(user=users["learner"]).update(mode="verified")
        started = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
        ExamAttempt.objects.create(
            exam=exam, user=users["learner"], status="submitted", started_at=started, allowed_time_limit_mins=60
        )
        ExamAttempt.objects.create(exam=timed, user=users["learner"], status="submitted")

        response = staff.post(self.URL)

        assert response.json() == {"status": f"The proctored exam results report is being created. {PENDING}"}
        rows = report_rows(InstructorTask.objects.get(task_type=report_task_type("proctored_exam_results")))
        assert rows[0] == list(PROCTORED_EXAM_RESULTS_HEADER)
        assert rows[1:] == [
            [
                COURSE_ID,
                "proctortrack",
                "verified",
                "Final",
                "learner",
                "learner@example.com",
                "",
                "60",
                "False",
                started.isoformat(),
                "",
                "submitted",
                "",
                "0",
                "",
                "0",
                "",
            ]
        ]

    def test_one_still_running_is_a_400(self, staff, course_key):
        create_task_record(report_task_type("proctored_exam_results"), course_key, None, {})

        response = staff.post(self.URL)

        assert response.status_code == 400
        assert response.json()["error_code"] == "task_already_running"

    def test_researcher_is_refused(self, client, users):
        client.force_authenticate(users["data_researcher"])

        assert client.post(self.URL).status_code == 403
        assert not InstructorTask.objects.exists()

    def test_not_a_v2_report_type(self, api_v2_on, client, users):
        client.force_authenticate(users["global_staff"])

        response = client.post(v2(suffix="/reports/proctored_exam_results/generate"), {}, format="json")

        assert response.status_code == 400
        assert not InstructorTask.objects.exists()


class TestCourseSurveyResults:
    URL = f"/courses/{COURSE_ID}/instructor/api/get_course_survey_results"

    def test_one_row_per_learner_one_column_per_field(self, client, users, course_key):
        client.force_authenticate(users["data_researcher"])
        for user, answers in ((users["learner"], {"goal": "=1+1", "age": "30"}), (users["beta_tester"], {"team": "B"})):
            for name, value in answers.items():
                SurveyAnswer.objects.create(
                    user=user, course_key=course_key, form_name="intro", field_name=name, field_value=value
                )
        other = make_user("elsewhere")
        enroll(other, course_key)
        SurveyAnswer.objects.create(
            user=other, course_key="course-v1:TestX+Other+2026", form_name="intro", field_name="other", field_value="x"
        )

        response = client.post(self.URL)

        assert response.json() == {"status": f"The survey report is being created. {PENDING}"}
        rows = report_rows(InstructorTask.objects.get())
        learner, beta = users["learner"], users["beta_tester"]
        assert rows == [
            ["User ID", "User Name", "Email", "age", "goal", "team"],
            [str(learner.pk), "learner", "learner@example.com", "30", "'=1+1", ""],
            [str(beta.pk), "beta_tester", "beta_tester@example.com", "", "", "B"],
        ]

    def test_a_field_answered_on_two_forms_shows_the_later_answer(self, client, users, course_key):
        client.force_authenticate(users["data_researcher"])
        for form, value in (("intro", "first"), ("outro", "later")):
            SurveyAnswer.objects.create(
                user=users["learner"], course_key=course_key, form_name=form, field_name="goal", field_value=value
            )

        client.post(self.URL)

        learner = users["learner"]
        assert report_rows(InstructorTask.objects.get()) == [
            ["User ID", "User Name", "Email", "goal"],
            [str(learner.pk), "learner", "learner@example.com", "later"],
        ]

    def test_learner_is_refused(self, client, users):
        client.force_authenticate(users["learner"])

        assert client.post(self.URL).status_code == 403
        assert not InstructorTask.objects.exists()
