"""``/api/instructor/v1/`` (LMS_APIS ``instructor_legacy``): tasks, reports, problem responses, as the other doors."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from instructor_plugin.grading import RESCORE_TASK
from instructor_plugin.instructor_tasks import create_task_record
from instructor_plugin.models import InstructorTask
from instructor_plugin.reports import report_task_type, store_report
from tests.conftest import COURSE_ID, v2
from tests.grading_fixtures import GradedCourse, build_graded_course, give_state

CSRF_SECRET = "a" * 32
TASKS = f"/api/instructor/v1/tasks/{COURSE_ID}"
REPORTS = f"/api/instructor/v1/reports/{COURSE_ID}"
GENERATE = f"/api/instructor/v1/reports/{COURSE_ID}/generate/problem_responses"
CHAPTER = f"block-v1:{COURSE_ID.removeprefix('course-v1:')}+type@chapter+block@week1"
PENDING = "To view the status of the report, see Pending Tasks below."


def legacy(name: str) -> str:
    return f"/courses/{COURSE_ID}/instructor/api/{name}"


@pytest.fixture
def graded(course) -> GradedCourse:
    return build_graded_course(course)


@pytest.fixture
def researcher(client, users):
    client.force_authenticate(users["data_researcher"])
    return client


@pytest.fixture
def staff(client, users):
    client.force_authenticate(users["course_staff"])
    return client


def stored(course_key, report_type: str):
    return store_report(course_key, report_type, ContentFile(b"a\r\n"))


class TestEveryOperation:
    @pytest.mark.parametrize(("path", "wrong"), [(TASKS, "post"), (REPORTS, "post"), (GENERATE, "get")])
    def test_the_wrong_method_is_a_405(self, client, users, path, wrong):
        client.force_authenticate(users["global_staff"])

        response = getattr(client, wrong)(path)

        assert response.status_code == 405
        assert response.json()["error_code"] == "method_not_allowed"

    @pytest.mark.parametrize("path", [TASKS, REPORTS, GENERATE])
    def test_anonymous_is_401(self, client, course, path):
        response = client.post(path, {}) if path == GENERATE else client.get(path)

        assert response.status_code == 401

    @pytest.mark.parametrize("path", [TASKS, REPORTS, GENERATE])
    def test_an_unknown_course_is_a_404(self, client, users, path):
        client.force_authenticate(users["global_staff"])
        other = path.replace(COURSE_ID, "course-v1:Nope+N1+2026")

        response = client.post(other, {"problem_locations": [CHAPTER]}) if path == GENERATE else client.get(other)

        assert response.status_code == 404
        assert response.json()["error_code"] == "course_not_found"

    @pytest.mark.parametrize("path", ["tasks/" + "9" * 30, "reports/not-a-course", "no_such_endpoint"])
    def test_a_path_naming_no_course_is_a_404_in_the_envelope(self, client, users, path):
        client.force_authenticate(users["global_staff"])

        response = client.get(f"/api/instructor/v1/{path}")

        assert response.status_code == 404
        assert response.json()["error_code"] == "endpoint_not_found"

    def test_the_post_wants_the_csrf_token_of_session_callers(self, users, graded):
        session = APIClient(enforce_csrf_checks=True)
        session.login(username="global_staff", password="edx")
        session.cookies["csrftoken"] = CSRF_SECRET
        body = {"problem_locations": [CHAPTER]}

        refused = session.post(GENERATE, body, format="json")
        accepted = session.post(GENERATE, body, format="json", HTTP_X_CSRFTOKEN=CSRF_SECRET)

        assert refused.status_code == 403
        assert refused.json()["error_code"] == "permission_denied"
        assert accepted.status_code == 200, accepted.content
        assert InstructorTask.objects.count() == 1

    @pytest.mark.parametrize("path", [TASKS, REPORTS])
    def test_session_reads_need_no_csrf_token(self, users, course, path):
        session = APIClient(enforce_csrf_checks=True)
        session.login(username="global_staff", password="edx")

        assert session.get(path).status_code == 200


class TestInstructorTasks:
    def test_running_tasks_as_the_legacy_and_v2_lists(self, api_v2_on, staff, users, course_key):
        running = create_task_record("report_grade", course_key, users["instructor"].id, {})
        done = create_task_record("report_problem_grade", course_key, None, {})
        done.state = InstructorTask.COMPLETED
        done.active_key = None
        done.save()

        response = staff.get(TASKS)

        assert response.status_code == 200
        body = response.json()
        assert [(task["task_id"], task["requester"]) for task in body["tasks"]] == [
            (str(running.task_id), "instructor")
        ]
        assert body == staff.get(v2(suffix="/instructor_tasks")).json()
        assert body == staff.post(legacy("list_instructor_tasks")).json()

    def test_a_problem_and_learner_history_as_v2(self, api_v2_on, staff, users, graded, course_key):
        learner = users["learner"]
        for_learner = create_task_record(
            RESCORE_TASK, course_key, None, {}, scope="a", usage_key=graded.q1.usage_key, learner_id=learner.id
        )
        create_task_record(RESCORE_TASK, course_key, None, {}, scope="b", usage_key=graded.q1.usage_key)
        query = {"problem_location_str": str(graded.q1.usage_key), "unique_student_identifier": "learner"}

        response = staff.get(TASKS, query)

        assert [task["task_id"] for task in response.json()["tasks"]] == [str(for_learner.task_id)]
        assert response.json() == staff.get(v2(suffix="/instructor_tasks"), query).json()

    @pytest.mark.parametrize(
        ("query", "status", "code"),
        [
            ({"unique_student_identifier": "learner"}, 400, "problem_location_required"),
            ({"problem_location_str": "broken"}, 400, "invalid_problem_location"),
            (
                {"problem_location_str": CHAPTER, "unique_student_identifier": "ghost"},
                400,
                "invalid_student_identifier",
            ),
            ({"problem_location_str": "block-v1:Other+O1+2026+type@problem+block@x"}, 404, "problem_not_found"),
        ],
    )
    def test_bad_queries(self, staff, course, query, status, code):
        response = staff.get(TASKS, query)

        assert response.status_code == status, response.content
        assert response.json()["error_code"] == code

    @pytest.mark.parametrize("count", [10, 1000])
    def test_query_count_does_not_grow_with_the_tasks(self, staff, users, course_key, count):
        InstructorTask.objects.bulk_create(
            InstructorTask(course_key=course_key, task_type="report_grade", requester=users["instructor"])
            for _ in range(count)
        )

        with CaptureQueriesContext(connection) as queries:
            response = staff.get(TASKS)

        assert len(response.json()["tasks"]) == count
        assert len(queries) == QUERIES_FOR_THE_TASK_LIST


#: The course and the caller's access, the stale-task sweep, the tasks with their requesters.
QUERIES_FOR_THE_TASK_LIST = 4


class TestReportDownloads:
    def test_the_same_files_as_the_legacy_list(self, researcher, course_key):
        older = stored(course_key, "grade")
        newer = stored(course_key, "ora2_data")
        stored(CourseKey.from_string("course-v1:TestX+OTHER+2026"), "grade")

        response = researcher.get(REPORTS)

        assert response.status_code == 200
        url = f"http://testserver{v2(suffix=f'/reports/{newer.pk}/download')}"
        downloads = response.json()["downloads"]
        assert downloads[0] == {"name": newer.name, "url": url, "link": f'<a href="{url}">{newer.name}</a>'}
        assert [row["name"] for row in downloads] == [newer.name, older.name]
        assert response.json() == researcher.post(legacy("list_report_downloads")).json()

    def test_report_name_filter(self, researcher, course_key):
        wanted = stored(course_key, "grade")
        stored(course_key, "ora2_data")

        response = researcher.get(REPORTS, {"report_name": wanted.name})

        assert [row["name"] for row in response.json()["downloads"]] == [wanted.name]

    def test_course_staff_is_refused_as_in_the_original(self, staff, course):
        assert staff.get(REPORTS).status_code == 403


class TestProblemResponsesReport:
    def test_queues_the_report_as_the_v2_and_legacy_doors(
        self, api_v2_on, researcher, users, graded, django_capture_on_commit_callbacks
    ):
        give_state(users["learner"], graded.q1, score=1.0)
        with django_capture_on_commit_callbacks(execute=True):
            response = researcher.post(
                GENERATE, {"problem_locations": [CHAPTER], "problem_types_filter": ["problem"]}, format="json"
            )
        through_v1 = InstructorTask.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            researcher.post(
                v2(suffix="/reports/problem_responses/generate"),
                {"problem_location": CHAPTER, "problem_types_filter": ["problem"]},
                format="json",
            )
        through_v2 = InstructorTask.objects.exclude(pk=through_v1.pk).get()

        assert response.status_code == 200
        assert response.json() == {
            "status": f"The problem responses report is being created. {PENDING}",
            "task_id": str(through_v1.task_id),
        }
        assert through_v1.task_type == through_v2.task_type == report_task_type("problem_responses")
        assert through_v1.task_input == through_v2.task_input
        assert through_v1.state == through_v2.state == InstructorTask.COMPLETED
        assert through_v1.output["rows"] == through_v2.output["rows"] == 1

    def test_several_locations_make_one_report(self, researcher, users, graded, django_capture_on_commit_callbacks):
        for problem in (graded.q1, graded.q2, graded.lab_problem):
            give_state(users["learner"], problem, score=1.0)
        locations = [str(graded.q1.usage_key), str(graded.lab_problem.usage_key), str(graded.q1.usage_key)]

        with django_capture_on_commit_callbacks(execute=True):
            response = researcher.post(GENERATE, {"problem_locations": locations}, format="json")

        assert response.status_code == 200
        task = InstructorTask.objects.get()
        assert task.task_input["problem_location"] == ",".join(locations)
        assert task.output["rows"] == 2

    @pytest.mark.parametrize(
        ("body", "status", "code"),
        [
            ({}, 400, "validation_error"),
            ({"problem_locations": []}, 400, "validation_error"),
            ({"problem_locations": "not a list"}, 400, "validation_error"),
            ({"problem_locations": [CHAPTER] * 101}, 400, "validation_error"),
            ({"problem_locations": [CHAPTER, "broken"]}, 400, "invalid_problem_location"),
            ({"problem_locations": ["block-v1:Other+O1+2026+type@problem+block@x"]}, 404, "problem_not_found"),
            ({"problem_locations": [CHAPTER.replace("week1", "nowhere")]}, 404, "problem_not_found"),
        ],
    )
    def test_validation(self, researcher, course, body, status, code):
        response = researcher.post(GENERATE, body, format="json")

        assert response.status_code == status, response.content
        assert response.json()["error_code"] == code
        assert not InstructorTask.objects.exists()

    def test_one_still_running_is_a_400(self, researcher, course, course_key):
        create_task_record(report_task_type("problem_responses"), course_key, None, {})

        response = researcher.post(GENERATE, {"problem_locations": [CHAPTER]}, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "task_already_running"
        assert InstructorTask.objects.count() == 1
