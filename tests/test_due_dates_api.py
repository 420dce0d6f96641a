"""The date-extension endpoints: graded_subsections, change_due_date, unit_extensions and the legacy reset_due_date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import Block, Course, CourseEnrollment, DueDateChange, DueDateOverride
from instructor_plugin.due_dates import InvalidDueDate, change_due_date, parse_due_datetime
from tests.conftest import COURSE_ID, enroll, make_user, v2
from tests.due_date_fixtures import HW1_DUE, HW1_Q1_DUE, add_dated_blocks

ENVELOPE_KEYS = {"error", "error_code", "detail", "developer_message"}
LATER = "2030-01-01T10:00:00+02:00"
LATER_UTC = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
RESET_URL = f"/courses/{COURSE_ID}/instructor/api/reset_due_date"


@pytest.fixture
def dated(course):
    return add_dated_blocks(course)


@pytest.fixture
def staff(api_v2_on, users, client, dated):
    client.force_authenticate(users["course_staff"])
    return client


def change(client, block, **body):
    payload = {"block_id": str(block.usage_key), "due_datetime": LATER, "email_or_username": "learner", "reason": "ill"}
    return client.post(v2(suffix="/change_due_date"), {**payload, **body}, format="json")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= ENVELOPE_KEYS
    assert body["error_code"] == code
    return body


def nothing_written() -> bool:
    return not DueDateOverride.objects.exists() and not DueDateChange.objects.exists()


class TestGradedSubsections:
    def test_top_most_dated_blocks(self, staff, dated):
        response = staff.get(v2(suffix="/graded_subsections"))

        assert response.status_code == 200
        assert response.json() == {
            "items": [
                {"display_name": "Homework 1", "subsection_id": str(dated.hw1.usage_key)},
                {"display_name": str(dated.lesson_unit.usage_key), "subsection_id": str(dated.lesson_unit.usage_key)},
                {"display_name": "Homework 2", "subsection_id": str(dated.hw2.usage_key)},
            ]
        }

    def test_a_course_without_dates(self, api_v2_on, users, client):
        client.force_authenticate(users["data_researcher"])

        assert client.get(v2(suffix="/graded_subsections")).json() == {"items": []}


class TestChangeDueDate:
    def test_moves_the_unit_and_its_dated_descendants(self, staff, users, dated):
        response = change(staff, dated.hw1)

        assert response.status_code == 200, response.content
        assert response.json() == {
            "message": f"Successfully changed due date for learner Learner for Homework 1 ({dated.hw1.usage_key}) "
            "to 2030-01-01 08:00"
        }
        assert dict(DueDateOverride.objects.values_list("usage_key", "due")) == {
            dated.hw1.usage_key: LATER_UTC,
            dated.hw1_q1.usage_key: LATER_UTC,
        }
        assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"

    def test_records_who_when_and_why(self, staff, users, dated):
        before = datetime.now(UTC)
        change(staff, dated.hw2, reason="<b>Illness</b>, see ticket #12")

        record = DueDateChange.objects.get()
        assert (record.user, record.actor, record.due) == (users["learner"], users["course_staff"], LATER_UTC)
        assert record.reason == "<b>Illness</b>, see ticket #12"
        assert record.created >= before
        override = DueDateOverride.objects.get()
        assert (override.reason, override.actor) == (record.reason, users["course_staff"])

    @pytest.mark.parametrize(
        ("given", "stored"),
        [
            ("2030-01-01T10:00:00+02:00", LATER_UTC),
            ("2030-01-01T08:00:00Z", LATER_UTC),
            ("2030-01-01T08:00:00", LATER_UTC),
            ("2030-01-01 03:00:00-05:00", LATER_UTC),
        ],
        ids=["offset_converted", "zulu", "naive_is_utc", "negative_offset"],
    )
    def test_dates_are_converted_to_utc(self, staff, dated, given, stored):
        assert change(staff, dated.hw2, due_datetime=given).status_code == 200

        assert DueDateOverride.objects.get().due == stored

    @pytest.mark.parametrize(
        "due",
        [
            (HW1_DUE - timedelta(days=1)).isoformat(),
            HW1_DUE.isoformat(),
            "2029-06-01T14:00:00+02:00",  # the original date, in another zone
            HW1_Q1_DUE.isoformat(),  # later than the unit, not later than its problem
        ],
        ids=["earlier", "equal", "equal_in_another_zone", "not_later_than_a_descendant"],
    )
    def test_an_extension_not_later_than_the_original_is_refused(self, staff, dated, due):
        body = assert_error(change(staff, dated.hw1, due_datetime=due), 400, "due_date_not_later")

        assert body["error"] == "An extended due date must be later than the original due date."
        assert nothing_written()

    def test_a_block_without_a_due_date(self, staff, dated):
        body = assert_error(change(staff, dated.lesson), 400, "no_due_date")

        assert body["error"] == f"Unit {dated.lesson.usage_key} has no due date to extend."
        assert nothing_written()

    @pytest.mark.parametrize("identifier", ["outsider", "data_researcher"])
    def test_a_learner_not_enrolled(self, staff, dated, identifier):
        body = assert_error(change(staff, dated.hw2, email_or_username=identifier), 400, "learner_not_enrolled")

        assert body["error"] == "Could not find student enrollment in the course."
        assert nothing_written()

    def test_an_inactive_enrollment_is_not_enrolled(self, staff, dated, course_key):
        enroll(make_user("leaver"), course_key, is_active=False)

        assert_error(change(staff, dated.hw2, email_or_username="leaver"), 400, "learner_not_enrolled")

    def test_a_learner_by_email(self, staff, dated):
        assert change(staff, dated.hw2, email_or_username="LEARNER@example.com").status_code == 200

    def test_an_unknown_learner(self, staff, dated):
        assert_error(change(staff, dated.hw2, email_or_username="nobody"), 404, "learner_not_found")
        assert nothing_written()

    def test_an_unknown_block(self, staff, course_key):
        missing = course_key.make_usage_key("sequential", "missing")

        assert_error(change(staff, Block(usage_key=missing)), 404, "block_not_found")
        assert nothing_written()

    def test_a_block_of_another_course(self, staff, dated):
        other = Course.objects.create(course_key=CourseKey.from_string("course-v1:TestX+OTHER+2026"), display_name="O")
        foreign = Block.objects.create(
            course=other,
            usage_key=other.course_key.make_usage_key("sequential", "hw1"),
            block_type="sequential",
            due=HW1_DUE,
        )

        assert_error(change(staff, foreign), 404, "block_not_found")
        assert nothing_written()

    @pytest.mark.parametrize("block_id", ["not-a-key", "block-v1:bad", "i4x://"])
    def test_a_malformed_block_id(self, staff, block_id):
        response = staff.post(
            v2(suffix="/change_due_date"),
            {"block_id": block_id, "due_datetime": LATER, "email_or_username": "learner"},
            format="json",
        )

        assert_error(response, 400, "invalid_block_id")
        assert nothing_written()

    @pytest.mark.parametrize("due", ["tomorrow", "2030-13-01T00:00:00Z", "", "2030/01/01 10:00"])
    def test_a_malformed_date(self, staff, dated, due):
        body = assert_error(change(staff, dated.hw2, due_datetime=due), 400, "validation_error")

        assert "due_datetime" in body["field_errors"]
        assert nothing_written()

    def test_the_format_error_text(self, staff, dated):
        body = change(staff, dated.hw2, due_datetime="tomorrow").json()

        assert body["field_errors"] == {"due_datetime": ["The extension due date and time format is incorrect"]}

    @pytest.mark.parametrize("missing", ["block_id", "due_datetime", "email_or_username"])
    def test_required_fields(self, staff, dated, missing):
        body = {"block_id": str(dated.hw2.usage_key), "due_datetime": LATER, "email_or_username": "learner"}
        del body[missing]

        response = staff.post(v2(suffix="/change_due_date"), body, format="json")

        assert missing in assert_error(response, 400, "validation_error")["field_errors"]

    def test_reason_may_be_blank_or_absent(self, staff, dated):
        assert change(staff, dated.hw2, reason="").status_code == 200
        body = {"block_id": str(dated.hw1.usage_key), "due_datetime": LATER, "email_or_username": "learner"}
        assert staff.post(v2(suffix="/change_due_date"), body, format="json").status_code == 200
        assert set(DueDateChange.objects.values_list("reason", flat=True)) == {""}


class TestUnitExtensions:
    @pytest.fixture
    def granted(self, staff, dated, course_key):
        for name in ("ann", "bob"):
            enroll(make_user(name), course_key)
        for name, block in (("bob", dated.hw2), ("ann", dated.hw2), ("ann", dated.hw1), ("learner", dated.lesson_unit)):
            assert change(staff, block, email_or_username=name).status_code == 200

    def rows(self, staff, **params):
        response = staff.get(v2(suffix="/unit_extensions"), params)
        assert response.status_code == 200, response.content
        return response.json()

    def test_every_unit_by_username_then_unit(self, staff, dated, granted):
        body = self.rows(staff)

        assert body["count"] == 4
        assert body["results"][0] == {
            "username": "ann",
            "full_name": "Ann",
            "email": "ann@example.com",
            "unit_title": "Homework 1",
            "unit_location": str(dated.hw1.usage_key),
            "extended_due_date": "2030-01-01T08:00:00Z",
        }
        assert [(row["username"], row["unit_title"]) for row in body["results"]] == [
            ("ann", "Homework 1"),
            ("ann", "Homework 2"),
            ("bob", "Homework 2"),
            ("learner", str(dated.lesson_unit.usage_key)),
        ]

    def test_one_unit(self, staff, dated, granted):
        body = self.rows(staff, block_id=str(dated.hw2.usage_key))

        assert [row["username"] for row in body["results"]] == ["ann", "bob"]

    def test_a_descendant_block(self, staff, dated, granted):
        body = self.rows(staff, block_id=str(dated.hw1_q1.usage_key))

        assert [(row["username"], row["unit_title"]) for row in body["results"]] == [("ann", "Question 1")]

    @pytest.mark.parametrize(("search", "expected"), [("AN", ["ann", "ann"]), ("bob@example", ["bob"]), ("zz", [])])
    def test_search(self, staff, granted, search, expected):
        assert [row["username"] for row in self.rows(staff, email_or_username=search)["results"]] == expected

    def test_search_and_unit(self, staff, dated, granted):
        body = self.rows(staff, email_or_username="ann", block_id=str(dated.hw2.usage_key))

        assert [(row["username"], row["unit_title"]) for row in body["results"]] == [("ann", "Homework 2")]

    def test_pagination(self, staff, granted):
        body = self.rows(staff, page=2, page_size=3)

        assert (body["count"], body["num_pages"], body["current_page"], body["start"]) == (4, 2, 2, 3)
        assert body["next"] is None and body["previous"] is not None
        assert len(body["results"]) == 1

    def test_page_out_of_range(self, staff, granted):
        assert_error(staff.get(v2(suffix="/unit_extensions"), {"page": 3, "page_size": 3}), 404, "not_found")

    def test_empty(self, staff):
        assert self.rows(staff)["results"] == []

    def test_unknown_block(self, staff, course_key):
        missing = str(course_key.make_usage_key("sequential", "missing"))

        assert_error(staff.get(v2(suffix="/unit_extensions"), {"block_id": missing}), 404, "block_not_found")

    def test_malformed_block(self, staff):
        assert_error(staff.get(v2(suffix="/unit_extensions"), {"block_id": "nope"}), 400, "invalid_block_id")

    def test_a_reset_extension_is_gone(self, staff, dated, granted):
        response = staff.post(RESET_URL, {"student": "bob", "url": str(dated.hw2.usage_key)}, format="json")

        assert response.status_code == 200
        assert "bob" not in [row["username"] for row in self.rows(staff)["results"]]


class TestLegacyResetDueDate:
    @pytest.fixture
    def extended(self, staff, dated):
        assert change(staff, dated.hw1, reason="ill").status_code == 200

    def reset(self, client, body):
        return client.post(RESET_URL, body, format="json")

    def test_answers_a_json_string_and_removes_the_override(self, staff, users, dated, extended):
        response = self.reset(staff, {"student": "learner", "url": str(dated.hw1.usage_key), "reason": "recovered"})

        assert response.status_code == 200
        assert response.json() == (
            f"Successfully reset due date for student Learner for Homework 1 ({dated.hw1.usage_key}) "
            "to 2029-06-01 12:00"
        )
        assert not DueDateOverride.objects.exists()
        resets = DueDateChange.objects.filter(due__isnull=True)
        assert set(resets.values_list("usage_key", "reason", "actor_id")) == {
            (dated.hw1.usage_key, "recovered", users["course_staff"].pk),
            (dated.hw1_q1.usage_key, "recovered", users["course_staff"].pk),
        }

    def test_reason_is_optional(self, staff, dated, extended):
        assert self.reset(staff, {"student": "learner@example.com", "url": str(dated.hw1.usage_key)}).status_code == 200
        assert set(DueDateChange.objects.filter(due__isnull=True).values_list("reason", flat=True)) == {""}

    def test_reset_without_an_extension_succeeds_and_records_nothing(self, staff, dated):
        assert self.reset(staff, {"student": "learner", "url": str(dated.hw2.usage_key)}).status_code == 200
        assert not DueDateChange.objects.exists()

    def test_a_learner_who_left_can_still_be_reset(self, staff, dated, extended, users, course_key):
        CourseEnrollment.objects.filter(user=users["learner"], course_key=course_key).update(is_active=False)

        assert self.reset(staff, {"student": "learner", "url": str(dated.hw1.usage_key)}).status_code == 200
        assert not DueDateOverride.objects.exists()

    @pytest.mark.parametrize(
        ("body", "status", "code"),
        [
            ({"student": "learner"}, 400, "validation_error"),
            ({"url": "x"}, 400, "validation_error"),
            ({"student": "learner", "url": "nope"}, 400, "invalid_block_id"),
            (
                {"student": "nobody", "url": "block-v1:TestX+T101+2026+type@sequential+block@hw1"},
                404,
                "learner_not_found",
            ),
            (
                {"student": "learner", "url": "block-v1:TestX+T101+2026+type@sequential+block@gone"},
                404,
                "block_not_found",
            ),
            (
                {"student": "learner", "url": "block-v1:TestX+OTHER+2026+type@sequential+block@hw1"},
                404,
                "block_not_found",
            ),
            (
                {"student": "learner", "url": "block-v1:TestX+T101+2026+type@sequential+block@lesson"},
                400,
                "no_due_date",
            ),
        ],
    )
    def test_bad_input(self, staff, extended, body, status, code):
        before = list(DueDateOverride.objects.values_list("usage_key", "due"))

        assert_error(self.reset(staff, body), status, code)
        assert list(DueDateOverride.objects.values_list("usage_key", "due")) == before

    def test_csrf_is_enforced_for_session_users(self, api_v2_on, users, dated):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(users["course_staff"])

        response = client.post(RESET_URL, {"student": "learner", "url": str(dated.hw1.usage_key)}, format="json")

        assert response.status_code == 403

    def test_get_is_not_allowed(self, staff):
        assert staff.get(RESET_URL).status_code == 405


class TestDomain:
    def test_an_aware_datetime_is_converted_before_it_is_stored_and_shown(self, users, dated, course_key):
        due = datetime.fromisoformat(LATER)

        message = change_due_date(users["course_staff"].pk, course_key, str(dated.hw2.usage_key), due, "learner")

        assert message.endswith("to 2030-01-01 08:00")
        assert DueDateOverride.objects.get().due == LATER_UTC

    @pytest.mark.parametrize("text", ["2030-01-01T25:00:00", "01/01/2030", "soon"])
    def test_parse_refuses_what_is_not_an_iso_date_and_time(self, text):
        with pytest.raises(InvalidDueDate):
            parse_due_datetime(text)

    def test_parse_takes_a_bare_date_as_midnight_utc(self):
        assert parse_due_datetime("2030-01-01") == datetime(2030, 1, 1, tzinfo=UTC)
