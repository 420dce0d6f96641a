"""The username the built-in backend copies onto each enrollment (by trigger) stays the user's, and orders the list."""

from __future__ import annotations

import pytest
from django.db.models import F

from instructor_plugin.backends.builtin.enrollments import BuiltinEnrollmentService
from instructor_plugin.backends.builtin.models import CourseEnrollment
from instructor_plugin.backends.data import EnrollmentFilter, PageRequest
from tests.conftest import enroll, make_user
from tests.test_query_counts import make_learners, make_users

pytestmark = pytest.mark.django_db


def stale(course_key) -> list[tuple[str, str]]:
    """Enrollments whose copied username is not their user's."""
    rows = CourseEnrollment.objects.filter(course_key=course_key).exclude(username=F("user__username"))
    return list(rows.values_list("username", "user__username"))


def test_every_kind_of_write_copies_the_username(course_key):
    service = BuiltinEnrollmentService()
    people = make_learners(course_key, "copy", 6)  # bulk_create
    service.enroll(course_key, make_user("one_by_one").pk)
    assert CourseEnrollment.objects.get(user__username="one_by_one").username == "one_by_one"

    row = CourseEnrollment.objects.get(user=people[0])
    row.username = ""
    row.mode = "honor"
    row.save()  # a full save of an instance holding a wrong copy
    CourseEnrollment.objects.filter(user=people[1]).update(user=make_users("moved", 1)[0])
    people[2].username = "renamed"
    people[2].save()

    assert stale(course_key) == []
    assert set(CourseEnrollment.objects.filter(course_key=course_key).values_list("username", flat=True)) >= {
        "renamed",
        "moved00000",
        "copy00000",
    }


def test_the_list_pages_in_username_order_however_deep(course_key):
    people = make_learners(course_key, "order", 30)
    enroll(make_user("aaa_first"), course_key)
    people[5].username = "zzz_last"
    people[5].save()
    expected = sorted([user.username for user in people if user.pk != people[5].pk] + ["aaa_first", "zzz_last"])
    service = BuiltinEnrollmentService()

    pages = [
        service.list_enrollments(course_key, EnrollmentFilter(), PageRequest(offset=offset, limit=7))
        for offset in range(0, 35, 7)
    ]

    assert [row.user.username for page in pages for row in page.items] == expected
    assert {page.total for page in pages} == {31}
