"""
keyset_stream and keyset_chunks: every row once, in key order, a chunk per query, whatever the driver buffers;
on PostgreSQL one query read through a server-side cursor, unless the connection disables them.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instructor_plugin.backends.builtin.models import ENROLLMENT_KEYSET, CourseEnrollment, ProblemState
from instructor_plugin.backends.builtin.streaming import keyset_chunks, keyset_stream, through_index
from tests.conftest import enroll, make_user

#: The queries a stream of three chunks makes: PostgreSQL reads one through a server-side cursor.
THREE_CHUNKS_QUERIES = 1 if connection.vendor == "postgresql" else 3


def enrolled_learners(course_key, prefix: str, count: int) -> list:
    """``count`` new learners enrolled in the course, in the order of their ids."""
    people = [make_user(f"{prefix}{n}") for n in range(count)]
    for person in people:
        enroll(person, course_key)
    return people


def test_streams_every_row_in_key_order_a_chunk_per_query(course, course_key):
    people = enrolled_learners(course_key, "streamed", 7)
    rows = CourseEnrollment.objects.filter(course_key=course_key)

    with CaptureQueriesContext(connection) as captured:
        streamed = list(keyset_stream(rows, ["user_id"], ["user_id", "mode"], chunk_size=3))

    assert streamed == [(person.pk, "audit") for person in people]
    assert len(captured) == THREE_CHUNKS_QUERIES


def test_without_server_side_cursors_every_database_reads_a_chunk_per_query(course, course_key, monkeypatch):
    people = enrolled_learners(course_key, "pooled", 7)
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    rows = CourseEnrollment.objects.filter(course_key=course_key)

    with CaptureQueriesContext(connection) as captured:
        streamed = list(keyset_stream(rows, ["user_id"], ["user_id", "mode"], chunk_size=3))

    assert streamed == [(person.pk, "audit") for person in people]
    assert len(captured) == 3
    assert all("LIMIT 3" in query["sql"] for query in captured)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's server-side cursors")
def test_postgresql_fetches_the_chunks_of_one_query_through_a_named_cursor(course, course_key):
    people = enrolled_learners(course_key, "cursor", 5)
    rows = CourseEnrollment.objects.filter(course_key=course_key)

    with CaptureQueriesContext(connection) as captured:
        chunks = list(keyset_chunks(rows, ["user_id"], ["user_id"], chunk_size=2))

    assert chunks == [[(people[0].pk,), (people[1].pk,)], [(people[2].pk,), (people[3].pk,)], [(people[4].pk,)]]
    assert len(captured) == 1
    assert "LIMIT" not in captured[0]["sql"]


def test_chunks_are_the_rows_each_query_read_cut_to_the_values(course, course_key):
    enrolled_learners(course_key, "chunked", 5)
    rows = CourseEnrollment.objects.filter(course_key=course_key)

    chunks = list(keyset_chunks(rows, ["user_id"], ["mode"], chunk_size=2))

    assert chunks == [[("audit",), ("audit",)], [("audit",), ("audit",)], [("audit",)]]


def test_composite_keys_continue_inside_a_tie(course, course_key):
    people = [make_user(f"learner{n}") for n in range(3)]
    problems = [course_key.make_usage_key("problem", name) for name in ("a", "b", "c")]
    ProblemState.objects.bulk_create(
        ProblemState(user=person, course_key=course_key, usage_key=problem, attempts=i)
        for i, (person, problem) in enumerate((p, q) for p in people for q in problems)
    )
    rows = ProblemState.objects.filter(course_key=course_key)

    streamed = list(keyset_stream(rows, ["user_id", "usage_key"], ["user_id", "usage_key"], chunk_size=2))

    assert streamed == [(person.pk, problem) for person in people for problem in problems]


def test_an_empty_queryset_costs_one_query(course, course_key):
    with CaptureQueriesContext(connection) as captured:
        assert list(keyset_stream(CourseEnrollment.objects.none(), ["user_id"], ["user_id"])) == []

    assert len(captured) <= 1


def test_a_named_index_reads_the_same_rows_and_is_forced_on_mysql_only(course, course_key):
    people = enrolled_learners(course_key, "indexed", 5)
    rows = CourseEnrollment.objects.filter(course_key=course_key)

    with CaptureQueriesContext(connection) as captured:
        streamed = list(keyset_stream(rows, ["user_id"], ["user_id", "user__username"], 2, ENROLLMENT_KEYSET))

    assert streamed == [(person.pk, person.username) for person in people]
    assert len(captured) == THREE_CHUNKS_QUERIES
    hinted = [f"FORCE INDEX (`{ENROLLMENT_KEYSET}`)" in query["sql"] for query in captured]
    assert hinted == [connection.vendor == "mysql"] * THREE_CHUNKS_QUERIES


def test_the_index_is_named_on_the_base_table_of_a_derived_queryset_only(course, course_key):
    hinted = through_index(CourseEnrollment.objects.filter(course_key=course_key), ENROLLMENT_KEYSET)
    plain = CourseEnrollment.objects.filter(course_key=course_key)

    derived = hinted.filter(user__username__startswith="x").values_list("user__email")

    assert "FORCE INDEX" not in str(plain.query)
    assert list(derived) == []
    if connection.vendor == "mysql":
        sql = str(derived.query)
        assert sql.count("FORCE INDEX") == 1
        assert sql.index("FORCE INDEX") < sql.index("JOIN")
