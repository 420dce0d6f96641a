"""The legacy due-date extension endpoints (LMS_APIS ``instructor_legacy``), and the same actions through v2."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import DueDateChange, DueDateOverride
from tests.conftest import COURSE_ID, enroll, make_user, v2
from tests.due_date_fixtures import add_dated_blocks

CSRF_SECRET = "a" * 32
NAMES = ["change_due_date", "show_unit_extensions", "show_student_extensions"]


def legacy(name: str) -> str:
    return f"/courses/{COURSE_ID}/instructor/api/{name}"


@pytest.fixture
def dated(course):
    return add_dated_blocks(course)


@pytest.fixture
def staff(client, users, dated):
    client.force_authenticate(users["course_staff"])
    return client


def valid(dated) -> dict[str, dict]:
    return {
        "change_due_date": {"student": "learner", "url": str(dated.hw1.usage_key), "due_datetime": "01/02/2031 10:00"},
        "show_unit_extensions": {"url": str(dated.hw1.usage_key)},
        "show_student_extensions": {"student": "learner"},
    }


def assert_error(response, status: int, code: str, message: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error_code"] == code
    if message is not None:
        assert body["error"] == message


class TestEveryEndpoint:
    @pytest.mark.parametrize("name", NAMES)
    def test_get_is_not_allowed(self, staff, name):
        assert staff.get(legacy(name)).status_code == 405

    @pytest.mark.parametrize("name", NAMES)
    def test_session_callers_send_the_csrf_token(self, users, dated, name):
        session = APIClient(enforce_csrf_checks=True)
        session.login(username="global_staff", password="edx")
        session.cookies["csrftoken"] = CSRF_SECRET

        refused = session.post(legacy(name), valid(dated)[name])
        accepted = session.post(legacy(name), valid(dated)[name], HTTP_X_CSRFTOKEN=CSRF_SECRET)

        assert refused.status_code == 403
        assert accepted.status_code == 200, accepted.content

    @pytest.mark.parametrize("name", NAMES)
    def test_anonymous_is_401(self, client, users, dated, name):
        assert client.post(legacy(name), valid(dated)[name]).status_code == 401


class TestChangeDueDate:
    def test_the_dashboard_date_form_and_a_json_string(self, staff, dated, users):
        response = staff.post(legacy("change_due_date"), {**valid(dated)["change_due_date"], "reason": "ill"})

        assert response.status_code == 200
        assert json.loads(response.content) == (
            f"Successfully changed due date for student Learner for Homework 1 ({dated.hw1.usage_key}) "
            "to 2031-01-02 10:00"
        )
        override = DueDateOverride.objects.get(usage_key=dated.hw1.usage_key)
        assert (override.user, override.due) == (users["learner"], datetime(2031, 1, 2, 10, 0, tzinfo=UTC))
        assert DueDateChange.objects.filter(reason="ill", actor=users["course_staff"]).exists()

    def test_iso_dates_are_converted_to_utc(self, staff, dated):
        staff.post(
            legacy("change_due_date"), {**valid(dated)["change_due_date"], "due_datetime": "2031-01-02T10:00+02:00"}
        )

        assert DueDateOverride.objects.get(usage_key=dated.hw1.usage_key).due == datetime(2031, 1, 2, 8, tzinfo=UTC)

    def test_a_malformed_date(self, staff, dated):
        response = staff.post(legacy("change_due_date"), {**valid(dated)["change_due_date"], "due_datetime": "soon"})

        assert_error(response, 400, "invalid_due_date", "The extension due date and time format is incorrect")
        assert not DueDateOverride.objects.exists()

    def test_not_later_than_the_original(self, staff, dated):
        response = staff.post(
            legacy("change_due_date"), {**valid(dated)["change_due_date"], "due_datetime": "01/01/2020 00:00"}
        )

        assert response.status_code == 400
        assert not DueDateOverride.objects.exists()

    def test_unknown_learner_and_unit(self, staff, dated, course_key):
        body = valid(dated)["change_due_date"]

        assert_error(staff.post(legacy("change_due_date"), {**body, "student": "nobody"}), 404, "learner_not_found")
        missing = str(course_key.make_usage_key("sequential", "nope"))
        assert_error(staff.post(legacy("change_due_date"), {**body, "url": missing}), 404, "block_not_found")

    @pytest.mark.parametrize("missing", ["student", "url", "due_datetime"])
    def test_required_fields(self, staff, dated, missing):
        body = {key: value for key, value in valid(dated)["change_due_date"].items() if key != missing}

        assert_error(staff.post(legacy("change_due_date"), body), 400, "validation_error")


@pytest.fixture
def granted(staff, dated, course_key):
    enroll(make_user("ann", name="Ann Lee"), course_key)
    enroll(make_user("annie"), course_key)
    for student, block, due in (
        ("learner", dated.hw2, "01/03/2031 10:00"),
        ("ann", dated.hw1, "01/02/2031 10:00"),
        ("learner", dated.hw1, "01/02/2031 11:00"),
        ("annie", dated.hw1, "01/05/2031 10:00"),
    ):
        response = staff.post(
            legacy("change_due_date"), {"student": student, "url": str(block.usage_key), "due_datetime": due}
        )
        assert response.status_code == 200, response.content


class TestShowUnitExtensions:
    def test_the_learners_of_one_unit_by_username(self, staff, dated, granted):
        response = staff.post(legacy("show_unit_extensions"), {"url": str(dated.hw1.usage_key)})

        assert response.status_code == 200
        assert response.json() == {
            "header": ["Username", "Full Name", "Extended Due Date"],
            "title": "Users with due date extensions for Homework 1",
            "data": [
                {"Username": "ann", "Full Name": "Ann Lee", "Extended Due Date": "2031-01-02 10:00"},
                {"Username": "annie", "Full Name": "Annie", "Extended Due Date": "2031-01-05 10:00"},
                {"Username": "learner", "Full Name": "Learner", "Extended Due Date": "2031-01-02 11:00"},
            ],
        }

    def test_a_unit_without_extensions(self, staff, dated):
        assert staff.post(legacy("show_unit_extensions"), {"url": str(dated.hw2.usage_key)}).json()["data"] == []

    def test_a_malformed_unit(self, staff, dated):
        assert_error(staff.post(legacy("show_unit_extensions"), {"url": "nope"}), 400, "invalid_block_id")


class TestShowStudentExtensions:
    def test_one_learners_units_in_course_order(self, staff, dated, granted):
        response = staff.post(legacy("show_student_extensions"), {"student": "learner@example.com"})

        assert response.status_code == 200
        assert response.json() == {
            "header": ["Unit", "Extended Due Date"],
            "title": "Due date extensions for Learner (learner)",
            "data": [
                {"Unit": "Homework 1", "Extended Due Date": "2031-01-02 11:00"},
                {"Unit": "Homework 2", "Extended Due Date": "2031-01-03 10:00"},
            ],
        }

    def test_a_username_contained_in_another_is_not_mixed_up(self, staff, dated, granted):
        body = staff.post(legacy("show_student_extensions"), {"student": "ann"}).json()

        assert body["data"] == [{"Unit": "Homework 1", "Extended Due Date": "2031-01-02 10:00"}]

    def test_an_unknown_learner(self, staff, dated):
        assert_error(staff.post(legacy("show_student_extensions"), {"student": "nobody"}), 404, "learner_not_found")


class TestSameResultThroughBothDoors:
    def test_change_due_date(self, api_v2_on, staff, dated, users):
        legacy_response = staff.post(
            legacy("change_due_date"),
            {"student": "learner", "url": str(dated.hw1.usage_key), "due_datetime": "2031-01-02T10:00:00Z"},
        )
        legacy_rows = sorted(DueDateOverride.objects.values_list("user_id", "usage_key", "due"))
        DueDateOverride.objects.all().delete()
        v2_response = staff.post(
            v2(suffix="/change_due_date"),
            {
                "email_or_username": "learner",
                "block_id": str(dated.hw1.usage_key),
                "due_datetime": "2031-01-02T10:00:00Z",
            },
            format="json",
        )

        assert sorted(DueDateOverride.objects.values_list("user_id", "usage_key", "due")) == legacy_rows
        assert json.loads(legacy_response.content) == v2_response.json()["message"].replace(
            "learner Learner", "student Learner"
        )

    def test_unit_extensions(self, api_v2_on, staff, dated, granted):
        legacy_rows = staff.post(legacy("show_unit_extensions"), {"url": str(dated.hw1.usage_key)}).json()["data"]
        v2_rows = staff.get(v2(suffix="/unit_extensions"), {"block_id": str(dated.hw1.usage_key)}).json()["results"]

        assert [row["Username"] for row in legacy_rows] == [row["username"] for row in v2_rows]
