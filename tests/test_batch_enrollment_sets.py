"""Batch enrollment reads its identifiers' states in sets, with the same per-identifier results as one by one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from instructor_plugin import batch_enrollment
from instructor_plugin.api import process_single_student_enrollment, process_student_enrollment_batch
from instructor_plugin.backends.builtin.enrollments import BuiltinEnrollmentService
from instructor_plugin.backends.builtin.models import Course, CourseEnrollment, CourseEnrollmentAllowed
from tests.conftest import enroll, make_user


def _batch(users, course_key, identifiers, action="enroll"):
    return process_student_enrollment_batch(
        users["course_staff"], course_key, action, identifiers, False, False, "", secure=True
    )["results"]


def _one_by_one(users, course_key, identifiers, action="enroll"):
    return [
        process_single_student_enrollment(users["course_staff"], course_key, action, identifier, False, False, "", None)
        for identifier in identifiers
    ]


MIXED = [
    "outsider",
    "OUTSIDER@example.com",
    "learner",
    "new@example.com",
    "New@Example.com ",
    "outsider",
    "not a user",
    "inactive",
    "twin",
]


@pytest.mark.parametrize("action", ["enroll", "unenroll"])
def test_batch_results_equal_one_by_one_results(db, users, course_key, action):
    make_user("inactive", is_active=False)
    make_user("twin")
    other_twin = make_user("other_twin")
    other_twin.email = "TWIN"
    other_twin.save()
    CourseEnrollmentAllowed.objects.create(course_key=course_key, email="new@example.com", auto_enroll=True)

    batched = _batch(users, course_key, MIXED, action)
    state = sorted(CourseEnrollment.objects.values_list("user_id", "is_active"))
    CourseEnrollment.objects.filter(user__username__in=["outsider", "inactive", "twin"]).delete()
    CourseEnrollment.objects.filter(user__username="learner").update(is_active=True)
    CourseEnrollmentAllowed.objects.all().delete()
    CourseEnrollmentAllowed.objects.create(course_key=course_key, email="new@example.com", auto_enroll=True)

    assert batched == _one_by_one(users, course_key, MIXED, action)
    assert sorted(CourseEnrollment.objects.values_list("user_id", "is_active")) == state
    assert batched[1]["before"]["enrollment"] is (action == "enroll")
    assert batched[8]["error_message"] == "More than one user matches this identifier."


def test_states_are_read_in_sets(db, users, course_key, monkeypatch):
    people = [make_user(f"person{n}") for n in range(7)]
    enroll(people[0], course_key)
    monkeypatch.setattr(batch_enrollment, "STATE_CHUNK_SIZE", 3)
    reads = []
    read = BuiltinEnrollmentService.get_identifier_states

    def counting(service, key, identifiers):
        reads.append(list(identifiers))
        return read(service, key, identifiers)

    monkeypatch.setattr(BuiltinEnrollmentService, "get_identifier_states", counting)

    results = _batch(users, course_key, [person.username for person in people])

    assert reads == [["person0", "person1", "person2"], ["person3", "person4", "person5"], ["person6"]]
    assert [row["state_transition"] for row in results] == ["from enrolled to enrolled"] + [
        "from unenrolled to enrolled"
    ] * 6


def test_get_identifier_states_costs_three_queries(db, users, course_key):
    enroll(users["outsider"], course_key, is_active=False)
    CourseEnrollmentAllowed.objects.create(course_key=course_key, email="new@example.com", auto_enroll=True)

    with CaptureQueriesContext(connection) as captured:
        states = BuiltinEnrollmentService().get_identifier_states(
            course_key, [" outsider ", "LEARNER@example.com", "New@example.com", "ghost"]
        )

    assert len(captured.captured_queries) == 3
    assert states[" outsider "].user.username == "outsider"
    assert states[" outsider "].enrollment.is_active is False
    assert states["LEARNER@example.com"].enrollment.is_active is True
    assert (states["New@example.com"].user, states["New@example.com"].allowed.auto_enroll) == (None, True)
    assert (states["ghost"].user, states["ghost"].enrollment, states["ghost"].allowed) == (None, None, None)


@pytest.mark.parametrize(
    "rule, message",
    [
        ("capacity", "The course is full."),
        ("closed", "Enrollment is closed for this course."),
    ],
)
def test_course_rules_refuse_newcomers_in_sets_as_one_by_one(db, users, course_key, rule, message):
    for name in ("p1", "p2", "p3"):
        make_user(name)
    active = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).count()
    if rule == "capacity":
        Course.objects.filter(course_key=course_key).update(max_student_enrollments_allowed=active + 1)
    else:
        Course.objects.filter(course_key=course_key).update(enrollment_end=timezone.now() - timedelta(days=1))
    identifiers = ["learner", "p1", "new@example.com", "p2", "p3"]

    batched = _batch(users, course_key, identifiers)
    enrolled = sorted(CourseEnrollment.objects.filter(is_active=True).values_list("user__username", flat=True))
    CourseEnrollment.objects.filter(user__username__in=["p1", "p2", "p3"]).delete()
    CourseEnrollmentAllowed.objects.all().delete()

    assert batched == _one_by_one(users, course_key, identifiers)
    assert [row["success"] for row in batched] == [True, rule == "capacity", True, False, False]
    assert {row.get("error_message") for row in batched[3:]} == {message}
    assert ("p1" in enrolled, "p2" in enrolled) == (rule == "capacity", False)
