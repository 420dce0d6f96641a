"""Cohorts follow-ups: a learner's own cohort (preassigned, else random), content groups, enrollment side effects."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from instructor_plugin import cohorts
from instructor_plugin.backends.builtin.models import (
    Cohort,
    CohortMembership,
    CohortPreassignment,
    CohortSettings,
    ContentGroup,
)
from instructor_plugin.backends.builtin.seed import DEMO_COURSE_ID
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


GROUPS = f"/api/cohorts/v2/courses/{COURSE_ID}/group_configurations"
COHORTS = f"/api/cohorts/v1/courses/{COURSE_ID}/cohorts/"


@pytest.fixture
def staff_client(users):
    client = APIClient()
    client.force_authenticate(users["course_staff"])
    return client


@pytest.fixture
def content_groups(course, course_key):
    return [
        ContentGroup.objects.create(course_key=course_key, partition_id=50, group_id=group_id, name=name)
        for group_id, name in ((1, "Core"), (2, "Advanced"))
    ]


class TestGroupConfigurations:
    def test_the_partition_and_its_groups(self, staff_client, content_groups, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "STUDIO_URL": "https://studio.example.com/"}

        response = staff_client.get(GROUPS)

        assert response.status_code == 200
        assert response.json() == {
            "id": 50,
            "groups": [
                {"id": 1, "name": "Core", "version": 1, "usage": []},
                {"id": 2, "name": "Advanced", "version": 1, "usage": []},
            ],
            "studio_content_groups_link": f"https://studio.example.com/course/{COURSE_ID}/group_configurations",
        }

    def test_a_course_without_content_groups_answers_a_null_id(self, staff_client):
        assert staff_client.get(GROUPS).json() == {
            "id": None,
            "groups": [],
            "studio_content_groups_link": f"/course/{COURSE_ID}/group_configurations",
        }

    def test_another_courses_groups_are_not_listed(self, staff_client, course):
        ContentGroup.objects.create(
            course_key=type(course.course_key).from_string("course-v1:TestX+Other+2026"),
            partition_id=50,
            group_id=1,
            name="Elsewhere",
        )

        assert staff_client.get(GROUPS).json()["groups"] == []

    def test_one_configuration_as_open_edx_writes_a_partition(self, staff_client, content_groups):
        body = staff_client.get(f"{GROUPS}/50").json()

        assert body == {
            "id": 50,
            "name": "Content Groups",
            "scheme": "cohort",
            "description": "",
            "parameters": {},
            "groups": [
                {"id": 1, "name": "Core", "version": 1, "usage": []},
                {"id": 2, "name": "Advanced", "version": 1, "usage": []},
            ],
            "active": True,
            "version": 3,
            "is_read_only": False,
        }

    def test_an_unknown_configuration_is_404_in_the_envelope(self, staff_client, content_groups):
        response = staff_client.get(f"{GROUPS}/51")

        assert response.status_code == 404
        assert response.json()["error_code"] == "group_configuration_not_found"

    def test_an_unknown_course_is_404(self, staff_client, users):
        response = staff_client.get("/api/cohorts/v2/courses/course-v1:No+Such+Course/group_configurations")

        assert response.status_code == 404

    def test_queries_do_not_grow_with_the_groups(self, staff_client, course_key, content_groups):
        def count():
            with CaptureQueriesContext(connection) as queries:
                assert staff_client.get(GROUPS).status_code == 200
            return len(queries)

        few = count()
        ContentGroup.objects.bulk_create(
            ContentGroup(course_key=course_key, partition_id=50, group_id=number, name=f"G{number}")
            for number in range(3, 200)
        )
        assert count() == few


class TestContentGroupValidation:
    @pytest.mark.parametrize(
        ("group_id", "partition_id", "code"),
        [(3, 50, "invalid-group-id"), (1, 51, "invalid-user-partition-id")],
    )
    def test_create_refuses_a_group_the_course_does_not_have(
        self, staff_client, content_groups, group_id, partition_id, code
    ):
        body = {"name": "G", "assignment_type": "manual", "group_id": group_id, "user_partition_id": partition_id}
        response = staff_client.post(COHORTS, body, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == code
        assert not Cohort.objects.exists()

    def test_a_course_without_content_groups_links_none(self, staff_client, course):
        body = {"name": "G", "assignment_type": "manual", "group_id": 1, "user_partition_id": 50}
        response = staff_client.post(COHORTS, body, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid-user-partition-id"

    def test_create_links_a_group_the_course_has(self, staff_client, content_groups):
        body = {"name": "G", "assignment_type": "manual", "group_id": 2, "user_partition_id": 50}
        response = staff_client.post(COHORTS, body, format="json")

        assert response.status_code == 200
        assert (response.json()["group_id"], response.json()["user_partition_id"]) == (2, 50)

    def test_patch_refuses_an_unknown_group_and_keeps_the_link(self, staff_client, course_key, content_groups):
        cohort = Cohort.objects.create(
            course_key=course_key, name="Blue", assignment_type="manual", group_id=1, user_partition_id=50
        )

        response = staff_client.patch(f"{COHORTS}{cohort.pk}", {"group_id": 9, "user_partition_id": 50}, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid-group-id"
        cohort.refresh_from_db()
        assert (cohort.group_id, cohort.user_partition_id) == (1, 50)


@pytest.mark.django_db
def test_the_demo_course_has_two_content_groups_and_reseeding_keeps_two():
    for _run in range(2):
        call_command("seed_demo_course", learners=3, stdout=StringIO())
    body = cohorts.get_group_configurations(CourseKey.from_string(DEMO_COURSE_ID))

    assert body["id"] == 50
    assert [group["name"] for group in body["groups"]] == ["Core Track", "Advanced Track"]


class TestEnrollmentSideEffects:
    """``cohort`` and ``email_opt_in`` on ``POST /api/enrollment/v1/enrollment``."""

    URL = "/api/enrollment/v1/enrollment"

    def post(self, caller, **body):
        client = APIClient()
        client.force_authenticate(caller)
        return client.post(self.URL, {"course_details": {"course_id": COURSE_ID}, **body}, format="json")

    def test_cohort_puts_the_enrolled_learner_in_the_named_cohort(self, users, course_key, manual, randoms):
        cohorted(course_key)

        response = self.post(users["outsider"], cohort="Blue")

        assert response.status_code == 200
        assert membership(users["outsider"], course_key).cohort_id == manual.pk
        assert AuditRecord.objects.filter(action="cohorts.add_user", learner=users["outsider"]).exists()

    def test_staff_enrolling_someone_puts_that_learner_in_the_cohort(self, users, course_key, manual):
        staff = make_user("global", is_staff=True)

        response = self.post(staff, user="outsider", cohort="Blue")

        assert response.status_code == 200
        assert membership(users["outsider"], course_key).cohort_id == manual.pk
        assert membership(staff, course_key) is None

    def test_an_unknown_cohort_is_400_and_enrolls_nobody(self, users, course_key, manual):
        response = self.post(users["outsider"], cohort="Nope")

        assert response.status_code == 400
        assert response.json()["message"] == "An error occured while adding to cohort [Nope]"
        assert get_backend().enrollments.get_enrollment(course_key, users["outsider"].pk) is None

    def test_a_cohort_of_another_course_is_unknown(self, users, course_key, course):
        Cohort.objects.create(course_key=CourseKey.from_string("course-v1:TestX+Other+2026"), name="Elsewhere")

        assert self.post(users["outsider"], cohort="Elsewhere").status_code == 400

    def test_in_an_unknown_course_the_course_error_answers(self, users, manual):
        client = APIClient()
        client.force_authenticate(users["outsider"])
        body = {"course_details": {"course_id": "course-v1:No+Such+Run"}, "cohort": "Blue"}

        response = client.post(self.URL, body, format="json")

        assert response.status_code == 400
        assert response.json()["message"] == "No course 'course-v1:No+Such+Run' found for enrollment"

    def test_an_existing_enrollment_is_answered_without_side_effects(self, users, course_key, manual):
        assert self.post(users["learner"], cohort="Blue", email_opt_in=True).status_code == 200

        assert membership(users["learner"], course_key) is None
        assert get_backend().users.get_org_preference(users["learner"].pk, "TestX", "email-optin") is None

    @pytest.mark.parametrize(("given", "stored"), [(True, "True"), (False, "False"), ("true", "True"), ("0", "False")])
    def test_email_opt_in_is_the_org_preference_of_the_requesting_user(self, users, course_key, given, stored):
        response = self.post(users["outsider"], email_opt_in=given)

        assert response.status_code == 200
        assert get_backend().users.get_org_preference(users["outsider"].pk, course_key.org, "email-optin") == stored
        audit = AuditRecord.objects.get(action="enrollment_api_email_opt_in")
        assert audit.detail == {"org": course_key.org, "opt_in": stored == "True"}

    def test_email_opt_in_by_staff_is_the_staffs_own(self, users, course_key):
        staff = make_user("global", is_staff=True)

        assert self.post(staff, user="outsider", email_opt_in=True).status_code == 200
        assert get_backend().users.get_org_preference(staff.pk, course_key.org, "email-optin") == "True"
        assert get_backend().users.get_org_preference(users["outsider"].pk, course_key.org, "email-optin") is None

    def test_a_child_is_stored_as_opted_out(self, course, course_key):
        child = make_user("child", year_of_birth=timezone.now().year - 10)

        assert self.post(child, email_opt_in=True).status_code == 200
        assert get_backend().users.get_org_preference(child.pk, course_key.org, "email-optin") == "False"

    def test_a_bad_opt_in_is_400_and_enrolls_nobody(self, users, course_key):
        response = self.post(users["outsider"], email_opt_in="perhaps")

        assert response.status_code == 400
        assert get_backend().enrollments.get_enrollment(course_key, users["outsider"].pk) is None
