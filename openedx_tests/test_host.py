"""
An LMS-like host (``openedx_tests.settings``, URLconf ``lms.urls`` of the stand-in) installs the plugin
through its entry point with the Open edX backend selected, beside the LMS's own ``instructor`` app that
serves ``api/instructor/v2/`` too. Whichever entry point the plugin framework finds first, the flag
``instructor_plugin.enable_api_v2`` decides whose views answer the dashboard's paths; the plugin's v2
endpoints answer over the LMS's data: roles from ``CourseAccessRole``, the course tree from the
modulestore, due dates from edx-when.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import import_module
from types import ModuleType

import pytest
from common.djangoapps.student.models import CourseAccessRole
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_django_utils.plugins import get_plugin_apps
from edx_rest_framework_extensions.auth.jwt.tests.utils import (
    generate_asymmetric_jwt_token,
    generate_latest_version_payload,
)
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
LEGACY = f"/courses/{COURSE}/instructor/api"
SCHEDULED_EMAILS = f"/api/instructor_task/v1/schedules/{COURSE}/bulk_email/"


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


@pytest.fixture(
    params=["lms.urls", "openedx_tests.plugin_found_first_urls"],
    ids=["lms-instructor-found-first", "plugin-found-first"],
)
def lms_urls(request, settings):
    """The LMS-like URLconf, with either entry point found first by the plugin framework."""
    settings.ROOT_URLCONF = request.param


def client_of(user_id: int) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user_id))
    return client


def test_the_plugin_is_installed_with_the_openedx_backend():
    assert apps.is_installed("instructor_plugin")
    assert not apps.is_installed("instructor_plugin.backends.builtin")
    assert plugin_setting("BACKEND") == "instructor_plugin.backends.openedx.openedx_backend"
    assert plugin_setting("LMS_APIS") == []


def test_the_plugin_is_installed_through_its_entry_point_and_settings_hooks():
    assert "instructor_plugin.apps.InstructorPluginConfig" in get_plugin_apps("lms.djangoapp")
    assert "instructor_plugin.apps.InstructorPluginConfig" in settings.INSTALLED_APPS
    # The common hook took the LMS's own setting as the default; the test hook turned special exams on.
    assert plugin_setting("LEARNING_MICROFRONTEND_URL") == settings.LEARNING_MICROFRONTEND_URL
    assert plugin_setting("ENABLE_SPECIAL_EXAMS") is True
    assert "ENABLE_SPECIAL_EXAMS" in settings.INSTRUCTOR_PLUGIN_DEFAULTED


def test_the_plugin_mounts_come_with_the_lms_instructor_app_through_get_plugin_url_patterns():
    mounted = [getattr(pattern, "urlconf_name", None) for pattern in import_module("lms.urls").urlpatterns]
    names = [module.__name__ for module in mounted if isinstance(module, ModuleType)]

    assert names.index("lms.djangoapps.instructor.urls") < names.index("instructor_plugin.urls")
    assert names.index("instructor_plugin.urls") < names.index("lms.djangoapps.instructor_task.rest_api.urls")


def test_the_plugin_settings_hook_added_its_middleware():
    assert settings.MIDDLEWARE[-1] == "instructor_plugin.url_precedence.UrlPrecedenceMiddleware"
    assert settings.ROOT_URLCONF == "lms.urls"


def test_the_mfe_paths_reach_the_plugin_while_its_flag_is_on(host, lms_urls):
    instructor = client_of(host["instructor"])

    metadata = instructor.get(V2)
    tasks = instructor.post(f"{LEGACY}/list_instructor_tasks")
    schedules = instructor.get(SCHEDULED_EMAILS)

    assert metadata.status_code == 200, metadata.content
    assert (metadata.json()["course_id"], metadata.json()["display_name"]) == (str(COURSE), "Host 101")
    assert tasks.status_code == 200, tasks.content
    assert tasks.json() == {"tasks": []}
    assert schedules.status_code == 200, schedules.content
    assert "served_by" not in schedules.json()


def test_the_mfe_reaches_the_plugin_with_a_jwt_of_the_lms(host, lms_urls):
    """As the MFE calls it: a JWT signed with the LMS's key, no session, no CSRF token."""
    instructor = get_user_model().objects.get(pk=host["instructor"])
    client = APIClient(enforce_csrf_checks=True)
    token = generate_asymmetric_jwt_token(generate_latest_version_payload(instructor))
    client.credentials(HTTP_AUTHORIZATION=f"JWT {token}")

    metadata = client.get(V2)
    tasks = client.post(f"{LEGACY}/list_instructor_tasks")

    assert metadata.status_code == 200, metadata.content
    assert metadata.json()["course_id"] == str(COURSE)
    assert tasks.json() == {"tasks": []}


def test_the_lms_keeps_its_other_paths_while_the_flag_is_on(host, lms_urls):
    instructor = client_of(host["instructor"])

    legacy = instructor.post(f"{LEGACY}/list_course_role_members")
    dashboard = instructor.get(f"/courses/{COURSE}/instructor")

    assert legacy.json() == {"served_by": "lms", "view": "list_course_role_members"}
    assert dashboard.json() == {"served_by": "lms", "view": "instructor_dashboard"}
    assert not hasattr(dashboard.wsgi_request, "urlconf")


def test_the_lms_answers_the_dashboard_paths_while_the_flag_is_off(host, lms_urls):
    instructor = client_of(host["instructor"])

    with override_waffle_flag(toggles._ENABLE_API_V2_FLAG, active=False):
        metadata = instructor.get(V2)
        subsections = instructor.get(f"{V2}/graded_subsections")
        tasks = instructor.post(f"{LEGACY}/list_instructor_tasks")
        schedules = instructor.get(SCHEDULED_EMAILS)
        only_the_plugin_has = instructor.get(f"{V2}/unit_extensions")
        legacy_only_the_plugin_has = instructor.post(f"{LEGACY}/reset_due_date", {}, format="json")

    assert metadata.json() == {"served_by": "lms", "view": "course_metadata"}
    assert subsections.json() == {"served_by": "lms", "view": "graded_subsections"}
    assert tasks.json() == {"served_by": "lms", "view": "list_instructor_tasks"}
    assert schedules.json() == {"served_by": "lms", "view": "scheduled_bulk_email"}
    assert only_the_plugin_has.status_code == 404
    assert "served_by" not in only_the_plugin_has.json()
    assert legacy_only_the_plugin_has.status_code == 400, legacy_only_the_plugin_has.content


def test_the_plugin_reverses_its_own_v2_names_over_the_lms_namespace(host, lms_urls):
    staff = get_user_model().objects.get(pk=host["instructor"])
    staff.is_staff = True
    staff.save()

    response = client_of(host["instructor"]).post(f"{V2}/reports/pending_enrollments/generate")

    assert response.status_code == 202, response.content
    assert response.json()["status_url"] == f"{V2}/tasks/{response.json()['task_id']}"


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
