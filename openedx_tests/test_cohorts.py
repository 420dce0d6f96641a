"""
Where the LMS's ``course_groups`` app shapes the Open edX backend beyond the contract: memberships keep the
groups' ``users`` (which the email recipients read) in step, the platform's preassignment rows, and lists
whose queries do not grow with the cohorts or members.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openedx.core.djangoapps.course_groups.models import (
    CohortMembership,
    CourseCohort,
    CourseUserGroup,
    UnregisteredLearnerCohortAssignments,
)

from instructor_plugin.backends.contract.suite import COURSE, EVERYONE
from instructor_plugin.backends.openedx import openedx_backend

from .world import OpenedxWorld


@pytest.fixture
def backend():
    return openedx_backend()


@pytest.fixture
def course(db):
    OpenedxWorld().make_course(COURSE)


def test_a_move_keeps_the_groups_users_in_step(backend, course):
    ann = get_user_model().objects.create_user("ann", "ann@example.com")
    red = backend.cohorts.create_cohort(COURSE, "Red", "manual")
    blue = backend.cohorts.create_cohort(COURSE, "Blue", "random")

    backend.cohorts.assign_member(COURSE, red.id, ann.pk)
    move = backend.cohorts.assign_member(COURSE, blue.id, ann.pk)
    again = backend.cohorts.assign_member(COURSE, blue.id, ann.pk)

    assert (move.previous_cohort, again.previous_cohort) == ("Red", None)
    assert list(CourseUserGroup.objects.get(pk=red.id).users.all()) == []
    assert list(CourseUserGroup.objects.get(pk=blue.id).users.all()) == [ann]
    assert list(CourseCohort.objects.order_by("assignment_type").values_list("assignment_type", flat=True)) == [
        "manual",
        "random",
    ]

    backend.cohorts.remove_member(COURSE, blue.id, ann.pk)

    assert list(CourseUserGroup.objects.get(pk=blue.id).users.all()) == []
    assert not CohortMembership.objects.exists()


def test_preassignments_are_the_platforms_rows(backend, course):
    red = backend.cohorts.create_cohort(COURSE, "Red", "manual")

    backend.cohorts.preassign_email(COURSE, red.id, "new@example.com")

    assert list(UnregisteredLearnerCohortAssignments.objects.values_list("email", "course_user_group_id")) == [
        ("new@example.com", red.id)
    ]


def test_a_cohort_of_another_course_cannot_be_updated(backend, course):
    OpenedxWorld().make_course(COURSE.replace(run="other"))
    other = backend.cohorts.create_cohort(COURSE.replace(run="other"), "Elsewhere", "manual")

    with pytest.raises(CourseUserGroup.DoesNotExist):
        backend.cohorts.update_cohort(COURSE, other.id, "Taken", "manual", None, None)

    assert CourseUserGroup.objects.get(pk=other.id).name == "Elsewhere"


def test_the_lists_cost_the_same_queries_for_10_or_1000_rows(backend, course):
    users = get_user_model().objects
    member_cohort = backend.cohorts.create_cohort(COURSE, "Members", "manual")

    def queries_with(count):
        for n in range(count):
            CourseCohort.create(cohort_name=f"c{count}-{n}", course_id=COURSE)
        learners = users.bulk_create(
            get_user_model()(username=f"u{count}-{n}", email=f"u{count}-{n}@example.com") for n in range(count)
        )
        CohortMembership.objects.bulk_create(
            CohortMembership(course_user_group_id=member_cohort.id, user=user, course_id=COURSE) for user in learners
        )
        with CaptureQueriesContext(connection) as queries:
            cohorts = backend.cohorts.list_cohorts_page(COURSE, False, EVERYONE)
            members = backend.cohorts.list_members(COURSE, member_cohort.id, EVERYONE)
        assert cohorts.total > count
        assert members.total >= count
        return len(queries)

    assert queries_with(10) == queries_with(1000)
