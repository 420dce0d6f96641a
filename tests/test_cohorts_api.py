"""The cohorts API (``/api/cohorts/v1/``): settings, cohorts, members, at Open edX's paths and codes."""

from __future__ import annotations

import pytest

from instructor_plugin.backends.builtin.models import (
    Cohort,
    CohortMembership,
    CohortPreassignment,
    CohortSettings,
    ContentGroup,
)
from instructor_plugin.models import AuditRecord
from tests.conftest import COURSE_ID, enroll, make_user

API = "/api/cohorts/v1"
SETTINGS = f"{API}/settings/{COURSE_ID}"
COHORTS = f"{API}/courses/{COURSE_ID}/cohorts/"
OTHER_COURSE = "course-v1:TestX+T102+2026"


def cohort_url(cohort_id, suffix=""):
    return f"{COHORTS}{cohort_id}{suffix}"


@pytest.fixture
def staff_client(client, users):
    client.force_authenticate(users["course_staff"])
    return client


@pytest.fixture
def blue(course, course_key):
    return Cohort.objects.create(course_key=course_key, name="Blue", assignment_type="manual")


@pytest.fixture
def red(course, course_key):
    return Cohort.objects.create(course_key=course_key, name="Red", assignment_type="random")


def member(cohort, user):
    return CohortMembership.objects.create(cohort=cohort, user=user, course_key=cohort.course_key)


class TestSettings:
    def test_a_course_without_cohorts_is_not_cohorted(self, staff_client):
        response = staff_client.get(SETTINGS)

        assert response.status_code == 200
        assert response.json() == {"id": CohortSettings.objects.get().pk, "is_cohorted": False}

    def test_a_course_with_cohorts_and_no_setting_is_cohorted(self, staff_client, blue):
        assert staff_client.get(SETTINGS).json()["is_cohorted"] is True

    def test_put_turns_cohorts_on_and_off(self, staff_client, course_key, users):
        assert staff_client.put(SETTINGS, {"is_cohorted": True}, format="json").json()["is_cohorted"] is True
        response = staff_client.put(SETTINGS, {"is_cohorted": False}, format="json")

        assert response.status_code == 200
        assert response.json()["is_cohorted"] is False
        assert staff_client.get(SETTINGS).json()["is_cohorted"] is False
        audits = AuditRecord.objects.filter(action="cohorts.set_cohorted", actor=users["course_staff"])
        assert [a.detail["is_cohorted"] for a in audits.order_by("pk")] == [True, False]

    def test_put_without_is_cohorted_is_400(self, staff_client):
        response = staff_client.put(SETTINGS, {}, format="json")

        assert response.status_code == 400
        assert response.json()["developer_message"] == 'Missing field "is_cohorted".'
        assert response.json()["error_code"] == "missing-field"

    def test_put_with_a_non_boolean_is_400(self, staff_client):
        response = staff_client.put(SETTINGS, {"is_cohorted": "maybe"}, format="json")

        assert response.status_code == 400
        assert "is_cohorted" in response.json()["field_errors"]

    def test_patch_is_405(self, staff_client):
        assert staff_client.patch(SETTINGS, {"is_cohorted": True}, format="json").status_code == 405


class TestCohortList:
    def test_a_bare_array_of_cohorts_by_name(self, staff_client, course_key, users, red, blue):
        member(blue, users["learner"])
        member(blue, users["outsider"])  # not enrolled: not counted

        response = staff_client.get(COHORTS, {"page_size": 100})

        assert response.status_code == 200
        assert response.json() == [
            {
                "name": "Blue",
                "id": blue.pk,
                "user_count": 1,
                "assignment_type": "manual",
                "user_partition_id": None,
                "group_id": None,
            },
            {
                "name": "Red",
                "id": red.pk,
                "user_count": 0,
                "assignment_type": "random",
                "user_partition_id": None,
                "group_id": None,
            },
        ]

    def test_descending_order(self, staff_client, red, blue):
        assert [c["name"] for c in staff_client.get(COHORTS, {"ordering": "DESC"}).json()] == ["Red", "Blue"]

    def test_an_unknown_ordering_is_400(self, staff_client, blue):
        response = staff_client.get(COHORTS, {"ordering": "sideways"})

        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid-ordering-value"

    def test_pages_of_ten_by_default(self, staff_client, course_key, course):
        Cohort.objects.bulk_create(Cohort(course_key=course_key, name=f"C{n:02}") for n in range(12))

        assert len(staff_client.get(COHORTS).json()) == 10
        assert [c["name"] for c in staff_client.get(COHORTS, {"page": 2}).json()] == ["C10", "C11"]
        assert staff_client.get(COHORTS, {"page": 3}).status_code == 404

    def test_no_cohort_is_an_empty_array(self, staff_client):
        assert staff_client.get(COHORTS).json() == []

    def test_another_course_cohorts_are_not_listed(self, staff_client, course_key, blue):
        Cohort.objects.create(course_key=type(course_key).from_string(OTHER_COURSE), name="Elsewhere")

        assert [c["name"] for c in staff_client.get(COHORTS).json()] == ["Blue"]


class TestCreate:
    def test_creates_and_answers_the_cohort(self, staff_client, course_key, users):
        ContentGroup.objects.create(course_key=course_key, partition_id=50, group_id=2, name="Advanced")
        response = staff_client.post(
            COHORTS, {"name": "Green", "assignment_type": "random", "group_id": 2, "user_partition_id": 50}, "json"
        )

        assert response.status_code == 200
        cohort = Cohort.objects.get(name="Green")
        assert response.json() == {
            "name": "Green",
            "id": cohort.pk,
            "user_count": 0,
            "assignment_type": "random",
            "user_partition_id": 50,
            "group_id": 2,
        }
        assert AuditRecord.objects.get(action="cohorts.create").detail["cohort_id"] == cohort.pk

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            ({"assignment_type": "manual"}, "missing-cohort-name"),
            ({"name": "", "assignment_type": "manual"}, "missing-cohort-name"),
            ({"name": "Green"}, "missing-assignment-type"),
            ({"name": "Green", "assignment_type": "sometimes"}, "invalid-assignment-type"),
            ({"name": "Green", "assignment_type": "manual", "group_id": 1}, "missing-user-partition-id"),
        ],
    )
    def test_invalid_bodies_are_400_with_the_original_codes(self, staff_client, body, code):
        response = staff_client.post(COHORTS, body, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == code
        assert not Cohort.objects.exists()

    @pytest.mark.parametrize(
        "body",
        [
            {"name": ["x"], "assignment_type": "manual"},
            {"name": "G", "assignment_type": "manual", "group_id": "two", "user_partition_id": 1},
            {"name": "G", "assignment_type": "manual", "group_id": 2**40, "user_partition_id": 1},
            {"name": "x" * 256, "assignment_type": "manual"},
        ],
    )
    def test_ill_typed_bodies_are_validation_errors(self, staff_client, body):
        response = staff_client.post(COHORTS, body, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    def test_a_taken_name_is_400(self, staff_client, blue):
        response = staff_client.post(COHORTS, {"name": "Blue", "assignment_type": "manual"}, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "cohort-name-exists"
        assert Cohort.objects.count() == 1

    def test_post_with_an_id_is_405(self, staff_client, blue):
        response = staff_client.post(cohort_url(blue.pk), {"name": "X", "assignment_type": "manual"}, format="json")

        assert response.status_code == 405
        assert response.json()["error_code"] == "wrong-endpoint"

    @pytest.mark.parametrize("path", ["", "1"])
    def test_a_method_no_cohorts_path_serves_is_a_plain_405(self, staff_client, blue, path):
        response = staff_client.put(f"{COHORTS}{path}", {"name": "X"}, format="json")

        assert response.status_code == 405
        assert response.json()["error_code"] == "method_not_allowed"
        assert Cohort.objects.get(pk=blue.pk).name == blue.name


class TestOneCohort:
    def test_get(self, staff_client, users, blue):
        member(blue, users["learner"])

        response = staff_client.get(cohort_url(blue.pk))

        assert response.status_code == 200
        assert response.json()["name"] == "Blue"
        assert response.json()["user_count"] == 1

    @pytest.mark.parametrize("cohort_id", ["999999", "99999999999999999999999"])
    def test_an_unknown_cohort_is_404(self, staff_client, blue, cohort_id):
        response = staff_client.get(cohort_url(cohort_id))

        assert response.status_code == 404
        assert response.json()["error_code"] == "cohort-not-found"

    def test_another_course_cohort_is_404_everywhere(self, staff_client, course_key, users):
        other = Cohort.objects.create(course_key=type(course_key).from_string(OTHER_COURSE), name="Elsewhere")
        member(other, users["learner"])

        assert staff_client.get(cohort_url(other.pk)).status_code == 404
        assert staff_client.patch(cohort_url(other.pk), {"name": "Mine"}, format="json").status_code == 404
        assert staff_client.get(cohort_url(other.pk, "/users")).status_code == 404
        assert staff_client.post(cohort_url(other.pk, "/users/"), {"users": ["beta_tester"]}, "json").status_code == 404
        assert staff_client.delete(cohort_url(other.pk, "/users/learner")).status_code == 404
        assert Cohort.objects.get(pk=other.pk).name == "Elsewhere"
        assert CohortMembership.objects.get().cohort == other

    def test_patch_renames_and_changes_the_type_with_204(self, staff_client, blue, red):
        response = staff_client.patch(cohort_url(blue.pk), {"name": "Teal", "assignment_type": "random"}, "json")

        assert response.status_code == 204
        blue.refresh_from_db()
        assert (blue.name, blue.assignment_type) == ("Teal", "random")
        assert AuditRecord.objects.get(action="cohorts.update").detail["name"] == "Teal"

    def test_patch_links_and_unlinks_a_content_group(self, staff_client, blue, course_key):
        ContentGroup.objects.create(course_key=course_key, partition_id=7, group_id=3, name="Advanced")
        staff_client.patch(cohort_url(blue.pk), {"group_id": 3, "user_partition_id": 7}, format="json")
        blue.refresh_from_db()
        assert (blue.group_id, blue.user_partition_id) == (3, 7)

        staff_client.patch(cohort_url(blue.pk), {"group_id": None}, format="json")
        blue.refresh_from_db()
        assert (blue.group_id, blue.user_partition_id) == (None, None)

    def test_patch_without_a_change_is_400(self, staff_client, blue):
        response = staff_client.patch(cohort_url(blue.pk), {}, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "missing-fields"

    def test_patch_to_a_taken_name_is_400(self, staff_client, blue, red):
        response = staff_client.patch(cohort_url(blue.pk), {"name": "Red"}, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "cohort-name-exists"

    def test_the_last_random_cohort_stays_random(self, staff_client, blue, red):
        response = staff_client.patch(cohort_url(red.pk), {"assignment_type": "manual"}, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "last-random-cohort"
        red.refresh_from_db()
        assert red.assignment_type == "random"

    def test_patch_without_an_id_is_405(self, staff_client, blue):
        response = staff_client.patch(COHORTS, {"name": "X"}, format="json")

        assert response.status_code == 405
        assert response.json()["error_code"] == "missing-cohort-id"


class TestMembers:
    def test_list_is_paginated_by_username(self, staff_client, users, blue):
        member(blue, users["learner"])
        member(blue, users["beta_tester"])

        response = staff_client.get(cohort_url(blue.pk, "/users"), {"page_size": 1})

        assert response.status_code == 200
        body = response.json()
        assert (body["count"], body["num_pages"], body["current_page"], body["start"]) == (2, 2, 1, 0)
        assert body["previous"] is None
        assert "page=2" in body["next"]
        assert body["results"] == [
            {"username": "beta_tester", "email": "beta_tester@example.com", "name": "Beta_Tester"}
        ]

    def test_a_page_past_the_end_is_404(self, staff_client, blue):
        assert staff_client.get(cohort_url(blue.pk, "/users/"), {"page": 2}).status_code == 404

    def test_add_sorts_every_identifier(self, staff_client, course_key, users, blue, red):
        member(red, users["beta_tester"])
        member(blue, users["instructor"])

        response = staff_client.post(
            cohort_url(blue.pk, "/users/"),
            {"users": ["learner", "beta_tester@example.com", "instructor", "nobody", "new@example.com", "bad@", ""]},
            format="json",
        )

        assert response.status_code == 200
        assert response.json() == {
            "success": True,
            "added": [{"username": "learner", "email": "learner@example.com"}],
            "changed": [{"email": "beta_tester@example.com", "previous_cohort": "Red", "username": "beta_tester"}],
            "present": ["instructor"],
            "unknown": ["nobody"],
            "preassigned": ["new@example.com"],
            "invalid": ["bad@"],
        }
        assert set(CohortMembership.objects.filter(cohort=blue).values_list("user__username", flat=True)) == {
            "learner",
            "beta_tester",
            "instructor",
        }
        assert not CohortMembership.objects.filter(cohort=red).exists()
        assert CohortPreassignment.objects.get().email == "new@example.com"
        actions = sorted(AuditRecord.objects.values_list("action", flat=True))
        assert actions == ["cohorts.add_user", "cohorts.add_user", "cohorts.preassign"]

    def test_a_user_is_in_one_cohort_per_course_only(self, staff_client, users, blue, red):
        staff_client.post(cohort_url(blue.pk, "/users/"), {"users": ["learner"]}, format="json")
        staff_client.post(cohort_url(red.pk, "/users/"), {"users": ["learner"]}, format="json")

        assert list(CohortMembership.objects.filter(user=users["learner"]).values_list("cohort", flat=True)) == [red.pk]

    def test_add_one_user_by_path(self, staff_client, users, blue):
        response = staff_client.post(cohort_url(blue.pk, "/users/learner"), {}, format="json")

        assert response.json()["added"] == [{"username": "learner", "email": "learner@example.com"}]

    def test_a_comma_separated_text_is_split(self, staff_client, users, blue):
        response = staff_client.post(cohort_url(blue.pk, "/users/"), {"users": "learner, beta_tester"}, format="json")

        assert [row["username"] for row in response.json()["added"]] == ["learner", "beta_tester"]

    @pytest.mark.parametrize("body", [{}, {"users": []}, {"users": ""}])
    def test_no_users_is_400(self, staff_client, blue, body):
        response = staff_client.post(cohort_url(blue.pk, "/users/"), body, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "missing-users"

    @pytest.mark.parametrize("users_value", [[1, 2], {"a": 1}, 5])
    def test_ill_typed_users_is_a_validation_error(self, staff_client, blue, users_value):
        response = staff_client.post(cohort_url(blue.pk, "/users/"), {"users": users_value}, format="json")

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    def test_delete_removes_the_member(self, staff_client, users, blue):
        member(blue, users["learner"])

        response = staff_client.delete(cohort_url(blue.pk, "/users/learner"))

        assert response.status_code == 204
        assert not CohortMembership.objects.exists()
        assert AuditRecord.objects.get(action="cohorts.remove_user").learner == users["learner"]

    def test_delete_of_a_non_member_is_400(self, staff_client, users, blue, red):
        member(red, users["learner"])

        response = staff_client.delete(cohort_url(blue.pk, "/users/learner"))

        assert response.status_code == 400
        assert response.json()["error_code"] == "user-not-in-cohort"
        assert CohortMembership.objects.count() == 1

    def test_delete_of_an_unknown_user_is_404(self, staff_client, blue):
        response = staff_client.delete(cohort_url(blue.pk, "/users/nobody"))

        assert response.status_code == 404
        assert response.json()["error_code"] == "user-not-found"

    def test_delete_without_a_username_is_405(self, staff_client, blue):
        response = staff_client.delete(cohort_url(blue.pk, "/users/"))

        assert response.status_code == 405
        assert response.json()["error_code"] == "missing-username"


def test_an_unknown_path_under_the_api_is_a_404_envelope(staff_client):
    response = staff_client.get(f"{API}/nothing/here")

    assert response.status_code == 404
    assert response.json()["error_code"] == "endpoint_not_found"


def test_an_unknown_course_is_404(staff_client):
    assert staff_client.get(f"{API}/settings/course-v1:TestX+NOPE+2026").status_code == 404


def test_user_count_counts_active_enrollments_only(staff_client, course_key, blue):
    active, inactive = make_user("active"), make_user("inactive")
    enroll(active, course_key)
    enroll(inactive, course_key, is_active=False)
    member(blue, active)
    member(blue, inactive)

    assert staff_client.get(cohort_url(blue.pk)).json()["user_count"] == 1
