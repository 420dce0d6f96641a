"""The enrollment counts the built-in backend keeps by trigger stay equal to counting the enrollments."""

from __future__ import annotations

import pytest
from django.db.models import Count

from instructor_plugin.backends.builtin.enrollments import BuiltinEnrollmentService
from instructor_plugin.backends.builtin.models import CourseEnrollment, EnrollmentCount
from tests.conftest import enroll, grant, make_user
from tests.test_query_counts import make_learners

pytestmark = pytest.mark.django_db
OTHER = "course-v1:TestX+Other+2026"


def counted(course_key) -> dict[str, int]:
    """What counting every enrollment says, mode by mode."""
    rows = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).values("mode").annotate(n=Count("pk"))
    return {row["mode"]: row["n"] for row in rows}


def kept(course_key) -> dict[str, int]:
    return BuiltinEnrollmentService().count_by_mode(course_key)


def test_counts_follow_every_kind_of_write(course, course_key):
    service = BuiltinEnrollmentService()
    people = make_learners(course_key, "count", 12)
    assert kept(course_key) == counted(course_key) == {"audit": 6, "verified": 6}

    service.unenroll(course_key, people[0].pk)
    service.enroll(course_key, people[1].pk, "honor")
    CourseEnrollment.objects.filter(user__in=people[2:4]).update(is_active=False)
    CourseEnrollment.objects.filter(user__in=people[4:6]).update(mode="verified")
    CourseEnrollment.objects.filter(user=people[6]).delete()
    people[7].delete()
    service.enroll(course_key, people[0].pk)
    assert kept(course_key) == counted(course_key)

    CourseEnrollment.objects.filter(user__in=people[8:10]).update(course_key=OTHER)
    assert kept(course_key) == counted(course_key)
    assert kept(OTHER) == counted(OTHER) == {"audit": 1, "verified": 1}
    assert service.count_active(course_key) == sum(counted(course_key).values())
    assert service.count_active(course_key, limit=3) == 3


def test_inactive_enrollments_are_not_counted(course, course_key):
    enroll(make_user("gone"), course_key, is_active=False)
    assert kept(course_key) == {}
    assert EnrollmentCount.objects.filter(course_key=course_key).count() == 0


def test_learner_count_leaves_out_the_enrolled_team(users, course_key):
    service = BuiltinEnrollmentService()
    make_learners(course_key, "count", 10)
    enroll(users["course_staff"], course_key)
    enroll(users["instructor"], course_key)
    grant(users["instructor"], course_key, "staff")  # two team roles, one enrollment

    # The fixture's learner and beta tester, the ten learners.
    assert service.count_learners(course_key) == 12
    assert service.count_active(course_key) == 14
