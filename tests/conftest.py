"""Shared fixtures: a course with its team, an API client, and the v2 flag on."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from edx_django_utils.cache import RequestCache
from edx_toggles.toggles.testutils import override_waffle_flag
from opaque_keys.edx.django.models import CourseKeyField
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from instructor_plugin import toggles
from instructor_plugin.backends.builtin.models import (
    Block,
    Course,
    CourseAccessRole,
    CourseEnrollment,
    CourseMode,
    ForumRole,
    UserProfile,
)
from tests.celery_app import app as celery_app  # noqa: F401 (the host's Celery app, as an LMS loads it)

# The backend contract suite lives in the package; have pytest explain its failing asserts.
pytest.register_assert_rewrite("instructor_plugin.backends.contract")

COURSE_ID = "course-v1:TestX+T101+2026"
User = get_user_model()


@pytest.fixture(autouse=True)
def _clear_caches():
    """Waffle and request caches must not leak between tests."""
    RequestCache.clear_all_namespaces()
    cache.clear()
    yield
    RequestCache.clear_all_namespaces()
    cache.clear()


FILE_STORAGE = "django.core.files.storage.FileSystemStorage"


@pytest.fixture(autouse=True)
def file_storages(settings, tmp_path) -> dict:
    """Report and open-response files of every test go to its own temporary folders, never the checkout."""
    locations = {"REPORT_STORAGE": tmp_path / "reports", "ORA_FILE_STORAGE": tmp_path / "ora"}
    settings.INSTRUCTOR_PLUGIN = {
        **settings.INSTRUCTOR_PLUGIN,
        **{name: {"BACKEND": FILE_STORAGE, "OPTIONS": {"location": str(path)}} for name, path in locations.items()},
    }
    return locations


@pytest.fixture
def api_v2_on(db):
    with override_waffle_flag(toggles._ENABLE_API_V2_FLAG, active=True):
        yield


@pytest.fixture
def writable_gradebook_on(db):
    """The ``grades.writable_gradebook`` flag on: the gradebook is served and ``gradebook_url`` set."""
    with override_waffle_flag(toggles._WRITABLE_GRADEBOOK_FLAG, active=True):
        yield


@pytest.fixture
def course_key() -> CourseKey:
    return CourseKey.from_string(COURSE_ID)


def make_user(username: str, *, is_staff: bool = False, is_active: bool = True, name: str | None = None, **extra):
    user = User.objects.create_user(
        username=username, email=f"{username}@example.com", password="edx", is_staff=is_staff, is_active=is_active
    )
    UserProfile.objects.create(user=user, name=name if name is not None else username.title(), **extra)
    return user


def enroll(user, course_key, mode: str = "audit", is_active: bool = True):
    return CourseEnrollment.objects.create(user=user, course_key=course_key, mode=mode, is_active=is_active)


def grant(user, course_key, role: str, *, org_level: bool = False):
    return CourseAccessRole.objects.create(
        user=user, org=course_key.org, course_key=CourseKeyField.Empty if org_level else course_key, role=role
    )


def grant_forum(user, course_key, role: str):
    return ForumRole.objects.create(user=user, course_key=course_key, role=role)


@pytest.fixture
def course(db, course_key) -> Course:
    course = Course.objects.create(course_key=course_key, display_name="Test Course", grading_policy={})
    for slug in ("audit", "verified"):
        CourseMode.objects.create(course=course, slug=slug, display_name=slug.title())
    root = Block.objects.create(
        course=course, usage_key=course_key.make_usage_key("course", "course"), block_type="course", position=0
    )
    Block.objects.create(
        course=course,
        usage_key=course_key.make_usage_key("chapter", "week1"),
        block_type="chapter",
        display_name="Week 1",
        parent=root,
        position=1,
    )
    return course


@pytest.fixture
def users(course, course_key) -> dict:
    """One user per role of the permission matrix, named after the role."""
    people = {
        "outsider": make_user("outsider"),
        "learner": make_user("learner"),
        "beta_tester": make_user("beta_tester"),
        "course_staff": make_user("course_staff"),
        "instructor": make_user("instructor"),
        "data_researcher": make_user("data_researcher"),
        "discussion_admin": make_user("discussion_admin"),
        "global_staff": make_user("global_staff", is_staff=True),
    }
    enroll(people["learner"], course_key)
    enroll(people["beta_tester"], course_key)
    grant(people["beta_tester"], course_key, "beta")
    grant(people["course_staff"], course_key, "staff")
    grant(people["instructor"], course_key, "instructor")
    grant(people["data_researcher"], course_key, "data_researcher")
    grant(people["discussion_admin"], course_key, "staff")
    grant_forum(people["discussion_admin"], course_key, "Administrator")
    return people


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def v2(course_id: str = COURSE_ID, suffix: str = "") -> str:
    return f"/api/instructor/v2/courses/{course_id}{suffix}"
