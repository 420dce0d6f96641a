"""
Roster syncs in sets: a write request of 25 records costs as many queries as one of 5, and gives the
same rows (program and program-course enrollments, history, ``masters`` course enrollments, audit).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import (
    CourseEnrollment,
    ExternalUserKey,
    ProgramCourseEnrollment,
    ProgramEnrollment,
    ProgramEnrollmentHistory,
)
from instructor_plugin.models import AuditRecord
from tests.conftest import COURSE_ID, enroll, make_user
from tests.program_fixtures import CURRICULUM_UUID, ORG, PROGRAM_UUID, make_test_program

pytestmark = pytest.mark.django_db
User = get_user_model()

BASE = f"/api/program_enrollments/v1/programs/{PROGRAM_UUID}"
ROSTER = f"{BASE}/enrollments/"
COURSE_ROSTER = f"{BASE}/courses/{COURSE_ID}/enrollments/"


@pytest.fixture
def program(course, course_key):
    return make_test_program(course_key)


@pytest.fixture
def staff_client():
    client = APIClient()
    client.force_authenticate(make_user("registrar", is_staff=True))
    return client


def _learners(batch: str, count: int, course_key) -> list[str]:
    """``count`` external keys; every other one has an account, every fourth an ``audit`` enrollment already."""
    keys = [f"{batch}-{n}" for n in range(count)]
    for n, key in enumerate(keys[::2]):
        user = User.objects.create(username=key, email=f"{key}@example.com")
        ExternalUserKey.objects.create(org=ORG, external_user_key=key, key_lower=key, user=user)
        if n % 2:
            enroll(user, course_key, mode="audit")
    return keys


def _count(client, method: str, url: str, body: list) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, body, format="json")
    assert response.status_code == 200, response.content
    return len(captured), response.json()


def _sync(client, keys: list[str]) -> list[int]:
    """Create, then update, program and program-course enrollments of ``keys``; the queries of each request."""
    counts = []
    for method, url, body in (
        ("post", ROSTER, [{"student_key": k, "status": "enrolled", "curriculum_uuid": CURRICULUM_UUID} for k in keys]),
        ("patch", ROSTER, [{"student_key": k, "status": "suspended"} for k in keys]),
        ("post", COURSE_ROSTER, [{"student_key": k, "status": "active"} for k in keys]),
        ("patch", COURSE_ROSTER, [{"student_key": k, "status": "inactive"} for k in keys]),
        ("put", COURSE_ROSTER, [{"student_key": k, "status": "active"} for k in keys]),
    ):
        queries, results = _count(client, method, url, body)
        assert set(results) == set(keys)
        counts.append(queries)
    return counts


def test_a_request_of_25_costs_the_queries_of_one_of_5(program, course_key, staff_client):
    small = _sync(staff_client, _learners("small", 5, course_key))
    large = _sync(staff_client, _learners("large", 25, course_key))
    assert large == small
    assert max(large) < 25  # fewer than one query a learner


def test_the_sync_in_sets_writes_every_row(program, course_key, staff_client):
    keys = _learners("rows", 8, course_key)
    _sync(staff_client, keys)
    assert set(ProgramEnrollment.objects.values_list("key_lower", "status")) == {(k, "suspended") for k in keys}
    assert set(ProgramCourseEnrollment.objects.values_list("program_enrollment__key_lower", "status")) == {
        (k, "active") for k in keys
    }
    # Program enrollments: created, suspended; program-course enrollments: created, inactive, active.
    assert ProgramEnrollmentHistory.objects.filter(program_enrollment__isnull=False).count() == 2 * len(keys)
    assert ProgramEnrollmentHistory.objects.filter(program_course_enrollment__isnull=False).count() == 3 * len(keys)
    accounts = keys[::2]
    assert set(CourseEnrollment.objects.values_list("user__username", "mode", "is_active")) == {
        (k, "masters", True) for k in accounts
    }
    # Each account: enrolled (or converted from audit), deactivated, reactivated.
    audits = AuditRecord.objects.filter(action="program_masters_enrollment", course_key=course_key)
    assert audits.count() == 3 * len(accounts)
    assert {record.detail["is_active"] for record in audits} == {True, False}


def test_an_unchanged_status_writes_no_history(program, course_key, staff_client):
    keys = _learners("same", 3, course_key)
    body = [{"student_key": k, "status": "enrolled", "curriculum_uuid": CURRICULUM_UUID} for k in keys]
    staff_client.post(ROSTER, body, format="json")
    _count(staff_client, "put", ROSTER, body)
    assert ProgramEnrollmentHistory.objects.count() == len(keys)
