"""
The program enrollments API's OpenAPI description is true to the server: real answers of every operation,
successes and errors, validate against the schema documented for their status, with no undocumented key.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import CourseGrade, ExternalUserKey, ProgramEnrollment
from tests.conftest import COURSE_ID, enroll, make_user
from tests.program_fixtures import CURRICULUM_UUID, ORG, PROGRAM_UUID, make_test_program

pytestmark = pytest.mark.django_db

BASE = "/api/program_enrollments/v1"
PROGRAM = f"{BASE}/programs/{{program_uuid}}"
ROSTER = f"{PROGRAM}/enrollments/"
COURSE_ROSTER = f"{PROGRAM}/courses/{{course_id}}/enrollments/"
GRADES = f"{PROGRAM}/courses/{{course_id}}/grades/"
LEARNER_COURSES = f"{BASE}/users/{{username}}/programs/{{program_uuid}}/courses"


def _strict(schema):
    """The OpenAPI 3.0 schema as JSON Schema: ``nullable`` as a type, objects with properties closed."""
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: _strict(value) for key, value in schema.items() if key != "nullable"}
    if schema.get("nullable"):
        converted = {"anyOf": [converted, {"type": "null"}]}
    elif "properties" in schema and "additionalProperties" not in schema:
        converted["additionalProperties"] = False
    return converted


@pytest.fixture
def document(client) -> dict:
    return json.loads(client.get("/api/instructor/v2/schema/", {"format": "json"}).content)


@pytest.fixture
def world(course, course_key):
    """The test program with a learner (account, grade, ``masters`` enrollment) and a waiting one."""
    program = make_test_program(course_key)
    learner = make_user("prog_learner")
    ExternalUserKey.objects.create(org=ORG, external_user_key="k-1", user=learner)
    ProgramEnrollment.objects.create(
        program=program, curriculum=program.curricula.get(), user=learner, external_user_key="k-1", status="enrolled"
    )
    ProgramEnrollment.objects.create(
        program=program, curriculum=program.curricula.get(), external_user_key="k-2", status="pending"
    )
    enroll(learner, course_key, mode="masters")
    CourseGrade.objects.create(user=learner, course_key=course_key, percent=0.9, letter_grade="A", passed=True)
    return {"staff": make_user("prog_staff", is_staff=True), "learner": learner}


def check(document: dict, path: str, method: str, response) -> None:
    documented = document["paths"][path][method]["responses"]
    status = str(response.status_code)
    assert status in documented, (path, method, status, response.content)
    content = documented[status].get("content")
    if content is None:
        assert response.content == b"", (path, method, status)
        return
    schema = {**_strict(content["application/json"]["schema"]), "components": _strict(document["components"])}
    jsonschema.Draft202012Validator(schema).validate(response.json())


def call(client: APIClient, method: str, path: str, body=None, **values):
    values = {"program_uuid": PROGRAM_UUID, "course_id": COURSE_ID, **values}
    return getattr(client, method)(path.format(**values), body, format="json")


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def item(key: str, status: str = "enrolled") -> dict:
    return {"student_key": key, "status": status, "curriculum_uuid": CURRICULUM_UUID}


def test_roster_answers_match_the_schema(document, world):
    staff = as_user(world["staff"])
    for method, body, status in (
        ("get", None, 200),
        ("post", [item("new-1")], 200),
        ("post", [item("new-2"), item("new-2")], 422),
        ("post", [item("new-3"), item("k-1")], 207),
        ("patch", [{"student_key": "k-2", "status": "canceled"}], 200),
        ("put", [item("k-2", "pending"), item("new-4", "suspended")], 200),
        ("post", [], 204),
        ("post", [item(f"many-{n}") for n in range(26)], 413),
        ("post", [{"student_key": "x"}], 400),
    ):
        response = call(staff, method, ROSTER, body)
        assert response.status_code == status, (method, body, response.content)
        check(document, ROSTER, method, response)
    response = call(staff, "get", ROSTER, program_uuid="99999999-9999-4999-8999-999999999999")
    assert response.status_code == 404
    check(document, ROSTER, "get", response)


def test_course_roster_and_grade_answers_match_the_schema(document, world):
    staff = as_user(world["staff"])
    for method, body, status in (
        ("get", None, 200),
        ("post", [{"student_key": "k-1", "status": "active", "course_staff": False}], 200),
        ("post", [{"student_key": "k-2", "status": "active"}, {"student_key": "nobody", "status": "active"}], 207),
        ("patch", [{"student_key": "k-1", "status": "inactive"}], 200),
        ("put", [{"student_key": "k-1", "status": "nonsense"}], 422),
        ("get", None, 200),
    ):
        response = call(staff, method, COURSE_ROSTER, body)
        assert response.status_code == status, (method, body, response.content)
        check(document, COURSE_ROSTER, method, response)
    grades = call(staff, "get", GRADES)
    assert grades.status_code == 200, grades.content
    assert grades.json()["results"] == [{"student_key": "k-1", "passed": True, "percent": 0.9, "letter_grade": "A"}]
    check(document, GRADES, "get", grades)
    outside = call(staff, "get", GRADES, course_id="course-v1:TestX+Nowhere+2026")
    assert outside.status_code == 404
    check(document, GRADES, "get", outside)


def test_grades_with_errors_and_without_rows_match_the_schema(document, world, course_key):
    staff = as_user(world["staff"])
    assert call(staff, "get", GRADES).status_code == 204
    check(document, GRADES, "get", call(staff, "get", GRADES))
    call(staff, "post", COURSE_ROSTER, [{"student_key": "k-1", "status": "active"}])
    other = make_user("ungraded")
    ExternalUserKey.objects.create(org=ORG, external_user_key="k-3", user=other)
    call(staff, "post", ROSTER, [item("k-3")])
    call(staff, "post", COURSE_ROSTER, [{"student_key": "k-3", "status": "active"}])
    other.builtin_enrollments.all().delete()
    response = call(staff, "get", GRADES)
    assert response.status_code == 207, response.content
    check(document, GRADES, "get", response)


def test_learner_views_match_the_schema(document, world):
    learner = as_user(world["learner"])
    for path, values in (
        (f"{BASE}/programs/enrollments/", {}),
        (f"{BASE}/programs/readonly_access/", {}),
        (LEARNER_COURSES, {"username": "prog_learner"}),
        (f"{PROGRAM}/overview/", {}),
    ):
        response = call(learner, "get", path, **values)
        assert response.status_code == 200, (path, response.content)
        check(document, path, "get", response)
    someone_else = call(learner, "get", LEARNER_COURSES, username="prog_staff")
    assert someone_else.status_code == 403
    check(document, LEARNER_COURSES, "get", someone_else)


@pytest.mark.parametrize("path", [f"{BASE}/integration-reset/", f"{BASE}/integration-reset"])
def test_integration_reset_answers_match_the_schema(document, world, settings, path):
    client = as_user(world["learner"])
    off = call(client, "post", path, {"organization": ORG})
    assert off.status_code == 501
    check(document, path, "post", off)
    settings.FEATURES = {**getattr(settings, "FEATURES", {}), "ENABLE_ENROLLMENT_RESET": True}
    for body, status in (({"organization": "NoSuchU"}, 404), ({}, 400), ({"organization": ORG}, 200)):
        response = call(client, "post", path, body)
        assert response.status_code == status, response.content
        check(document, path, "post", response)
