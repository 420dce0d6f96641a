"""The built-in backend's enrollment-API capabilities: mode details, attributes, user-wide lists, search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.models import Course, CourseAccessRole, CourseEnrollment, CourseMode
from instructor_plugin.backends.builtin.seed import CLOSED_COURSE_ID, INVITE_ONLY_COURSE_ID, seed_demo_course
from instructor_plugin.backends.data import (
    EnrollmentAttributeData,
    EnrollmentCursor,
    EnrollmentSearch,
    UserRoleData,
)
from instructor_plugin.backends.registry import get_backend
from tests.conftest import enroll, grant, make_user

OTHER = CourseKey.from_string("course-v1:OtherX+O1+2026")


@pytest.fixture
def other_course(db):
    return Course.objects.create(course_key=OTHER, display_name="Other")


def test_course_data_carries_invite_only_and_capacity(course, course_key):
    Course.objects.filter(pk=course.pk).update(invitation_only=True, max_student_enrollments_allowed=3)

    data = get_backend().courses.get_course(course_key)

    assert (data.invite_only, data.max_student_enrollments_allowed) == (True, 3)


def test_mode_details_hide_expired_modes_unless_asked(course, course_key):
    CourseMode.objects.filter(course=course, slug="verified").update(
        min_price=49, currency="eur", sku="SKU1", expiration_datetime=timezone.now() - timedelta(days=1)
    )
    enrollments = get_backend().enrollments

    current = enrollments.list_mode_details(course_key)
    everything = enrollments.list_mode_details(course_key, include_expired=True)

    assert [m.slug for m in current] == ["audit"]
    assert [m.slug for m in everything] == ["audit", "verified"]
    verified = everything[1]
    assert (verified.min_price, verified.currency, verified.sku, verified.bulk_sku) == (49, "eur", "SKU1", None)


def test_attributes_are_upserted_by_namespace_and_name(course, course_key):
    user = make_user("ann")
    enroll(user, course_key)
    enrollments = get_backend().enrollments

    enrollments.set_enrollment_attributes(course_key, user.id, [EnrollmentAttributeData("credit", "provider_id", "a")])
    enrollments.set_enrollment_attributes(course_key, user.id, [EnrollmentAttributeData("credit", "provider_id", "b")])

    assert enrollments.get_enrollment_attributes(course_key, user.id) == [
        EnrollmentAttributeData("credit", "provider_id", "b")
    ]


def test_attributes_of_no_enrollment_are_ignored(course, course_key):
    user = make_user("ann")
    enrollments = get_backend().enrollments

    enrollments.set_enrollment_attributes(course_key, user.id, [EnrollmentAttributeData("credit", "x", "y")])

    assert enrollments.get_enrollment_attributes(course_key, user.id) == []


def test_user_enrollments_and_unenroll_all(course, course_key, other_course):
    user = make_user("ann")
    enroll(user, course_key)
    enroll(user, OTHER, is_active=False)
    enrollments = get_backend().enrollments

    assert [e.course_key for e in enrollments.list_user_enrollments(user.id)] == [course_key]
    assert len(enrollments.list_user_enrollments(user.id, include_inactive=True)) == 2
    assert list(enrollments.unenroll_all(user.id)) == [course_key]
    assert enrollments.list_user_enrollments(user.id) == []


def test_update_enrollment_changes_mode_and_flag(course, course_key):
    user = make_user("ann")
    enroll(user, course_key)
    enrollments = get_backend().enrollments

    updated = enrollments.update_enrollment(course_key, user.id, mode="verified", is_active=False)

    assert (updated.mode, updated.is_active) == ("verified", False)
    assert enrollments.update_enrollment(course_key, make_user("bob").id, mode="audit") is None


def test_search_filters_and_walks_newest_first(course, course_key, other_course):
    people = [make_user(f"u{i}") for i in range(5)]
    for person in people:
        enroll(person, course_key)
    enroll(people[0], OTHER)
    enrollments = get_backend().enrollments

    first = enrollments.search_enrollments(EnrollmentSearch(course_key=course_key), None, 2)
    cursor = EnrollmentCursor(first[-1].enrollment.created, first[-1].id)
    second = enrollments.search_enrollments(EnrollmentSearch(course_key=course_key), cursor, 2)
    back = enrollments.search_enrollments(
        EnrollmentSearch(course_key=course_key), EnrollmentCursor(second[0].enrollment.created, second[0].id, True), 2
    )

    assert [r.username for r in first] == ["u4", "u3"]
    assert [r.username for r in second] == ["u2", "u1"]
    assert [r.username for r in back] == ["u4", "u3"]
    by_text = enrollments.search_enrollments(EnrollmentSearch(course_id_contains=["otherx+o1"]), None, 10)
    assert [(r.username, r.enrollment.course_key) for r in by_text] == [("u0", OTHER)]
    by_user = enrollments.search_enrollments(EnrollmentSearch(usernames=["u1"], emails=["u1@example.com"]), None, 10)
    assert [r.username for r in by_user] == ["u1"]


def test_user_roles_and_allowed_by_email(course, course_key):
    user = make_user("ann")
    grant(user, course_key, "staff")
    grant(user, course_key, "instructor", org_level=True)
    enrollments = get_backend().enrollments
    enrollments.allow(course_key, "New@Example.com", True)

    assert get_backend().roles.list_user_roles(user.id) == [
        UserRoleData(org="TestX", course_key=course_key, role="staff"),
        UserRoleData(org="TestX", course_key=None, role="instructor"),
    ]
    assert CourseAccessRole.objects.count() == 2
    (allowed,) = enrollments.list_allowed_by_email("new@example.com")
    assert (allowed.course_key, allowed.auto_enroll, allowed.created is not None) == (course_key, True, True)


def test_seed_builds_the_enrollment_api_courses(db):
    seed_demo_course(learners=2)

    invite_only = Course.objects.get(course_key=CourseKey.from_string(INVITE_ONLY_COURSE_ID))
    closed = Course.objects.get(course_key=CourseKey.from_string(CLOSED_COURSE_ID))

    assert invite_only.invitation_only is True
    assert closed.enrollment_end < timezone.now()
    for course in (invite_only, closed):
        assert set(course.modes.values_list("slug", flat=True)) == {"audit", "verified", "honor"}
    assert CourseMode.objects.filter(slug="verified", min_price=49, sku="DEMO-VERIFIED").count() == 3
    assert CourseEnrollment.objects.filter(course_key=invite_only.course_key).count() == 0
