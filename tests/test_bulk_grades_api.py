"""The bulk-grades CSV API (``/api/bulk_grades/course/{course_id}/``): download, import, history, interventions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from edx_toggles.toggles.testutils import override_waffle_flag
from opaque_keys.edx.keys import CourseKey

from instructor_plugin import toggles
from instructor_plugin.backends.builtin.models import (
    Cohort,
    CohortMembership,
    CourseEnrollment,
    CourseGrade,
    SubsectionGradeOverride,
    SubsectionGradeOverrideHistory,
)
from instructor_plugin.instructor_tasks import cancel_task, create_task_record
from instructor_plugin.models import AuditRecord, InstructorTask, InstructorTaskResult
from tests.conftest import COURSE_ID, enroll, make_user
from tests.grading_fixtures import build_graded_course, give_state
from tests.test_grades_api import ROLES, _make_learners

pytestmark = pytest.mark.django_db
ROOT = f"/api/bulk_grades/course/{COURSE_ID}"
HW = "hw1"  # the homework's short id: its block id's first 8 characters


@pytest.fixture
def graded(course):
    return build_graded_course(course)


@pytest.fixture
def staff(client, users):
    client.force_authenticate(users["course_staff"])
    return client


def read_csv(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def upload(client, rows: list[dict], name: str = "grades.csv", columns=None):
    columns = columns or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns)
    writer.writeheader()
    writer.writerows(rows)
    return client.post(f"{ROOT}/", {"csv": SimpleUploadedFile(name, buffer.getvalue().encode())}, format="multipart")


class TestDownload:
    def test_columns_and_grades_with_overrides(self, staff, graded, users, course_key):
        give_state(users["learner"], graded.q1, score=2.0)
        give_state(users["beta_tester"], graded.q1, score=1.0)
        SubsectionGradeOverride.objects.create(
            course_key=course_key,
            usage_key=graded.homework.usage_key,
            user=users["beta_tester"],
            earned_graded_override=3.0,
            possible_graded_override=4.0,
        )

        response = staff.get(f"{ROOT}/")

        assert response.status_code == 200
        assert response["Content-Disposition"].startswith(f'attachment; filename="{COURSE_ID}-')
        rows = {row["username"]: row for row in read_csv(response)}
        assert list(rows["learner"])[:6] == ["user_id", "username", "student_key", "course_id", "track", "cohort"]
        assert [column for column in rows["learner"] if column.endswith(HW)] == [
            f"{prefix}-{HW}" for prefix in ("name", "grade", "original_grade", "previous_override", "new_override")
        ]
        learner, tester = rows["learner"], rows["beta_tester"]
        assert (learner[f"name-{HW}"], learner[f"grade-{HW}"], learner[f"previous_override-{HW}"]) == (
            "Homework 1",
            "1.0",
            "",
        )
        assert (tester[f"grade-{HW}"], tester[f"original_grade-{HW}"], tester[f"previous_override-{HW}"]) == (
            "3.0",
            "0.5",
            "3.0",
        )
        assert learner["grade-lab1"] == ""  # never attempted

    def test_the_gradebook_filters_in_camel_case(self, staff, graded, users, course_key):
        alpha, beta = make_user("alpha"), make_user("beta")
        enroll(alpha, course_key, mode="verified")
        enroll(beta, course_key)
        give_state(alpha, graded.q2, score=2.0)  # homework 3/4
        blue = Cohort.objects.create(course_key=course_key, name="Blue")
        CohortMembership.objects.create(course_key=course_key, cohort=blue, user=beta)

        def names(**params):
            return {row["username"] for row in read_csv(staff.get(f"{ROOT}/", params))}

        assert names(track="verified") == {"alpha"}
        assert names(cohort="Blue") == {"beta"}
        assert names(cohort="Nope") == set()
        assert names(assignment=str(graded.homework.usage_key), assignmentGradeMin=50) == {"alpha"}
        assert "beta_tester" not in names(excludedCourseRoles="all")
        only_labs = read_csv(staff.get(f"{ROOT}/", {"assignmentType": "Lab"}))
        assert not any(column.endswith(HW) for column in only_labs[0])
        assert staff.get(f"{ROOT}/", {"courseGradeMin": "abc"}).status_code == 400

    def test_cells_are_neutralised(self, staff, graded, course_key):
        enroll(make_user("=cmd"), course_key)
        cohort = Cohort.objects.create(course_key=course_key, name="@SUM(A1)")
        CohortMembership.objects.create(
            course_key=course_key, cohort=cohort, user_id=CourseEnrollment.objects.last().user_id
        )

        row = next(row for row in read_csv(staff.get(f"{ROOT}/")) if row["username"].endswith("cmd"))

        assert (row["username"], row["cohort"]) == ("'=cmd", "'@SUM(A1)")

    def test_every_learner_across_chunks(self, staff, graded, course_key, monkeypatch):
        monkeypatch.setattr("instructor_plugin.bulk_grades.EXPORT_CHUNK", 3)
        _make_learners(course_key, graded, "chunk", 7)

        names = [row["username"] for row in read_csv(staff.get(f"{ROOT}/"))]

        active = CourseEnrollment.objects.filter(course_key=course_key, is_active=True)
        assert sorted(names) == sorted(active.values_list("user__username", flat=True))

    def test_queries_do_not_grow_within_a_chunk(self, staff, graded, course_key, monkeypatch):
        monkeypatch.setattr("instructor_plugin.bulk_grades.EXPORT_CHUNK", 2000)  # one chunk for both sizes
        counts = []
        for prefix, count in (("qsmall", 10), ("qlarge", 990)):
            _make_learners(course_key, graded, prefix, count)
            with CaptureQueriesContext(connection) as captured:
                rows = read_csv(staff.get(f"{ROOT}/"))
            assert rows
            counts.append(len(captured.captured_queries))
        assert counts[0] == counts[1]


class TestImport:
    def test_a_task_applies_the_overrides_with_history_audit_and_results(
        self, staff, graded, users, course_key, django_capture_on_commit_callbacks
    ):
        learner = users["learner"]
        with django_capture_on_commit_callbacks(execute=True):
            body = upload(
                staff,
                [
                    {"user_id": learner.pk, "course_id": COURSE_ID, f"new_override-{HW}": "3"},
                    {"user_id": users["beta_tester"].pk, "course_id": COURSE_ID, f"new_override-{HW}": ""},
                    {"user_id": learner.pk, "course_id": COURSE_ID, f"new_override-{HW}": "1"},  # seen: no action
                ],
            ).json()

        assert (body["total"], body["processed"], body["saved"], body["waiting"]) == (3, 1, 0, True)
        task = InstructorTask.objects.get(task_id=body["result_id"])
        assert (task.task_type, task.state, task.requester) == (
            "bulk_grades_import",
            InstructorTask.COMPLETED,
            users["course_staff"],
        )
        done = staff.post(f"{ROOT}/", {"result_id": body["result_id"]}, format="multipart").json()
        assert (done["total"], done["processed"], done["saved"], done["error_messages"]) == (3, 1, 1, [])
        assert done["waiting"] is False and done["result_id"] is None and done["saved_error_id"] is None
        override = SubsectionGradeOverride.objects.get(user=learner, usage_key=graded.homework.usage_key)
        assert (override.earned_graded_override, override.system, override.override_reason) == (
            3.0,
            "grade-import",
            "Bulk Grade Import",
        )
        assert CourseGrade.objects.get(user=learner, course_key=course_key).percent == pytest.approx(
            0.38
        )  # homework 3/4 of a 50% weight, rounded
        assert SubsectionGradeOverrideHistory.objects.filter(override=override).count() == 1
        assert AuditRecord.objects.filter(action="override_subsection_grade", learner=learner).count() == 1
        history = staff.get(f"{ROOT}/history/").json()
        assert [(row["user"], row["original_filename"], row["data"]) for row in history] == [
            ("course_staff", "grades.csv", {"total_rows": 3, "processed_rows": 1, "saved_rows": 1})
        ]

    def test_waiting_until_a_worker_runs_it(self, staff, graded, users):
        row = {"user_id": users["learner"].pk, "course_id": COURSE_ID, f"new_override-{HW}": "2"}
        body = upload(staff, [row]).json()

        again = staff.post(f"{ROOT}/", {"result_id": body["result_id"]}, format="multipart").json()

        assert (again["waiting"], again["result_id"], again["saved"]) == (True, body["result_id"], 0)
        assert not SubsectionGradeOverride.objects.exists()
        assert staff.get(f"{ROOT}/history/").json() == []  # not applied yet

    def test_a_failed_task_reports_its_message_and_what_it_saved(self, staff, graded, users):
        row = {"user_id": users["learner"].pk, "course_id": COURSE_ID, f"new_override-{HW}": "2"}
        body = upload(staff, [row]).json()
        task = InstructorTask.objects.get(task_id=body["result_id"])
        InstructorTaskResult.objects.create(task=task, identifier="1", succeeded=True)
        cancel_task(task, "The worker died.")

        done = staff.post(f"{ROOT}/", {"result_id": body["result_id"]}, format="multipart").json()

        assert (done["waiting"], done["saved"], done["error_messages"]) == (False, 1, ["The worker died."])

    def test_another_courses_or_unknown_task_is_not_found(self, staff, graded, users):
        other = create_task_record("bulk_grades_import", CourseKey.from_string("course-v1:X+Y+Z"), None, {})

        for result_id in (str(other.task_id), "not-a-task"):
            response = staff.post(f"{ROOT}/", {"result_id": result_id}, format="multipart")
            assert (response.status_code, response.json()["error_code"]) == (404, "operation_not_found"), result_id

    def test_any_bad_row_applies_nothing_and_the_results_download(self, staff, graded, users):
        body = upload(
            staff,
            [
                {"user_id": users["learner"].pk, "course_id": COURSE_ID, f"new_override-{HW}": "2"},
                {"user_id": users["learner"].pk + 1000, "course_id": COURSE_ID, f"new_override-{HW}": "2"},
                {"user_id": users["beta_tester"].pk, "course_id": "course-v1:X+Y+Z", f"new_override-{HW}": "2"},
                {"user_id": users["instructor"].pk, "course_id": COURSE_ID, f"new_override-{HW}": "-1"},
            ],
        ).json()

        assert body["saved"] == 0 and not SubsectionGradeOverride.objects.exists()
        assert body["error_messages"] == [
            f"User {users['learner'].pk + 1000} is not enrolled in this course.",
            f"Wrong course id course-v1:X+Y+Z != {COURSE_ID}",
            "Grade must be positive",
        ]
        assert len(body["error_rows"]) == 3
        results = read_csv(staff.get(f"{ROOT}/", {"error_id": body["saved_error_id"]}))
        assert [row["status"] for row in results] == ["Success", "Failure", "Failure", "Failure"]
        assert staff.get(f"{ROOT}/history/").json() == []

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"username,points\nx,1\n", "Missing column: user_id"),
            (b"\xff\xfe\x00", "The file is not UTF-8 text."),
        ],
    )
    def test_a_bad_file_is_reported(self, staff, graded, content, message):
        response = staff.post(f"{ROOT}/", {"csv": SimpleUploadedFile("g.csv", content)}, format="multipart")

        assert response.status_code == 200 and response.json()["error_messages"] == [message]

    def test_uploads_are_size_limited_and_required(self, staff, graded, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "MAX_BULK_GRADES_CSV_UPLOAD_BYTES": 10}

        too_large = staff.post(f"{ROOT}/", {"csv": SimpleUploadedFile("g.csv", b"x" * 11)}, format="multipart")
        missing = staff.post(f"{ROOT}/", {}, format="multipart")

        assert too_large.status_code == 413
        assert missing.status_code == 400

    def test_frozen_grades_refuse_imports(self, staff, graded, users, settings, course):
        course.end = timezone.now() - timedelta(days=60)
        course.save()
        with override_waffle_flag(toggles._ENFORCE_FREEZE_GRADES_FLAG, active=True):
            response = upload(staff, [{"user_id": users["learner"].pk, "course_id": COURSE_ID}])

        assert (response.status_code, response.json()["error_code"]) == (403, "grades_frozen")

    def test_another_courses_results_are_not_found(self, staff, graded):
        other = AuditRecord.objects.create(course_key="course-v1:X+Y+Z", action="bulk_grades_import", detail={})

        assert staff.get(f"{ROOT}/", {"error_id": other.pk}).status_code == 404
        assert staff.get(f"{ROOT}/", {"error_id": "abc"}).status_code == 404


def test_interventions_list_masters_learners_with_grades(staff, graded, users, course_key):
    master = make_user("mia", name="Mia Master")
    enroll(master, course_key, mode="masters")
    give_state(master, graded.q1, score=2.0)

    response = staff.get(f"{ROOT}/intervention/")

    (row,) = read_csv(response)
    assert response["Content-Disposition"].startswith(f'attachment; filename="{COURSE_ID}-intervention-')
    assert (row["username"], row["email"], row["full_name"], row["track"]) == (
        "mia",
        "mia@example.com",
        "Mia Master",
        "masters",
    )
    assert (row["number of videos overall"], row[f"grade-{HW}"], row["course grade numeric"]) == ("0", "1.0", "0.0")
    assert list(row)[-2:] == ["course grade letter", "course grade numeric"]


STAFF_ONLY = (401, 403, 403, 403, 200, 200, 403, 200, 200)
CALLS = {
    "download": ("get", f"{ROOT}/"),
    "history": ("get", f"{ROOT}/history/"),
    "interventions": ("get", f"{ROOT}/intervention/"),
    "import": ("post", f"{ROOT}/"),
}


@pytest.mark.parametrize("endpoint", list(CALLS))
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_permission_matrix(client, users, graded, endpoint, role_index):
    method, url = CALLS[endpoint]
    role = ROLES[role_index]
    if role != "anonymous":
        client.force_authenticate(users[role])
    if method == "post":
        data = {"csv": SimpleUploadedFile("g.csv", f"user_id,course_id\n{users['learner'].pk},{COURSE_ID}\n".encode())}
        response = client.post(url, data, format="multipart")
    else:
        response = client.get(url)

    assert response.status_code == STAFF_ONLY[role_index], response.content
