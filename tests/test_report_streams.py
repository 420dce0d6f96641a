"""The reports' streams: accounts read with the grades (or looked up when a backend does not), cohort ranges."""

from __future__ import annotations

import pytest

from instructor_plugin.backends.builtin.cohorts import BuiltinCohortService
from instructor_plugin.backends.builtin.models import Cohort, CohortMembership
from instructor_plugin.backends.builtin.problem_state import BuiltinProblemStateService
from instructor_plugin.reports import csv_body
from tests.conftest import enroll, make_user

pytestmark = pytest.mark.django_db


def grade_rows(course_key) -> list[tuple]:
    return [(row[0], row[1], row[2]) for row in csv_body("grade", course_key, {}).rows]


def test_the_grade_report_takes_the_accounts_read_with_the_grades(course, course_key):
    people = [make_user(f"graded{i}") for i in range(3)]
    for user in people:
        enroll(user, course_key)

    assert grade_rows(course_key) == [(user.pk, user.email, user.username) for user in people]
    assert {grade.username for grade in BuiltinProblemStateService().iter_course_grades(course_key)} == {
        user.username for user in people
    }


def test_the_grade_report_looks_up_accounts_a_backend_did_not_read(course, course_key, monkeypatch):
    people = [make_user(f"unnamed{i}") for i in range(3)]
    for user in people:
        enroll(user, course_key)
    streamed = BuiltinProblemStateService.iter_course_grade_rows

    def without_accounts(self, key, assignment_types):
        return ((row[0], None, None, *row[3:]) for row in streamed(self, key, assignment_types))

    monkeypatch.setattr(BuiltinProblemStateService, "iter_course_grade_rows", without_accounts)

    assert grade_rows(course_key) == [(user.pk, user.email, user.username) for user in people]


def test_cohort_names_of_a_chunk_leave_out_the_members_between_its_ids(course_key):
    cohort = Cohort.objects.create(course_key=course_key, name="Blue")
    people = [make_user(f"member{i}") for i in range(5)]
    CohortMembership.objects.bulk_create(
        CohortMembership(cohort=cohort, user=user, course_key=course_key) for user in people
    )
    service = BuiltinCohortService()
    asked = [people[0].pk, people[2].pk, people[4].pk]

    assert service.get_cohort_names(course_key, asked) == dict.fromkeys(asked, "Blue")
    assert service.get_cohort_names(course_key, [people[0].pk, people[4].pk + 1000]) == {people[0].pk: "Blue"}
    assert service.get_cohort_names(course_key, []) == {}
