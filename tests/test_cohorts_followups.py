"""Cohorts follow-ups: a learner's own cohort (preassigned, else random), content groups, enrollment side effects."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from instructor_plugin import cohorts
from instructor_plugin.backends.builtin.models import Cohort, CohortMembership, CohortPreassignment, CohortSettings
from instructor_plugin.backends.registry import get_backend
from instructor_plugin.models import AuditRecord
from tests.conftest import COURSE_ID, make_user


def learner_data(user):
    return get_backend().users.get_user(user.pk)


def cohorted(course_key, on=True):
    CohortSettings.objects.update_or_create(course_key=course_key, defaults={"is_cohorted": on})


def membership(user, course_key):
    return CohortMembership.objects.filter(user=user, course_key=course_key).first()


@pytest.fixture
def manual(course, course_key):
    return Cohort.objects.create(course_key=course_key, name="Blue", assignment_type="manual")


@pytest.fixture
def randoms(course, course_key):
    return [
        Cohort.objects.create(course_key=course_key, name=name, assignment_type="random") for name in ("Red", "Green")
    ]


class TestLearnerCohort:
    def test_a_course_that_is_not_cohorted_gives_none_and_assigns_nobody(self, course_key, manual, randoms, db):
        cohorted(course_key, on=False)
        user = make_user("newcomer")

        assert cohorts.get_learner_cohort(course_key, learner_data(user)) is None
        assert membership(user, course_key) is None

    def test_a_learner_keeps_the_cohort_they_have(self, course_key, manual, randoms, db):
        cohorted(course_key)
        user = make_user("newcomer")
        CohortMembership.objects.create(cohort=manual, user=user, course_key=course_key)

        found = cohorts.get_learner_cohort(course_key, learner_data(user))

        assert found.id == manual.pk
        assert not AuditRecord.objects.filter(action="cohorts.auto_assign").exists()

    def test_a_preassigned_email_joins_its_cohort_and_the_preassignment_is_used_up(
        self, course_key, manual, randoms, db
    ):
        cohorted(course_key)
        CohortPreassignment.objects.create(cohort=manual, course_key=course_key, email="NewComer@example.com")
        user = make_user("newcomer")

        found = cohorts.get_learner_cohort(course_key, learner_data(user))

        assert found.id == manual.pk and found.user_count == 0  # not enrolled: counted members are enrolled ones
        assert membership(user, course_key).cohort_id == manual.pk
        assert not CohortPreassignment.objects.exists()
        audit = AuditRecord.objects.get(action="cohorts.auto_assign")
        assert (audit.learner_id, audit.actor_id, audit.detail) == (
            user.pk,
            None,
            {"cohort_id": manual.pk, "preassigned": True},
        )

    def test_otherwise_a_random_cohort_never_a_manual_one(self, course_key, manual, randoms, db):
        cohorted(course_key)
        chosen = set()
        for number in range(12):
            user = make_user(f"newcomer{number}")
            chosen.add(cohorts.get_learner_cohort(course_key, learner_data(user)).name)

        assert chosen <= {"Red", "Green"} and chosen
        assert CohortMembership.objects.filter(cohort__name__in=["Red", "Green"]).count() == 12
        assert AuditRecord.objects.filter(action="cohorts.auto_assign", detail__preassigned=False).count() == 12

    def test_a_course_without_random_cohorts_gets_the_default_group(self, course_key, manual, db):
        cohorted(course_key)
        first, second = make_user("first"), make_user("second")

        assert cohorts.get_learner_cohort(course_key, learner_data(first)).name == "Default Group"
        assert cohorts.get_learner_cohort(course_key, learner_data(second)).name == "Default Group"
        default = Cohort.objects.get(name="Default Group")
        assert default.assignment_type == "random"
        assert AuditRecord.objects.filter(action="cohorts.create", detail__cohort_id=default.pk).count() == 1

    def test_assign_false_only_reads(self, course_key, randoms, db):
        cohorted(course_key)
        user = make_user("newcomer")

        assert cohorts.get_learner_cohort(course_key, learner_data(user), assign=False) is None
        assert membership(user, course_key) is None


class TestEnrollmentPlacesTheLearner:
    def post(self, user, **body):
        client = APIClient()
        client.force_authenticate(user)
        return client.post(
            "/api/enrollment/v1/enrollment", {"course_details": {"course_id": COURSE_ID}, **body}, format="json"
        )

    def test_enrolling_in_a_cohorted_course_applies_the_preassignment(self, users, course_key, manual, randoms):
        cohorted(course_key)
        CohortPreassignment.objects.create(cohort=manual, course_key=course_key, email="outsider@example.com")

        assert self.post(users["outsider"]).status_code == 200
        assert membership(users["outsider"], course_key).cohort_id == manual.pk

    def test_enrolling_in_a_cohorted_course_gives_a_random_cohort(self, users, course_key, manual, randoms):
        cohorted(course_key)

        assert self.post(users["outsider"]).status_code == 200
        assert membership(users["outsider"], course_key).cohort.name in {"Red", "Green"}

    def test_enrolling_in_a_course_that_is_not_cohorted_assigns_nothing(self, users, course_key, randoms):
        cohorted(course_key, on=False)

        assert self.post(users["outsider"]).status_code == 200
        assert membership(users["outsider"], course_key) is None
