"""The cohort member counts the built-in backend keeps by trigger stay equal to counting the members."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.bulk_load import bulk_load
from instructor_plugin.backends.builtin.cohorts import BuiltinCohortService
from instructor_plugin.backends.builtin.enrollments import BuiltinEnrollmentService
from instructor_plugin.backends.builtin.models import (
    Cohort,
    CohortMemberCount,
    CohortMembership,
    CourseEnrollment,
)
from instructor_plugin.backends.data import PageRequest, UserData
from instructor_plugin.cohorts import place_new_learners
from tests.conftest import enroll, make_user
from tests.test_query_counts import make_learners, make_users

pytestmark = pytest.mark.django_db
OTHER = CourseKey.from_string("course-v1:TestX+Other+2026")
EVERY = PageRequest(offset=0, limit=100)


def counted(course_key) -> dict[str, tuple[int, int]]:
    """Counting the memberships: each cohort's (members, members actively enrolled in the course), by name."""
    enrolled = CourseEnrollment.objects.filter(
        course_key=OuterRef("memberships__course_key"), user_id=OuterRef("memberships__user_id"), is_active=True
    )
    rows = Cohort.objects.filter(course_key=course_key).annotate(
        members=Count("memberships"), enrolled=Count("memberships", filter=Q(Exists(enrolled)))
    )
    return {row.name: (row.members, row.enrolled) for row in rows}


def kept(course_key) -> dict[str, tuple[int, int]]:
    """What the backend reports: ``list_cohorts`` counts every member, ``list_cohorts_page`` the enrolled ones."""
    service = BuiltinCohortService()
    members = {cohort.name: cohort.user_count for cohort in service.list_cohorts(course_key)}
    page = service.list_cohorts_page(course_key, False, EVERY).items
    return {cohort.name: (members[cohort.name], cohort.user_count) for cohort in page}


@pytest.fixture
def cohorts(course_key) -> dict[str, int]:
    return {
        name: BuiltinCohortService().create_cohort(course_key, name, "manual").id for name in ("Blue", "Red", "Green")
    }


def test_counts_follow_every_kind_of_membership_write(course, course_key, cohorts):
    service = BuiltinCohortService()
    people = make_learners(course_key, "member", 12)
    ids = [person.pk for person in people]
    assert kept(course_key) == counted(course_key) == {"Blue": (0, 0), "Red": (0, 0), "Green": (0, 0)}

    service.assign_member(course_key, cohorts["Red"], ids[0])
    service.add_members(course_key, {user_id: cohorts["Blue"] for user_id in ids[1:5]})
    CohortMembership.objects.bulk_create(
        CohortMembership(cohort_id=cohorts["Green"], user_id=user_id, course_key=course_key) for user_id in ids[5:9]
    )
    assert kept(course_key) == counted(course_key) == {"Blue": (4, 4), "Red": (1, 1), "Green": (4, 4)}

    service.assign_member(course_key, cohorts["Blue"], ids[0])
    service.remove_member(course_key, cohorts["Blue"], ids[1])
    CohortMembership.objects.filter(user_id__in=ids[5:7]).update(cohort_id=cohorts["Red"])
    CohortMembership.objects.filter(user_id=ids[7]).delete()
    membership = CohortMembership.objects.get(user_id=ids[8])
    membership.save()  # a full save of an unchanged row moves nothing
    assert kept(course_key) == counted(course_key) == {"Blue": (4, 4), "Red": (2, 2), "Green": (1, 1)}

    CohortMembership.objects.filter(user_id=ids[2]).update(course_key=OTHER)
    people[3].delete()
    assert kept(course_key) == counted(course_key) == {"Blue": (3, 2), "Red": (2, 2), "Green": (1, 1)}


def test_counts_of_enrolled_members_follow_every_kind_of_enrollment_write(course, course_key, cohorts):
    enrollments = BuiltinEnrollmentService()
    people = make_learners(course_key, "member", 8)
    ids = [person.pk for person in people]
    BuiltinCohortService().add_members(course_key, {user_id: cohorts["Blue"] for user_id in ids})
    outsider = make_user("outsider")
    BuiltinCohortService().add_members(course_key, {outsider.pk: cohorts["Red"]})
    assert kept(course_key) == counted(course_key) == {"Blue": (8, 8), "Red": (1, 0), "Green": (0, 0)}

    enrollments.unenroll(course_key, ids[0])
    CourseEnrollment.objects.filter(user_id__in=ids[1:3]).update(is_active=False)
    CourseEnrollment.objects.filter(user_id=ids[3]).delete()
    CourseEnrollment.objects.filter(user_id=ids[4]).update(course_key=OTHER)
    CourseEnrollment.objects.filter(user_id__in=ids[5:7]).update(mode="verified")
    enroll(outsider, course_key)
    assert kept(course_key) == counted(course_key) == {"Blue": (8, 3), "Red": (1, 1), "Green": (0, 0)}

    enrollments.enroll(course_key, ids[0])
    CourseEnrollment.objects.filter(user_id__in=ids[1:3]).update(is_active=True)
    CourseEnrollment.objects.filter(user_id=ids[4]).update(course_key=course_key)
    CourseEnrollment.objects.filter(user_id=ids[5]).update(user_id=outsider.pk, course_key=OTHER)
    assert kept(course_key) == counted(course_key) == {"Blue": (8, 6), "Red": (1, 1), "Green": (0, 0)}


def test_a_deleted_cohort_leaves_no_counts_and_others_keep_theirs(course, course_key, cohorts):
    people = make_learners(course_key, "member", 4)
    BuiltinCohortService().add_members(
        course_key, {person.pk: cohorts["Blue" if n % 2 else "Red"] for n, person in enumerate(people)}
    )

    Cohort.objects.filter(pk=cohorts["Blue"]).delete()

    assert kept(course_key) == counted(course_key) == {"Red": (2, 2), "Green": (0, 0)}
    assert not CohortMemberCount.objects.filter(cohort_id=cohorts["Blue"]).exists()


def test_a_course_deleted_with_its_enrollments_and_cohorts_counts_nothing(course, course_key, cohorts):
    people = make_learners(course_key, "member", 3)
    BuiltinCohortService().add_members(course_key, {person.pk: cohorts["Red"] for person in people})

    CourseEnrollment.objects.filter(course_key=course_key).delete()
    assert kept(course_key) == counted(course_key) == {"Blue": (0, 0), "Red": (3, 0), "Green": (0, 0)}
    Cohort.objects.filter(course_key=course_key).delete()

    assert not CohortMemberCount.objects.exists()


def test_the_lists_read_the_counts_without_counting_members(users, course, course_key, cohorts):
    people = make_users("member", 5)
    BuiltinCohortService().add_members(course_key, {person.pk: cohorts["Red"] for person in people})
    service = BuiltinCohortService()
    tables = (CohortMembership._meta.db_table, CourseEnrollment._meta.db_table)

    with CaptureQueriesContext(connection) as captured:
        page = service.list_cohorts_page(course_key, False, EVERY)
        listed = service.list_cohorts(course_key)
        red = service.get_cohort(course_key, cohorts["Red"])

    assert [(c.name, c.user_count) for c in page.items] == [("Blue", 0), ("Green", 0), ("Red", 0)]
    assert [(c.name, c.user_count) for c in listed] == [("Blue", 0), ("Green", 0), ("Red", 5)]
    assert red.user_count == 0
    assert not [query["sql"] for query in captured.captured_queries if any(t in query["sql"] for t in tables)]


def test_a_member_page_totals_the_kept_count(users, course, course_key, cohorts):
    people = make_users("member", 5)
    BuiltinCohortService().add_members(course_key, {person.pk: cohorts["Red"] for person in people})
    service = BuiltinCohortService()

    page = service.list_members(course_key, cohorts["Red"], PageRequest(offset=0, limit=2))

    assert (page.total, [user.username for user in page.items]) == (5, ["member00000", "member00001"])
    assert service.list_members(OTHER, cohorts["Red"], EVERY).total == 0
    assert service.list_members(course_key, cohorts["Blue"], EVERY).total == 0


def test_a_bulk_load_recounts_the_courses_cohorts(course, course_key, cohorts):
    people = make_users("loaded", 4)
    enroll(people[0], course_key)
    with transaction.atomic(), bulk_load(course_key):
        CourseEnrollment.objects.bulk_create(
            CourseEnrollment(user=person, course_key=course_key, mode="audit", username=person.username)
            for person in people[1:3]
        )
        CohortMembership.objects.bulk_create(
            CohortMembership(cohort_id=cohorts["Red"], user=person, course_key=course_key, username=person.username)
            for person in people
        )
        counted_during_the_load = CohortMemberCount.objects.filter(cohort_id=cohorts["Red"]).exists()

    assert counted_during_the_load is (connection.vendor != "mysql")
    assert kept(course_key) == counted(course_key) == {"Blue": (0, 0), "Red": (4, 3), "Green": (0, 0)}

    enroll(people[3], course_key)
    BuiltinCohortService().assign_member(course_key, cohorts["Blue"], people[0].pk)
    assert kept(course_key) == counted(course_key) == {"Blue": (1, 1), "Red": (3, 3), "Green": (0, 0)}


def test_placing_new_learners_counts_no_members(course, course_key, cohorts):
    Cohort.objects.filter(pk=cohorts["Red"]).update(assignment_type="random")
    people = make_learners(course_key, "member", 6)
    BuiltinCohortService().add_members(course_key, {person.pk: cohorts["Blue"] for person in people[:3]})
    newcomers = [UserData(id=person.pk, username=person.username, email=person.email) for person in people]

    with CaptureQueriesContext(connection) as captured:
        place_new_learners(course_key, newcomers)

    members = CohortMembership._meta.db_table
    assert not [q["sql"] for q in captured.captured_queries if members in q["sql"] and "COUNT(" in q["sql"].upper()]
    assert kept(course_key) == counted(course_key) == {"Blue": (3, 3), "Red": (3, 3), "Green": (0, 0)}
