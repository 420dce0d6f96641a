"""The legacy list endpoints cost a fixed number of queries whatever the course size."""

from __future__ import annotations

import pytest

from tests.conftest import COURSE_ID
from tests.test_query_counts import LARGE, SMALL, make_learners, make_team, queries


def legacy(name: str) -> str:
    return f"/courses/{COURSE_ID}/instructor/api/{name}"


@pytest.fixture
def staff_client(users, client):
    client.force_authenticate(users["global_staff"])
    return client


def test_students_features_queries_do_not_grow_with_the_course(staff_client, course_key):
    make_learners(course_key, "bulk", SMALL)
    queries(staff_client, "post", legacy("get_students_features"), {})
    small, small_body = queries(staff_client, "post", legacy("get_students_features"), {})

    make_learners(course_key, "bulkx", LARGE - SMALL - 2)  # the fixture enrolls 2 learners
    large, large_body = queries(staff_client, "post", legacy("get_students_features"), {})

    assert large_body["students_count"] == LARGE
    assert small_body["students_count"] == SMALL + 2
    assert large == small


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("list_course_role_members", {"rolename": "staff", "page_size": 100}),
        ("list_course_role_members", {"rolename": "staff", "search": "MEMBER"}),
        ("list_forum_members", {"rolename": "Community TA"}),
    ],
)
def test_role_lists_do_not_grow_with_the_team(staff_client, course_key, name, body):
    make_team(course_key, "member", SMALL)
    queries(staff_client, "post", legacy(name), body)
    small, small_body = queries(staff_client, "post", legacy(name), body)

    make_team(course_key, "memberx", LARGE - SMALL)
    large, large_body = queries(staff_client, "post", legacy(name), body)

    role = body["rolename"]
    assert large_body.get("count", len(large_body[role])) > small_body.get("count", len(small_body[role]))
    assert large == small
