"""``GET .../ora`` and ``GET .../ora_summary``: shapes, pagination, the staff-grading link, bad input."""

from __future__ import annotations

import pytest

from tests.conftest import v2
from tests.ora_fixtures import add_ora_blocks, add_submissions

ORA_URL = v2(suffix="/ora")
SUMMARY_URL = v2(suffix="/ora_summary")
ESSAY = "block-v1:TestX+T101+2026+type@openassessment+block@essay"


@pytest.fixture
def ora(course):
    blocks = add_ora_blocks(course)
    add_submissions(blocks.essay, "ora_e", ["peer", "peer", "self", "waiting", "staff", "done", "cancelled"])
    add_submissions(blocks.poem, "ora_p", ["training", "done"])
    add_submissions(blocks.orphan, "ora_o", ["peer"])
    return blocks


@pytest.fixture
def staff_client(api_v2_on, users, client):
    client.force_authenticate(users["course_staff"])
    return client


def test_ora_lists_every_attached_assessment_in_course_order_with_its_counts(staff_client, ora):
    response = staff_client.get(ORA_URL)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["num_pages"], body["current_page"], body["start"]) == (3, 1, 1, 0)
    assert body["results"][0] == {
        "block_id": ESSAY,
        "unit_name": "Essay unit",
        "display_name": "Essay",
        "total_responses": 6,
        "training": 0,
        "peer": 2,
        "self": 1,
        "waiting": 1,
        "staff": 1,
        "final_grade_received": 1,
        "staff_ora_grading_url": None,
    }
    assert [(row["display_name"], row["unit_name"], row["total_responses"]) for row in body["results"]] == [
        ("Essay", "Essay unit", 6),
        ("Poem", "Essay unit", 2),
        ("Review", "Review unit", 0),
    ]


def test_ora_paginates(staff_client, ora):
    body = staff_client.get(ORA_URL, {"page": 2, "page_size": 2}).json()

    assert (body["count"], body["num_pages"], body["current_page"], body["start"]) == (3, 2, 2, 2)
    assert body["next"] is None
    assert body["previous"].endswith("page=1&page_size=2")
    assert [row["display_name"] for row in body["results"]] == ["Review"]


@pytest.mark.parametrize("params", [{"page": 3, "page_size": 2}, {"page": 0}, {"page": "x"}])
def test_ora_page_out_of_range_is_a_404_in_the_envelope(staff_client, ora, params):
    response = staff_client.get(ORA_URL, params)

    assert response.status_code == 404
    assert response.json()["error"] == "Invalid page."


def test_ora_of_a_course_without_assessments_is_one_empty_page(staff_client, course):
    body = staff_client.get(ORA_URL).json()

    assert (body["count"], body["num_pages"], body["results"]) == (0, 1, [])


def test_staff_grading_link_only_for_assessments_with_a_staff_step_when_configured(staff_client, ora, settings):
    settings.INSTRUCTOR_PLUGIN = {
        **settings.INSTRUCTOR_PLUGIN,
        "ORA_GRADING_MICROFRONTEND_URL": "https://ora.example.com/",
    }

    links = {row["display_name"]: row["staff_ora_grading_url"] for row in staff_client.get(ORA_URL).json()["results"]}

    assert links == {"Essay": f"https://ora.example.com/{ESSAY}", "Poem": None, "Review": None}


def test_ora_summary_sums_the_attached_assessments(staff_client, ora):
    response = staff_client.get(SUMMARY_URL)

    assert response.status_code == 200
    assert response.json() == {
        "total_units": 2,
        "total_assessments": 3,
        "total_responses": 8,
        "training": 1,
        "peer": 2,
        "self": 1,
        "waiting": 1,
        "staff": 1,
        "final_grade_received": 2,
    }


def test_ora_summary_of_a_course_without_assessments_is_all_zeros(staff_client, course):
    body = staff_client.get(SUMMARY_URL).json()

    assert set(body.values()) == {0}
    assert len(body) == 9


@pytest.mark.parametrize("suffix", ["/ora", "/ora_summary"])
@pytest.mark.parametrize(
    ("course_id", "status"),
    [("course-v1:TestX+NOPE+2026", 404), ("course-v1:bad", 404)],
)
def test_unknown_or_malformed_course_is_a_404(staff_client, course, suffix, course_id, status):
    response = staff_client.get(v2(course_id=course_id, suffix=suffix))

    assert response.status_code == status
    assert "error_code" in response.json()
