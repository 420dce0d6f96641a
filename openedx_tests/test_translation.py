"""What the Open edX backend's translation adds beyond the contract: the LMS records it writes, its errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from common.djangoapps.student.models import CourseAccessRole, UserProfile
from completion.waffle import ENABLE_COMPLETION_TRACKING_SWITCH
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_toggles.toggles.testutils import override_waffle_switch
from edx_when.models import UserDate
from opaque_keys.edx.keys import CourseKey
from xmodule.modulestore.django import modulestore

from instructor_plugin.backends.data import PageRequest
from instructor_plugin.backends.exceptions import UserNotFound
from instructor_plugin.backends.openedx import openedx_backend

from .world import OpenedxWorld

COURSE = CourseKey.from_string("course-v1:TransX+T1+2026")
OTHER = CourseKey.from_string("course-v1:TransX+T2+2026")
ROOT = COURSE.make_usage_key("course", "course")
HW = COURSE.make_usage_key("sequential", "hw")
PROBLEM = COURSE.make_usage_key("problem", "p1")
FIRST = datetime(2026, 2, 1, 12, tzinfo=UTC)
LATER = datetime(2026, 2, 9, 12, tzinfo=UTC)
EVERYONE = PageRequest(offset=0, limit=100)


@pytest.fixture
def world(db):
    world = OpenedxWorld()
    world.make_course(COURSE)
    world.make_block(COURSE, HW, ROOT, display_name="Homework", due=FIRST)
    world.make_block(COURSE, PROBLEM, HW, due=FIRST)
    return world


@pytest.fixture
def backend():
    return openedx_backend()


class TestDueDates:
    def test_each_change_is_an_edx_when_user_date_naming_the_actor_and_reason(self, backend, world):
        ann = world.make_user("ann", "ann@example.com", "Ann")
        staff = world.make_user("staff", "staff@example.com", "Staff")

        backend.due_dates.set_override(COURSE, HW, ann, LATER, staff, "ill")
        removed = backend.due_dates.remove_override(COURSE, HW, ann, staff, "recovered")

        assert set(removed) == {HW, PROBLEM}
        rows = UserDate.objects.order_by("pk").values_list(
            "content_date__location", "abs_date", "actor_id", "reason", "user_id"
        )
        assert sorted(rows, key=lambda row: (row[3], str(row[0]))) == [
            (PROBLEM, LATER, staff, "ill", ann),
            (HW, LATER, staff, "ill", ann),
            (PROBLEM, None, staff, "recovered", ann),
            (HW, None, staff, "recovered", ann),
        ]
        assert backend.due_dates.get_learner_due_dates(COURSE, ann) == {HW: FIRST, PROBLEM: FIRST}

    def test_a_new_date_after_a_reset_is_listed_again(self, backend, world):
        ann = world.make_user("ann", "ann@example.com", "Ann")
        backend.due_dates.set_override(COURSE, HW, ann, LATER, None, "")
        backend.due_dates.remove_override(COURSE, HW, ann, None, "")

        backend.due_dates.set_override(COURSE, HW, ann, LATER, None, "again")

        page = backend.due_dates.list_overrides(COURSE, [HW], None, EVERYONE)
        assert [(row.user.username, row.due, row.reason) for row in page.items] == [("ann", LATER, "again")]

    def test_listing_costs_the_same_queries_for_few_or_many_overrides(self, backend, world):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                backend.due_dates.list_overrides(COURSE, None, None, EVERYONE)
            return len(captured)

        backend.due_dates.set_override(COURSE, HW, world.make_user("a", "a@example.com", "A"), LATER, None, "")
        few = queries()
        for number in range(10):
            user = world.make_user(f"u{number}", f"u{number}@example.com", f"U {number}")
            backend.due_dates.set_override(COURSE, HW, user, LATER, None, "")

        assert queries() == few


class TestCourses:
    def test_settings_are_written_through_the_modulestore_as_a_management_command(self, backend, world):
        backend.courses.update_course_settings(COURSE, proctoring_provider="proctortrack")

        assert modulestore().updates == [(ROOT, -1)]
        assert modulestore().get_course(COURSE).proctoring_provider == "proctortrack"

    def test_only_the_proctoring_settings_are_writable(self, backend, world):
        with pytest.raises(ValueError, match="display_name"):
            backend.courses.update_course_settings(COURSE, display_name="Renamed")

        assert modulestore().updates == []


class TestCompletion:
    def test_the_lms_switch_must_be_on(self, backend, world):
        ann = world.make_user("ann", "ann@example.com", "Ann")

        with pytest.raises(ImproperlyConfigured, match=r"completion\.enable_completion_tracking"):
            backend.completion.set_completion(COURSE, ann, PROBLEM, 1.0)

        assert world.completion(ann, PROBLEM) is None

    def test_refuses_another_course_block_and_unknown_learners(self, backend, world):
        ann = world.make_user("ann", "ann@example.com", "Ann")

        with override_waffle_switch(ENABLE_COMPLETION_TRACKING_SWITCH, active=True):
            with pytest.raises(ValueError, match="is not a block of"):
                backend.completion.set_completion(OTHER, ann, PROBLEM, 1.0)
            with pytest.raises(UserNotFound):
                backend.completion.set_completion(COURSE, ann + 1000, PROBLEM, 1.0)

        assert world.completion(ann, PROBLEM) is None


class TestRoles:
    def test_a_course_role_is_a_course_access_role_of_the_course_org(self, backend, world):
        ann = world.make_user("ann", "ann@example.com", "Ann")

        backend.roles.add_course_role(COURSE, ann, "staff")

        assert list(CourseAccessRole.objects.values_list("user_id", "org", "course_id", "role")) == [
            (ann, "TransX", COURSE, "staff")
        ]
        assert [(r.org, r.course_key, r.role) for r in backend.roles.list_user_roles(ann)] == [
            ("TransX", COURSE, "staff")
        ]

    def test_granting_to_an_unknown_user(self, backend, world):
        with pytest.raises(UserNotFound):
            backend.roles.add_course_role(COURSE, 4242, "staff")
        with pytest.raises(UserNotFound):
            backend.roles.add_forum_role(COURSE, 4242, "Moderator")

        assert not CourseAccessRole.objects.exists()


class TestUsers:
    def test_many_users_cost_two_queries(self, backend, world):
        ids = [world.make_user(f"u{n}", f"u{n}@example.com", f"U {n}", language="fr") for n in range(5)]

        with CaptureQueriesContext(connection) as captured:
            users = backend.users.get_users(ids)

        assert len(captured) == 2
        assert {user.language for user in users.values()} == {"fr"}

    def test_year_of_birth_is_the_profile_one(self, backend, world):
        ann = world.make_user("ann", "ann@example.com", "Ann")
        UserProfile.objects.filter(user_id=ann).update(year_of_birth=1990)

        assert backend.users.get_year_of_birth(ann) == 1990
        assert backend.users.get_year_of_birth(ann + 1000) is None

    def test_org_preferences_are_user_org_tags(self, backend, world):
        ann = world.make_user("ann", "ann@example.com", "Ann")

        backend.users.set_org_preference(ann, "TransX", "email-optin", "True")
        backend.users.set_org_preference(ann, "TransX", "email-optin", "False")

        assert backend.users.get_org_preference(ann, "TransX", "email-optin") == "False"
        assert backend.users.get_org_preference(ann, "OtherX", "email-optin") is None
