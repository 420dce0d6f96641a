"""A learner enrolled by staff (batch enrollment, the team and beta-tester doors) joins their cohort."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instructor_plugin.api import process_student_enrollment_batch
from instructor_plugin.backends.builtin.models import Cohort, CohortMembership, CohortPreassignment, CohortSettings
from instructor_plugin.backends.registry import get_backend
from instructor_plugin.enrollment import ensure_enrolled
from tests.conftest import make_user, v2


def cohort_of(user, course_key) -> str | None:
    membership = CohortMembership.objects.filter(user=user, course_key=course_key).select_related("cohort").first()
    return membership.cohort.name if membership else None


@pytest.fixture
def blue(course, course_key):
    """A cohorted course with a manual cohort (for preassignments) and one random cohort."""
    CohortSettings.objects.create(course_key=course_key, is_cohorted=True)
    Cohort.objects.create(course_key=course_key, name="Red", assignment_type="random")
    return Cohort.objects.create(course_key=course_key, name="Blue", assignment_type="manual")


def _batch(users, course_key, identifiers, action="enroll"):
    return process_student_enrollment_batch(
        users["course_staff"], course_key, action, identifiers, False, False, "", secure=True
    )


def test_batch_enrollment_places_new_learners_in_their_cohorts(users, course_key, blue):
    newcomer = make_user("newcomer")
    CohortPreassignment.objects.create(cohort=blue, course_key=course_key, email="newcomer@example.com")

    outcome = _batch(users, course_key, ["outsider", "newcomer", "someone@example.com"])

    assert outcome["successful_operations"] == 3
    assert (cohort_of(users["outsider"], course_key), cohort_of(newcomer, course_key)) == ("Red", "Blue")
    assert not CohortPreassignment.objects.exists()


def test_an_enrolled_learner_keeps_their_cohort(users, course_key, blue):
    CohortMembership.objects.create(cohort=blue, user=users["learner"], course_key=course_key)

    _batch(users, course_key, ["learner"])

    assert cohort_of(users["learner"], course_key) == "Blue"


def test_a_course_that_is_not_cohorted_places_nobody_and_reads_that_once(users, course_key, course):
    Cohort.objects.create(course_key=course_key, name="Red", assignment_type="random")
    CohortSettings.objects.create(course_key=course_key, is_cohorted=False)
    people = [make_user(f"person{n}") for n in range(4)]

    with CaptureQueriesContext(connection) as captured:
        _batch(users, course_key, [person.username for person in people])

    assert not CohortMembership.objects.exists()
    assert sum("cohortsettings" in query["sql"] for query in captured.captured_queries) == 1


def test_ensure_enrolled_places_the_learner(users, course_key, blue):
    ensure_enrolled(course_key, get_backend().users.get_user(users["outsider"].pk))

    assert cohort_of(users["outsider"], course_key) == "Red"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/team", {"identifiers": ["outsider"], "role": "staff", "action": "allow"}),
        ("/beta_testers/modify", {"identifier": ["outsider"], "action": "add", "auto_enroll": True}),
    ],
)
def test_staff_doors_that_enroll_place_the_learner(api_v2_on, client, users, course_key, blue, path, body):
    client.force_authenticate(users["instructor"])

    assert client.post(v2(suffix=path), body, format="json").status_code == 200
    assert cohort_of(users["outsider"], course_key) == "Red"
