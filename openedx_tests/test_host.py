"""
An LMS-like host (``openedx_tests.settings``) installs the plugin through its entry point with the Open
edX backend selected, and the v2 endpoints answer over the LMS's data: roles from ``CourseAccessRole``,
the course tree from the modulestore, due dates from edx-when.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from common.djangoapps.student.models import CourseAccessRole
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_toggles.toggles.testutils import override_waffle_flag
from edx_when.api import set_date_for_block
from edx_when.models import UserDate
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.django_comment_common.models import Role
from rest_framework.test import APIClient

from instructor_plugin import toggles
from instructor_plugin.backends.openedx import openedx_backend
from instructor_plugin.conf import plugin_setting

from .world import OpenedxWorld

COURSE = CourseKey.from_string("course-v1:HostX+H101+2026")
ROOT = COURSE.make_usage_key("course", "course")
HW1 = COURSE.make_usage_key("sequential", "hw1")
HW2 = COURSE.make_usage_key("sequential", "hw2")
FIRST = datetime(2026, 2, 1, 12, tzinfo=UTC)
LATER = datetime(2026, 3, 1, 12, tzinfo=UTC)
V2 = f"/api/instructor/v2/courses/{COURSE}"


@pytest.fixture
def host(db):
    """A course with two dated homeworks, its instructor, a learner and an outsider."""
    world = OpenedxWorld()
    world.make_course(COURSE, display_name="Host 101")
    world.make_block(COURSE, COURSE.make_usage_key("chapter", "week1"), ROOT, display_name="Week 1")
    world.make_block(COURSE, HW1, COURSE.make_usage_key("chapter", "week1"), display_name="Homework 1", due=FIRST)
    world.make_block(COURSE, HW2, COURSE.make_usage_key("chapter", "week1"), display_name="Homework 2", due=FIRST)
    people = {
        "instructor": world.make_user("instructor", "instructor@example.com", "Ines Instructor"),
        "learner": world.make_user("learner", "learner@example.com", "Lea Learner"),
        "outsider": world.make_user("outsider", "outsider@example.com", "Otto Outsider"),
    }
    world.grant(COURSE, people["instructor"], "instructor")
    with override_waffle_flag(toggles._ENABLE_API_V2_FLAG, active=True):
        yield people


def client_of(user_id: int) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user_id))
    return client


def test_the_plugin_is_installed_with_the_openedx_backend():
    assert apps.is_installed("instructor_plugin")
    assert not apps.is_installed("instructor_plugin.backends.builtin")
    assert plugin_setting("BACKEND") == "instructor_plugin.backends.openedx.openedx_backend"
    assert plugin_setting("LMS_APIS") == []


def test_graded_subsections_come_from_edx_when(host):
    response = client_of(host["instructor"]).get(f"{V2}/graded_subsections")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "items": [
            {"display_name": "Homework 1", "subsection_id": str(HW1)},
            {"display_name": "Homework 2", "subsection_id": str(HW2)},
        ]
    }


def test_unit_extensions_list_the_lms_overrides(host):
    learner = get_user_model().objects.get(pk=host["learner"])
    set_date_for_block(COURSE, HW2, "due", LATER, user=learner, reason="ill")

    response = client_of(host["instructor"]).get(f"{V2}/unit_extensions")

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1
    assert response.json()["results"] == [
        {
            "username": "learner",
            "full_name": "Lea Learner",
            "email": "learner@example.com",
            "unit_title": "Homework 2",
            "unit_location": str(HW2),
            "extended_due_date": "2026-03-01T12:00:00Z",
        }
    ]
    assert UserDate.objects.count() == 1


def test_change_due_date_writes_edx_when_overrides_for_an_enrolled_learner(host):
    openedx_backend().enrollments.enroll(COURSE, host["learner"], "audit")
    payload = {
        "block_id": str(HW1),
        "due_datetime": "2026-03-01T12:00:00Z",
        "email_or_username": "learner",
        "reason": "ill",
    }

    response = client_of(host["instructor"]).post(f"{V2}/change_due_date", payload, format="json")

    assert response.status_code == 200, response.content
    assert list(UserDate.objects.values_list("content_date__location", "abs_date", "reason", "actor_id")) == [
        (HW1, LATER, "ill", host["instructor"])
    ]


def test_change_due_date_refuses_a_learner_not_enrolled(host):
    payload = {
        "block_id": str(HW1),
        "due_datetime": "2026-03-01T12:00:00Z",
        "email_or_username": "outsider",
        "reason": "",
    }

    response = client_of(host["instructor"]).post(f"{V2}/change_due_date", payload, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["error_code"] == "learner_not_enrolled"
    assert not UserDate.objects.exists()


@pytest.mark.parametrize("who", ["learner", "outsider"])
def test_people_without_a_course_role_are_refused(host, who):
    response = client_of(host[who]).get(f"{V2}/graded_subsections")

    assert response.status_code == 403


def test_a_course_the_modulestore_lacks_is_not_found(host):
    response = client_of(host["instructor"]).get(
        "/api/instructor/v2/courses/course-v1:HostX+Missing+2026/graded_subsections"
    )

    assert response.status_code == 404
    assert response.json()["error_code"] == "course_not_found"


def test_unit_extensions_cost_the_same_queries_for_one_override_or_many(host):
    world = OpenedxWorld()
    instructor = client_of(host["instructor"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert instructor.get(f"{V2}/unit_extensions", {"page_size": 5}).status_code == 200
        return len(captured)

    learner = get_user_model().objects.get(pk=host["learner"])
    set_date_for_block(COURSE, HW1, "due", LATER, user=learner)
    queries()  # the first request also reads and caches the waffle flag
    one = queries()
    for number in range(12):
        user = get_user_model().objects.get(pk=world.make_user(f"l{number}", f"l{number}@example.com", f"L {number}"))
        set_date_for_block(COURSE, HW1, "due", LATER, user=user)
        set_date_for_block(COURSE, HW2, "due", LATER, user=user)

    assert queries() == one


def test_the_callers_course_org_and_forum_roles_are_one_query(host):
    world = OpenedxWorld()
    world.grant(COURSE, host["instructor"], "staff", org_level=True)
    world.grant_forum(COURSE, host["instructor"], "Administrator")
    instructor = client_of(host["instructor"])
    instructor.get(f"{V2}/team/roles")  # the first request also reads and caches the waffle flag

    with CaptureQueriesContext(connection) as captured:
        response = instructor.get(f"{V2}/team/roles", {"editable": "true"})

    assert response.status_code == 200
    role_tables = (CourseAccessRole._meta.db_table, Role._meta.db_table)
    role_queries = [query["sql"] for query in captured if any(table in query["sql"] for table in role_tables)]
    assert len(role_queries) == 1, role_queries
