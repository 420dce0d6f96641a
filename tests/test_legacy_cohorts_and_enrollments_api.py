"""The legacy cohort CSV upload and enrollment list, and the same actions through the cohorts API and v2."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import Cohort, CohortMembership, CourseEnrollment
from instructor_plugin.cohorts import COHORT_CSV_TASK
from instructor_plugin.models import InstructorTask
from tests.conftest import COURSE_ID, enroll, make_user, v2

UPLOAD = f"/courses/{COURSE_ID}/instructor/api/add_users_to_cohorts"
ENROLLMENTS = f"/courses/{COURSE_ID}/instructor/api/list_course_enrollments"


@pytest.fixture
def staff(client, users):
    client.force_authenticate(users["course_staff"])
    return client


@pytest.fixture(autouse=True)
def run_tasks(django_capture_on_commit_callbacks, monkeypatch):
    """Queued tasks run (eagerly) as the request's transaction would commit."""

    def post(self, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(self, *args, **kwargs)

    original = APIClient.post
    monkeypatch.setattr(APIClient, "post", post)


@pytest.fixture
def blue(course, course_key):
    return Cohort.objects.create(course_key=course_key, name="Blue")


def upload(client, content: bytes, name: str = "cohorts.csv", url: str = UPLOAD):
    return client.post(url, {"uploaded-file": SimpleUploadedFile(name, content)}, format="multipart")


def members(cohort) -> set[str]:
    return set(CohortMembership.objects.filter(cohort=cohort).values_list("user__username", flat=True))


class TestAddUsersToCohorts:
    def test_queues_the_assignments_and_answers_an_empty_object(self, staff, users, blue):
        content = b'username,cohort\nlearner,Blue\nnobody,Blue\nbeta_tester,Nope\n=HYPERLINK("x"),Blue\n'

        response = upload(staff, content)

        assert response.status_code == 200
        assert response.json() == {}
        task = InstructorTask.objects.get(task_type=COHORT_CSV_TASK)
        assert task.state == InstructorTask.COMPLETED
        assert members(blue) == {"learner"}
        assert (task.output["succeeded"], task.output["failed"]) == (1, 3)

    @pytest.mark.parametrize(
        ("content", "name", "message"),
        [
            (b"username,cohort\n", "cohorts.txt", "The file must end with the extension '.csv'."),
            (b"username,team\nlearner,x\n", "cohorts.csv", "The file must contain a 'cohort' column"),
            (b"name,cohort\nlearner,Blue\n", "cohorts.csv", "The file must contain a 'username' column"),
            (b"\xff\xfe", "cohorts.csv", "Error processing CSV file: Line 1"),
        ],
    )
    def test_bad_files_are_400_and_queue_nothing(self, staff, blue, content, name, message):
        response = upload(staff, content, name)

        assert response.status_code == 400
        assert response.json()["error"].startswith(message)
        assert not InstructorTask.objects.exists()

    def test_no_file_is_a_400(self, staff, blue):
        response = staff.post(UPLOAD, {}, format="multipart")

        assert response.status_code == 400
        assert not InstructorTask.objects.exists()

    def test_researcher_is_refused(self, client, users, blue):
        client.force_authenticate(users["data_researcher"])

        assert upload(client, b"username,cohort\nlearner,Blue\n").status_code == 403
        assert not InstructorTask.objects.exists()

    @pytest.mark.parametrize("door", ["legacy", "cohorts_api"])
    def test_same_result_as_the_cohorts_api(self, staff, users, blue, door):
        url = UPLOAD if door == "legacy" else f"/api/cohorts/v1/courses/{COURSE_ID}/users"

        upload(staff, b"email,cohort\nlearner@example.com,Blue\nbeta_tester@example.com,Blue\n", url=url)

        assert members(blue) == {"learner", "beta_tester"}
        assert InstructorTask.objects.get().task_input == {
            "rows": [[2, "learner@example.com", "Blue"], [3, "beta_tester@example.com", "Blue"]]
        }


class TestListCourseEnrollments:
    def test_pages_the_active_learners_by_username(self, staff, users, course_key):
        for name in ("zed", "amy"):
            enroll(make_user(name, name=f"{name.title()} Example"), course_key)
        enroll(make_user("gone"), course_key, is_active=False)

        body = staff.post(ENROLLMENTS, {"page": 2, "page_size": 2}).json()

        assert body == {
            "course_id": COURSE_ID,
            "enrollments": [
                {"username": "learner", "email": "learner@example.com", "first_name": "Learner", "last_name": ""},
                {"username": "zed", "email": "zed@example.com", "first_name": "Zed", "last_name": "Example"},
            ],
            "count": 4,
            "num_pages": 2,
            "current_page": 2,
        }

    def test_search(self, staff, users):
        body = staff.post(ENROLLMENTS, {"search": "beta"}).json()

        assert [row["username"] for row in body["enrollments"]] == ["beta_tester"]
        assert body["count"] == 1

    @pytest.mark.parametrize("field", [{"page": 0}, {"page_size": 101}, {"page": "x"}, {"search": "x" * 256}])
    def test_bad_paging_is_a_400(self, staff, users, field):
        response = staff.post(ENROLLMENTS, field)

        assert response.status_code == 400
        assert next(iter(field)) in response.json()["field_errors"]

    def test_researcher_is_refused(self, client, users):
        client.force_authenticate(users["data_researcher"])

        assert client.post(ENROLLMENTS).status_code == 403

    def test_same_learners_as_v2(self, api_v2_on, staff, users):
        legacy_names = [row["username"] for row in staff.post(ENROLLMENTS).json()["enrollments"]]
        v2_names = [row["username"] for row in staff.get(v2(suffix="/enrollments")).json()["results"]]

        assert legacy_names == v2_names == ["beta_tester", "learner"]

    def test_query_count_does_not_grow_with_the_learners(self, staff, users, course_key, django_user_model):
        def queries_with(total: int) -> int:
            start = CourseEnrollment.objects.filter(course_key=course_key).count()
            people = django_user_model.objects.bulk_create(
                django_user_model(username=f"bulk{index:05d}", email=f"bulk{index:05d}@example.com")
                for index in range(start, total)
            )
            CourseEnrollment.objects.bulk_create(
                CourseEnrollment(user=person, course_key=course_key, mode="audit") for person in people
            )
            with CaptureQueriesContext(connection) as queries:
                body = staff.post(ENROLLMENTS, {"page_size": 100}).json()
            assert body["count"] == total
            return len(queries)

        assert queries_with(10) == queries_with(1000)
