"""Report bodies of every type, the report store, and formula-injection protection."""

from __future__ import annotations

import csv
import gc
import io
import tempfile
import tracemalloc
import uuid
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.safestring import SafeString

from instructor_plugin.backends.builtin import enrollments as builtin_enrollments
from instructor_plugin.backends.builtin.models import (
    Block,
    Cohort,
    CohortMembership,
    CohortSettings,
    CourseEnrollment,
    CourseEnrollmentAllowed,
    CourseGrade,
    GeneratedCertificate,
    OpenResponseSubmission,
    ProblemState,
    UserProfile,
)
from instructor_plugin.backends.registry import get_backend
from instructor_plugin.exceptions import InstructorError
from instructor_plugin.instructor_tasks import AlreadyRunning, TaskRun
from instructor_plugin.models import InstructorTask, Report
from instructor_plugin.reports import (
    DEFAULT_PROFILE_FIELDS,
    CsvBody,
    InvalidReportRequest,
    UnknownReportType,
    csv_body,
    enrolled_students_features,
    list_reports,
    neutralize_cell,
    open_report,
    start_report,
    write_csv,
)
from tests.conftest import enroll, make_user

User = get_user_model()


@pytest.fixture
def report_storage(file_storages) -> FileSystemStorage:
    return FileSystemStorage(location=file_storages["REPORT_STORAGE"])


@pytest.fixture
def blocks(course, course_key) -> dict:
    """A unit holding two scored problems and an open-response assessment, under Week 1."""
    week1 = Block.objects.get(course=course, block_type="chapter")
    unit = Block.objects.create(
        course=course,
        usage_key=course_key.make_usage_key("vertical", "unit1"),
        block_type="vertical",
        display_name="Unit 1",
        parent=week1,
        position=2,
    )
    made = {"unit": unit}
    for position, (block_type, block_id, name) in enumerate(
        [("problem", "q1", "Question 1"), ("problem", "q2", "Question 2"), ("openassessment", "essay", "Essay")],
        start=3,
    ):
        made[block_id] = Block.objects.create(
            course=course,
            usage_key=course_key.make_usage_key(block_type, block_id),
            block_type=block_type,
            display_name=name,
            parent=unit,
            position=position,
            has_score=True,
        )
    return made


def bulk_learners(course_key, count: int) -> None:
    """``count`` more enrolled learners with profiles, written in bulk."""
    first = User.objects.count()
    names = [f"bulk{first + i}" for i in range(count)]
    User.objects.bulk_create(User(username=name, email=f"{name}@example.com", password="!") for name in names)
    people = list(User.objects.filter(username__in=names))
    UserProfile.objects.bulk_create(UserProfile(user=user, name=user.username, city="Lagos") for user in people)
    CourseEnrollment.objects.bulk_create(CourseEnrollment(user=user, course_key=course_key) for user in people)


def generate(course_key, report_type: str, requester, django_capture_on_commit_callbacks, **options) -> Report:
    with django_capture_on_commit_callbacks(execute=True):
        task = start_report(course_key, report_type, requester.pk, options)
    task.refresh_from_db()
    assert task.state == InstructorTask.COMPLETED, task.error
    return Report.objects.get(task=task)


def read_csv(report: Report) -> list[list[str]]:
    with open_report(report) as content:
        return list(csv.reader(io.TextIOWrapper(content, encoding="utf-8", newline="")))


@pytest.fixture
def researcher(users):
    return users["data_researcher"]


class TestNeutralizeCell:
    @pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
    def test_formula_starts_get_a_quote(self, text):
        assert neutralize_cell(text) == f"'{text}"

    @pytest.mark.parametrize(("value", "expected"), [("Ada", "Ada"), (None, ""), (-1.5, -1.5), (3, 3), (True, "True")])
    def test_other_values(self, value, expected):
        assert neutralize_cell(value) == expected

    @pytest.mark.parametrize(("value", "expected"), [("", ""), (SafeString("=1+1"), "'=1+1"), (SafeString("a"), "a")])
    def test_empty_text_and_string_subclasses(self, value, expected):
        assert neutralize_cell(value) == expected


class TestStore:
    def test_file_is_recorded_with_type_creator_task_and_size(
        self, report_storage, users, course_key, researcher, django_capture_on_commit_callbacks
    ):
        report = generate(course_key, "pending_enrollments", researcher, django_capture_on_commit_callbacks)

        assert report.report_type == "pending_enrollments"
        assert report.created_by == researcher
        assert report.task.task_type == "report_pending_enrollments"
        assert report.content_type == "text/csv"
        assert report.name.startswith("TestX_T101_2026_pending_enrollments_") and report.name.endswith(".csv")
        assert report.storage_path.startswith("instructor_reports/")
        assert str(course_key) not in report.storage_path
        assert report_storage.size(report.storage_path) == report.size > 0
        assert report.task.output["report_id"] == report.pk

    def test_listing_is_newest_first_and_per_course(
        self, report_storage, users, course_key, researcher, django_capture_on_commit_callbacks
    ):
        first = generate(course_key, "pending_enrollments", researcher, django_capture_on_commit_callbacks)
        second = generate(course_key, "pending_activations", researcher, django_capture_on_commit_callbacks)
        Report.objects.create(course_key="course-v1:TestX+OTHER+2026", report_type="grade", name="x", storage_path="x")

        assert list_reports(course_key) == [second, first]

    def test_a_second_request_of_a_running_type_is_refused(self, report_storage, users, course_key, researcher):
        running = start_report(course_key, "grade", researcher.pk, {})

        with pytest.raises(AlreadyRunning) as refused:
            start_report(course_key, "grade", researcher.pk, {})
        assert refused.value.task == running
        start_report(course_key, "problem_grade", researcher.pk, {})

    def test_unknown_type(self, users, course_key, researcher):
        with pytest.raises(UnknownReportType, match="Invalid report type: cohort_results"):
            start_report(course_key, "cohort_results", researcher.pk, {})


class TestEnrolledStudents:
    def test_default_columns_and_rows(
        self, report_storage, users, course_key, researcher, django_capture_on_commit_callbacks
    ):
        evil = make_user("evil", name='=HYPERLINK("http://x")', city="-Paris", country="FR", year_of_birth=1990)
        enroll(evil, course_key, mode="verified")

        rows = read_csv(generate(course_key, "enrolled_students", researcher, django_capture_on_commit_callbacks))

        assert rows[0] == [*DEFAULT_PROFILE_FIELDS, "city", "country"]
        by_username = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
        assert set(by_username) == {"learner", "beta_tester", "evil"}
        assert by_username["evil"]["name"] == '\'=HYPERLINK("http://x")'
        assert by_username["evil"]["city"] == "'-Paris"
        assert by_username["evil"]["country"] == "FR"
        assert by_username["evil"]["year_of_birth"] == "1990"
        assert by_username["evil"]["enrollment_mode"] == "verified"
        assert by_username["evil"]["email"] == "evil@example.com"
        assert [int(row[0]) for row in rows[1:]] == sorted(int(row[0]) for row in rows[1:])

    def test_site_fields_org_additions_private_fields_and_teams(self, settings, course, course_key):
        settings.INSTRUCTOR_PLUGIN = {
            **settings.INSTRUCTOR_PLUGIN,
            "SITE_CONFIGURATION": {
                "student_profile_download_fields": ["id", "username", "email", "city"],
                "orgs": {"TestX": {"additional_student_profile_attributes": ["goals", "gender"]}},
            },
            "PROFILE_INFORMATION_REPORT_PRIVATE_FIELDS": ["email", "gender"],
        }
        course.teams_enabled = True
        course.save()

        assert enrolled_students_features(course_key) == ["id", "username", "goals", "team", "city", "country"]

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("goals", "Invalid additional student attribute configuration: expected list of strings, got str."),
            (["goals", 3], "Invalid additional student attribute configuration: all entries must be strings."),
            (
                ["goals", ""],
                "Invalid additional student attribute configuration: empty attribute names are not allowed.",
            ),
            (["goals", "shoe_size", "pet"], "Invalid additional student attributes: shoe_size, pet"),
        ],
    )
    def test_invalid_org_additions(self, settings, course, course_key, value, message):
        settings.INSTRUCTOR_PLUGIN = {
            **settings.INSTRUCTOR_PLUGIN,
            "SITE_CONFIGURATION": {"orgs": {"TestX": {"additional_student_profile_attributes": value}}},
        }

        with pytest.raises(InvalidReportRequest) as invalid:
            enrolled_students_features(course_key)
        assert str(invalid.value) == message


def test_pending_enrollments(report_storage, users, course_key, researcher, django_capture_on_commit_callbacks):
    CourseEnrollmentAllowed.objects.create(email="invited@example.com", course_key=course_key)
    CourseEnrollmentAllowed.objects.create(email="learner@example.com", course_key=course_key)
    CourseEnrollmentAllowed.objects.create(email="=cmd@example.com", course_key=course_key)
    CourseEnrollmentAllowed.objects.create(email="elsewhere@example.com", course_key="course-v1:TestX+OTHER+2026")

    rows = read_csv(generate(course_key, "pending_enrollments", researcher, django_capture_on_commit_callbacks))

    assert rows == [["email"], ["'=cmd@example.com"], ["invited@example.com"]]


def test_pending_enrollments_match_enrolled_emails_ignoring_case_and_wildcards(
    report_storage, users, course_key, researcher, django_capture_on_commit_callbacks
):
    enroll(make_user("Mixed.Case"), course_key)
    enroll(make_user("underxscore"), course_key)
    make_user("not_enrolled")
    for email in (
        "mixed.case@example.com",
        "under%@example.com",
        "under_score@example.com",
        "not_enrolled@example.com",
    ):
        CourseEnrollmentAllowed.objects.create(email=email, course_key=course_key)

    rows = read_csv(generate(course_key, "pending_enrollments", researcher, django_capture_on_commit_callbacks))

    # Mixed.Case@example.com took up "mixed.case@"; "under%" and "under_score" are not patterns matching underxscore.
    # (In the database's order, which puts "%" and "_" apart differently on MariaDB.)
    assert rows[0] == ["email"]
    assert sorted(rows[1:]) == [["not_enrolled@example.com"], ["under%@example.com"], ["under_score@example.com"]]


def test_thousands_of_pending_enrollments_are_read_in_one_query(users, course_key, django_assert_num_queries):
    enroll(make_user("enrolled"), course_key)
    invited = [f"invited{number:04}@example.com" for number in range(2001)]
    CourseEnrollmentAllowed.objects.bulk_create(
        CourseEnrollmentAllowed(email=email, course_key=course_key) for email in [*invited, "enrolled@example.com"]
    )
    body = csv_body("pending_enrollments", course_key)

    # Every keyset query is another plan and start-up (on PostgreSQL, parallel workers'): 10,000 emails a query.
    with django_assert_num_queries(1):
        rows = list(body.rows)

    assert rows == [(email,) for email in invited]


def test_pending_activations(report_storage, users, course_key, researcher, django_capture_on_commit_callbacks):
    enroll(make_user("inactive", is_active=False), course_key)
    make_user("inactive_not_enrolled", is_active=False)

    rows = read_csv(generate(course_key, "pending_activations", researcher, django_capture_on_commit_callbacks))

    assert rows == [["email"], ["inactive@example.com"]]


def test_anonymized_ids_are_stable_and_per_course(
    report_storage, users, course_key, researcher, django_capture_on_commit_callbacks
):
    first = read_csv(generate(course_key, "anonymized_student_ids", researcher, django_capture_on_commit_callbacks))
    second = read_csv(generate(course_key, "anonymized_student_ids", researcher, django_capture_on_commit_callbacks))

    assert first[0] == ["User ID", "Anonymized User ID", "Course Specific Anonymized User ID"]
    assert [int(row[0]) for row in first[1:]] == sorted([users["learner"].pk, users["beta_tester"].pk])
    assert first == second
    for _, site_wide, course_specific in first[1:]:
        assert len(site_wide) == len(course_specific) == 32 and site_wide != course_specific


class TestGrades:
    @pytest.fixture
    def graded(self, course, course_key, users, blocks):
        course.grading_policy = {"GRADER": [{"type": "Homework", "weight": 0.5}, {"type": "Exam", "weight": 0.5}]}
        course.save()
        learner = users["learner"]
        CourseGrade.objects.create(
            user=learner, course_key=course_key, percent=0.75, letter_grade="Pass", passed=True,
            breakdown={"Homework": 1.0, "Exam": 0.5},
        )  # fmt: skip
        ProblemState.objects.create(
            user=learner, course_key=course_key, usage_key=blocks["q1"].usage_key, attempts=2, score=1, max_score=1,
            state={"answer": "=2+2"},
        )  # fmt: skip
        ProblemState.objects.create(
            user=learner, course_key=course_key, usage_key=blocks["q2"].usage_key, attempts=0, score=None, max_score=2
        )
        return learner

    def test_grade_report(
        self, report_storage, graded, users, course_key, researcher, django_capture_on_commit_callbacks
    ):
        rows = read_csv(generate(course_key, "grade", researcher, django_capture_on_commit_callbacks))

        assert rows[0] == ["Student ID", "Email", "Username", "Grade", "Letter Grade", "Passed", "Homework", "Exam"]
        assert rows[1:] == sorted(
            [
                [str(graded.pk), "learner@example.com", "learner", "0.75", "Pass", "True", "1.0", "0.5"],
                [
                    str(users["beta_tester"].pk),
                    "beta_tester@example.com",
                    "beta_tester",
                    "0.0",
                    "",
                    "False",
                    "0.0",
                    "0.0",
                ],
            ],
            key=lambda row: int(row[0]),
        )

    def test_grade_report_rounds_to_four_digits_as_round_does_zeros_included(
        self, report_storage, graded, users, course_key, researcher, django_capture_on_commit_callbacks
    ):
        CourseGrade.objects.filter(user=graded).update(percent=0.333333, breakdown={"Homework": 2 / 3, "Exam": 0})
        CourseGrade.objects.create(
            user=users["beta_tester"], course_key=course_key, percent=0.0, letter_grade="", passed=False,
            breakdown={"Homework": 0.0, "Exam": False},
        )  # fmt: skip

        rows = read_csv(generate(course_key, "grade", researcher, django_capture_on_commit_callbacks))

        assert {row[2]: row[3:4] + row[6:] for row in rows[1:]} == {
            "learner": ["0.3333", "0.6667", "0"],
            "beta_tester": ["0.0", "0.0", "0"],
        }

    def test_problem_grade_report(
        self, report_storage, graded, users, course_key, researcher, django_capture_on_commit_callbacks
    ):
        rows = read_csv(generate(course_key, "problem_grade", researcher, django_capture_on_commit_callbacks))

        assert rows[0] == [
            "Student ID", "Email", "Username", "Grade",
            "Question 1 [q1] (Earned)", "Question 1 [q1] (Possible)",
            "Question 2 [q2] (Earned)", "Question 2 [q2] (Possible)",
            "Essay [essay] (Earned)", "Essay [essay] (Possible)",
        ]  # fmt: skip
        by_user = {row[2]: row for row in rows[1:]}
        assert by_user["learner"][3:] == ["0.75", "1.0", "1.0", "Not Attempted", "2.0", "Not Attempted", ""]
        assert by_user["beta_tester"][4:] == ["Not Attempted", ""] * 3

    @pytest.mark.parametrize("report_type", ["grade", "problem_grade"])
    def test_rows_are_tuples_a_collection_stops_watching(self, graded, course_key, report_type):
        # The writer holds a chunk of rows: lists would stay watched, outlive young collections and set off full ones.
        rows = list(csv_body(report_type, course_key).rows)
        gc.collect()

        assert len(rows) == 2
        assert not any(gc.is_tracked(row) for row in rows)

    def test_problem_responses_of_a_unit(
        self, report_storage, graded, blocks, course_key, researcher, django_capture_on_commit_callbacks
    ):
        location = str(blocks["unit"].usage_key)

        report = generate(
            course_key, "problem_responses", researcher, django_capture_on_commit_callbacks, problem_location=location
        )
        rows = read_csv(report)

        assert rows[0] == ["username", "title", "location", "attempts", "score", "max_score", "state"]
        assert [row[:6] for row in rows[1:]] == [
            ["learner", "Question 1", str(blocks["q1"].usage_key), "2", "1.0", "1.0"],
            ["learner", "Question 2", str(blocks["q2"].usage_key), "0", "", "2.0"],
        ]
        assert rows[1][6] == '{"answer": "=2+2"}'
        assert report.task.task_input["problem_location"] == location

    @pytest.mark.parametrize(
        ("location", "message"),
        [
            ("  ", "Specify Section or Problem block id is required."),
            ("not-a-key", "Invalid problem location format."),
            ("block-v1:TestX+T101+2026+type@problem+block@nope", "The problem location does not exist in this course."),
            ("block-v1:TestX+OTHER+2026+type@problem+block@q1", "The problem location does not exist in this course."),
        ],
    )
    def test_problem_location_is_validated(self, blocks, course_key, researcher, location, message):
        with pytest.raises(InstructorError) as invalid:
            start_report(course_key, "problem_responses", researcher.pk, {"problem_location": location})
        assert str(invalid.value) == message
        assert not InstructorTask.objects.exists()


class TestOpenResponses:
    @pytest.fixture
    def submissions(self, file_storages, report_storage, users, blocks, course_key):
        ora = FileSystemStorage(location=file_storages["ORA_FILE_STORAGE"])
        path = ora.save("ora/essay/learner.txt", ContentFile(b"my essay file"))
        made = [
            OpenResponseSubmission.objects.create(
                user=users["learner"], course_key=course_key, usage_key=blocks["essay"].usage_key,
                submission_uuid=uuid.uuid4(), status="done", answer_text="@risky answer",
                files=[{"name": "essay.txt", "path": path, "description": "draft"},
                       {"name": "gone.txt", "path": "ora/missing.txt"}],
                points_earned=8, points_possible=10, submitted_at=timezone.now(),
            ),
            OpenResponseSubmission.objects.create(
                user=users["beta_tester"], course_key=course_key, usage_key=blocks["essay"].usage_key,
                submission_uuid=uuid.uuid4(), status="peer", answer_text="plain", submitted_at=timezone.now(),
            ),
        ]  # fmt: skip
        return made

    def test_summary(self, submissions, blocks, course_key, researcher, django_capture_on_commit_callbacks):
        rows = read_csv(generate(course_key, "ora2_summary", researcher, django_capture_on_commit_callbacks))

        assert rows == [
            ["Block ID", "Unit Name", "Display Name", "Total", "Training", "Peer", "Self", "Waiting", "Staff", "Done"],
            [str(blocks["essay"].usage_key), "Unit 1", "Essay", "2", "0", "1", "0", "0", "0", "1"],
        ]

    def test_data(self, submissions, course_key, researcher, django_capture_on_commit_callbacks):
        rows = read_csv(generate(course_key, "ora2_data", researcher, django_capture_on_commit_callbacks))

        assert rows[0][:6] == ["Submission ID", "Location", "Username", "Status", "Response", "Files"]
        assert [row[2:8] for row in rows[1:]] == [
            ["learner", "done", "'@risky answer", "essay.txt; gone.txt", "8.0", "10.0"],
            ["beta_tester", "peer", "plain", "", "", ""],
        ]
        assert [(row[0], row[1], row[8]) for row in rows[1:]] == [
            (str(made.submission_uuid), str(made.usage_key), made.submitted_at.isoformat()) for made in submissions
        ]

    def test_submission_files_zip(self, submissions, course_key, researcher, django_capture_on_commit_callbacks):
        report = generate(course_key, "ora2_submission_files", researcher, django_capture_on_commit_callbacks)

        assert report.content_type == "application/zip" and report.name.endswith(".zip")
        with open_report(report) as content, zipfile.ZipFile(content) as archive:
            names = archive.namelist()
            stored = f"essay/learner/{submissions[0].submission_uuid}/0_essay.txt"
            assert names == [stored, "submission_files.csv"]
            assert archive.read(stored) == b"my essay file"
            manifest = list(csv.reader(io.StringIO(archive.read("submission_files.csv").decode())))
        assert manifest[0] == ["Submission ID", "Location", "Username", "File Name", "Description", "Archive Path"]
        assert [row[3:] for row in manifest[1:]] == [["essay.txt", "draft", stored], ["gone.txt", "", ""]]
        assert (report.task.output["files"], report.task.output["skipped"]) == (2, 1)
        assert report.task.output["message"] == (
            f"Created {report.name} with 1 of 2 files: 1 could not be read and were left out "
            "(submission_files.csv lists them without an archive path)."
        )

    @pytest.mark.parametrize("failure", ["refused", "broken mid-way"])
    def test_an_unreadable_file_is_left_out_and_the_archive_is_made(
        self, submissions, course_key, researcher, django_capture_on_commit_callbacks, monkeypatch, failure, caplog
    ):
        """A file the storage refuses, or that breaks while it is read, is skipped whole: no partial entry."""
        service_class = type(get_backend().open_responses)
        real_open = service_class.open_file

        class BreaksMidway(io.BytesIO):
            def read(self, size=-1):
                if self.tell():
                    raise OSError("connection reset by the storage")
                return super().read(1)

        def unreadable_essay(service, key, path):
            if not path.endswith("learner.txt"):
                return real_open(service, key, path)
            if failure == "refused":
                raise PermissionError(13, "Permission denied", f"/srv/ora/{path}")
            return BreaksMidway(b"my essay file")

        monkeypatch.setattr(service_class, "open_file", unreadable_essay)

        report = generate(course_key, "ora2_submission_files", researcher, django_capture_on_commit_callbacks)

        with open_report(report) as content, zipfile.ZipFile(content) as archive:
            assert archive.namelist() == ["submission_files.csv"]
            manifest = list(csv.reader(io.StringIO(archive.read("submission_files.csv").decode())))
        assert [row[3:] for row in manifest[1:]] == [["essay.txt", "draft", ""], ["gone.txt", "", ""]]
        assert (report.task.output["files"], report.task.output["skipped"]) == (2, 2)
        assert "/srv/ora" not in report.task.output["message"]
        assert "could not be read" in caplog.text


def test_issued_certificates(report_storage, users, course_key, researcher, django_capture_on_commit_callbacks):
    people = [make_user(f"cert{i}") for i in range(5)]
    statuses = [("downloadable", "verified"), ("downloadable", "verified"), ("downloadable", "honor"),
                ("notpassing", "verified"), ("audit_passing", "audit")]  # fmt: skip
    for person, (status, mode) in zip(people, statuses, strict=True):
        GeneratedCertificate.objects.create(user=person, course_key=course_key, status=status, mode=mode)
    GeneratedCertificate.objects.create(
        user=users["learner"], course_key="course-v1:TestX+OTHER+2026", status="downloadable", mode="verified"
    )

    rows = read_csv(
        generate(course_key, "issued_certificates", users["course_staff"], django_capture_on_commit_callbacks)
    )

    assert rows[0] == ["CourseID", "Certificate Type", "Total Certificates Issued", "Date Report Run"]
    assert [row[:3] for row in rows[1:]] == [[str(course_key), "honor", "1"], [str(course_key), "verified", "2"]]
    assert rows[1][3] == timezone.now().strftime("%B %d, %Y")


def test_the_cohort_column_is_read_with_the_rows_in_one_query_per_chunk(users, course_key, monkeypatch):
    monkeypatch.setattr(builtin_enrollments, "_REPORT_ROWS_CHUNK", 1500)
    CohortSettings.objects.create(course_key=course_key, is_cohorted=True)
    blue = Cohort.objects.create(course_key=course_key, name="=Blue")
    CohortMembership.objects.create(cohort=blue, user=users["learner"], course_key=course_key)
    features = enrolled_students_features(course_key)

    def written() -> tuple[list[list[str]], int]:
        content = io.BytesIO()
        with CaptureQueriesContext(connection) as queries:
            write_csv(content, csv_body("enrolled_students", course_key, {"features": features}))
        return list(csv.reader(io.StringIO(content.getvalue().decode()))), len(queries)

    rows, queries_at_2 = written()
    bulk_learners(course_key, 4500)
    _, queries_at_4502 = written()

    assert rows[0][-3:] == ["cohort", "city", "country"]
    assert {row[1]: row[-3] for row in rows[1:]} == {"learner": "'=Blue", "beta_tester": ""}
    # The rows' stream reads 1,500 learners a query (PostgreSQL: one query in all), no lookups per chunk.
    assert queries_at_4502 == queries_at_2 + (0 if connection.vendor == "postgresql" else 3)


class TestStreaming:
    def test_progress_is_saved_every_n_rows(
        self, settings, report_storage, users, course_key, researcher, django_capture_on_commit_callbacks, monkeypatch
    ):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "REPORT_PROGRESS_EVERY": 2}
        for number in range(5):
            enroll(make_user(f"extra{number}"), course_key)
        saved = []
        original = TaskRun.progress
        monkeypatch.setattr(
            TaskRun, "progress", lambda run, current, total=None: saved.append(current) or original(run, current, total)
        )

        report = generate(course_key, "enrolled_students", researcher, django_capture_on_commit_callbacks)

        assert saved == [0, 2, 4, 6, 7]
        assert (report.task.progress_current, report.task.progress_total) == (7, 7)

    def test_chunks_are_written_in_order_as_utf8_after_the_header(self, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "REPORT_PROGRESS_EVERY": 2}
        content = io.BytesIO()

        rows = write_csv(content, CsvBody(["name"], [["Zoë"], ["a,b"], ["=1"], ["Łukasz"], ["x"]], text_columns=[0]))

        assert rows == 5
        assert content.getvalue() == 'name\r\nZoë\r\n"a,b"\r\n\'=1\r\nŁukasz\r\nx\r\n'.encode()

    def test_a_header_without_rows_is_written(self):
        content = io.BytesIO()

        assert write_csv(content, CsvBody(["email"], [])) == 0
        assert content.getvalue() == b"email\r\n"

    def test_memory_does_not_grow_with_the_learners(self, users, course_key, monkeypatch):
        monkeypatch.setattr(builtin_enrollments, "_REPORT_ROWS_CHUNK", 2000)

        def peak_kib_after_adding(learners: int) -> float:
            bulk_learners(course_key, learners)
            tracemalloc.start()
            with tempfile.TemporaryFile() as content:
                rows = write_csv(content, csv_body("enrolled_students", course_key))
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert rows == CourseEnrollment.objects.filter(course_key=course_key, is_active=True).count()
            return peak / 1024

        # Past two fetch chunks (2 x 2,000 rows) the peak stops moving; a body held in memory would double it.
        at_4500 = peak_kib_after_adding(4500)
        at_9000 = peak_kib_after_adding(4500)

        assert at_9000 < at_4500 * 1.2, (at_4500, at_9000)
