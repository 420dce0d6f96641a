"""
Every endpoint taking a usage key or an id refuses what is not of the URL's course, with no side effect.

The other course has blocks with the same block ids as this one's, so a key of it mapped into this
course would act on this course's block: it must be a 404 instead. A run-less legacy key is mapped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.models import Block, Course, DueDateOverride, ProblemState
from instructor_plugin.models import AuditRecord, InstructorTask
from tests.conftest import COURSE_ID, v2
from tests.grading_fixtures import add_block, build_graded_course, give_state
from tests.special_exam_fixtures import add_exams

OTHER = CourseKey.from_string("course-v1:TestX+OTHER+2026")
FOREIGN_PROBLEM = str(OTHER.make_usage_key("problem", "q1"))
FOREIGN_UNIT = str(OTHER.make_usage_key("sequential", "hw1"))
LEGACY_UNIT = "i4x://TestX/T101/sequential/hw1"
HUGE = "9" * 25
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def graded(course, users):
    graded = build_graded_course(course)
    graded.homework.due = datetime(2029, 6, 1, tzinfo=UTC)
    graded.homework.save()
    give_state(users["learner"], graded.q1, score=1.0)
    other = Course.objects.create(course_key=OTHER, display_name="Other")
    root = Block.objects.create(course=other, usage_key=OTHER.make_usage_key("course", "course"), block_type="course")
    homework = add_block(other, root, "sequential", "hw1", "Other homework", due=datetime(2029, 6, 1, tzinfo=UTC))
    add_block(other, homework, "problem", "q1", "Other question", has_score=True)
    return graded


@pytest.fixture
def staff(api_v2_on, users, client):
    client.force_authenticate(users["global_staff"])
    return client


def _form(client, method: str, path: str, data: dict):
    return getattr(client, method)(path, urlencode(data), content_type=FORM)


FOREIGN_KEY_REQUESTS = {
    "problem detail": lambda c: c.get(v2(suffix=f"/problems/{FOREIGN_PROBLEM}"), {"email_or_username": "learner"}),
    "reset attempts": lambda c: _form(
        c, "post", v2(suffix=f"/{FOREIGN_PROBLEM}/grading/attempts/reset"), {"learner": "learner"}
    ),
    "reset all attempts": lambda c: _form(c, "post", v2(suffix=f"/{FOREIGN_PROBLEM}/grading/attempts/reset"), {}),
    "delete state": lambda c: _form(
        c, "delete", v2(suffix=f"/{FOREIGN_PROBLEM}/grading/state"), {"learner": "learner"}
    ),
    "rescore": lambda c: _form(
        c, "post", v2(suffix=f"/{FOREIGN_PROBLEM}/grading/scores/rescore"), {"learner": "learner"}
    ),
    "override": lambda c: _form(
        c, "put", v2(suffix=f"/{FOREIGN_PROBLEM}/grading/scores"), {"learner": "learner", "new_score": "1"}
    ),
    "change_due_date": lambda c: c.post(
        v2(suffix="/change_due_date"),
        {"block_id": FOREIGN_UNIT, "due_datetime": "2030-01-01T00:00:00Z", "email_or_username": "learner"},
        format="json",
    ),
    "unit_extensions": lambda c: c.get(v2(suffix="/unit_extensions"), {"block_id": FOREIGN_UNIT}),
    "problem_responses report": lambda c: c.post(
        v2(suffix="/reports/problem_responses/generate"), {"problem_location": FOREIGN_PROBLEM}, format="json"
    ),
    "instructor_tasks": lambda c: c.get(v2(suffix="/instructor_tasks"), {"problem_location_str": FOREIGN_PROBLEM}),
    "legacy reset_due_date": lambda c: c.post(
        f"/courses/{COURSE_ID}/instructor/api/reset_due_date",
        {"student": "learner", "url": FOREIGN_UNIT},
        format="json",
    ),
    "legacy list_instructor_tasks": lambda c: c.post(
        f"/courses/{COURSE_ID}/instructor/api/list_instructor_tasks",
        {"problem_location_str": FOREIGN_PROBLEM},
        format="json",
    ),
}


def _side_effects() -> tuple:
    return (
        InstructorTask.objects.count(),
        AuditRecord.objects.count(),
        DueDateOverride.objects.count(),
        list(ProblemState.objects.values_list("usage_key", "attempts", "score")),
    )


@pytest.mark.parametrize("request_name", FOREIGN_KEY_REQUESTS)
def test_a_key_of_another_course_is_not_found(staff, graded, request_name):
    before = _side_effects()

    response = FOREIGN_KEY_REQUESTS[request_name](staff)

    assert response.status_code == 404, response.content
    assert response.json()["error_code"] in {"problem_not_found", "block_not_found"}
    assert _side_effects() == before


def test_a_legacy_key_without_a_run_is_taken_as_the_courses(staff, graded):
    response = staff.post(
        v2(suffix="/change_due_date"),
        {"block_id": LEGACY_UNIT, "due_datetime": "2030-01-01T00:00:00Z", "email_or_username": "learner"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert DueDateOverride.objects.get().usage_key == graded.homework.usage_key


def test_a_legacy_problem_location_is_taken_as_the_courses(staff, graded):
    response = staff.post(
        v2(suffix="/reports/problem_responses/generate"),
        {"problem_location": "i4x://TestX/T101/problem/q1"},
        format="json",
    )

    assert response.status_code == 202, response.content


@pytest.fixture
def exams(graded, course_key):
    return add_exams(course_key)


PATH_ID_REQUESTS = {
    "exam detail": lambda c, i: c.get(v2(suffix=f"/special_exams/{i}")),
    "exam attempts": lambda c, i: c.get(v2(suffix=f"/special_exams/{i}/attempts")),
    "exam reset": lambda c, i: c.post(v2(suffix=f"/special_exams/{i}/reset/learner")),
    "exam allowance add": lambda c, i: c.post(
        v2(suffix=f"/special_exams/{i}/allowance"),
        {"user_ids": ["learner"], "allowance_type": "additional_time_granted", "value": "30"},
        format="json",
    ),
    "exam allowance remove": lambda c, i: c.delete(
        v2(suffix=f"/special_exams/{i}/allowance"),
        {"user_ids": ["learner"], "allowance_type": "additional_time_granted"},
        format="json",
    ),
    "report download": lambda c, i: c.get(v2(suffix=f"/reports/{i}/download")),
    "schedule edit": lambda c, i: c.patch(
        f"/api/instructor_task/v1/schedules/{COURSE_ID}/bulk_email/{i}",
        {"schedule": "2099-01-01T00:00:00Z"},
        format="json",
    ),
    "schedule cancel": lambda c, i: c.delete(f"/api/instructor_task/v1/schedules/{COURSE_ID}/bulk_email/{i}"),
}


@pytest.mark.parametrize("request_name", PATH_ID_REQUESTS)
@pytest.mark.parametrize("bad_id", [HUGE, "0", str(2**63)])
def test_an_id_out_of_range_in_a_path_is_not_found(staff, exams, request_name, bad_id):
    response = PATH_ID_REQUESTS[request_name](staff, bad_id)

    assert response.status_code == 404, response.content
    assert "error_code" in response.json()


@pytest.mark.parametrize("request_name", [name for name in PATH_ID_REQUESTS if name.startswith("exam")])
def test_an_exam_of_another_course_is_not_found(staff, exams, request_name):
    response = PATH_ID_REQUESTS[request_name](staff, exams.foreign.pk)

    assert (response.status_code, response.json()["error_code"]) == (404, "exam_not_found")


@pytest.mark.parametrize("bad_id", [HUGE, "abc", "-1"])
def test_a_task_id_that_is_no_task_is_not_found(staff, graded, bad_id):
    response = staff.get(v2(suffix=f"/tasks/{bad_id}"))

    assert (response.status_code, response.json()["error_code"]) == (404, "task_not_found")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/special_exams/allowances",
            {
                "user_ids": ["learner"],
                "exam_ids": [int(HUGE)],
                "allowance_type": "additional_time_granted",
                "value": "30",
            },
        ),
        ("/special_exams/{exam}/allowance", {"user_ids": [int(HUGE)], "allowance_type": "additional_time_granted"}),
        ("/special_exams/{exam}/allowance", {"user_ids": [1], "exam_id": -1, "allowance_type": "time_multiplier"}),
    ],
)
def test_an_id_out_of_range_in_a_body_is_a_validation_error(staff, exams, path, body):
    method = staff.post if path.endswith("allowances") else staff.delete

    response = method(v2(suffix=path.format(exam=exams.timed.pk)), body, format="json")

    assert (response.status_code, response.json()["error_code"]) == (400, "validation_error")
