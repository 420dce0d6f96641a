"""
MySQL/MariaDB's trigram table (``ipb_search_grams``, migration ``0024``): equal to a recount of every user's
search text through every kind of write and a bulk load, and a search through it finds what ``icontains``
finds, whatever the characters of the term and of the texts.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from instructor_plugin.backends.builtin.bulk_load import bulk_load
from instructor_plugin.backends.builtin.filters import user_search
from instructor_plugin.backends.builtin.models import CourseEnrollment, UserProfile, UserSearchText
from tests.conftest import enroll, make_user
from tests.test_query_counts import make_learners, make_users
from tests.test_user_search import naive

User = get_user_model()
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "mysql", reason="MySQL's trigram table"),
]

#: Names whose characters ``LIKE``'s collation matches with others, or that are not cut into trigrams.
NASTY_NAMES = (
    "José Ñúñez",
    "Jose Nunez",
    "Straße",
    "Strasse",
    "\uff26\uff35\uff2c\uff2c \uff57\uff49\uff44\uff54\uff48",
    "emoji 🎓 learner",
    "tab\there",
    "nul\x01char",
    "İstanbul \u0131l\u0131k",
    'O\'Brien "Quote"',
    "100% _under_ back\\slash",
    "Æsir Ærø",
    "x" * 200 + "longtail",
)
NASTY_TERMS = (
    "jose",
    "JOSÉ",
    "nunez",
    "ÑÚÑ",
    "strasse",
    "straße",
    "full",
    "\uff57\uff49\uff44",
    "🎓",
    "🎓 l",
    "tabhere",
    "nulchar",
    "istanbul",
    "\u0131l\u0131k",
    "ilik",
    "o'brien",
    '"quote"',
    "100%",
    "_under_",
    "% _",
    "k\\sl",
    "aesir",
    "æsi",
    "xxxlongtail",
    "longtail",
    "example.com",
    "nasty0000",
    "nobody-at-all",
)


def recount() -> dict[tuple[bytes, int], int]:
    """The table as migration ``0024`` defines it, from every user's ``all_fields``."""
    grams: dict[tuple[bytes, int], int] = {}
    for user_id, text in UserSearchText.objects.values_list("user_id", "all_fields"):
        cut = all(" " <= c <= "~" or c == "\n" for c in text) and len(text) <= 990
        pieces = {text[i : i + 3].lower() for i in range(len(text) - 2)} if cut else {""}
        for piece in pieces:
            if "\n" not in piece:
                key = (piece.encode(), user_id // 64)
                grams[key] = grams.get(key, 0) | 1 << (user_id % 64)
    return grams


def kept() -> dict[tuple[bytes, int], int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT gram, block, users FROM ipb_search_grams")
        return {(bytes(gram), block): users for gram, block, users in cursor.fetchall()}


@pytest.fixture
def nasty(course_key) -> list:
    people = make_learners(course_key, "nasty", 70)  # more than one block of 64 users
    for number, name in enumerate(NASTY_NAMES):
        enroll(make_user(f"nasty_name{number}", name=name), course_key)
    return people


def test_the_table_equals_a_recount_through_every_kind_of_write(nasty, course_key):
    assert kept() == recount()

    renamed = nasty[0]
    renamed.username, renamed.email = "Renamed_Ünïcode", "renamed@example.net"
    renamed.save()
    User.objects.filter(pk=nasty[1].pk).update(first_name="Smithy", last_name="Annals")
    UserProfile.objects.filter(user=nasty[2]).update(name="Ørsted")
    UserProfile.objects.filter(user=nasty[3]).delete()
    moved = UserProfile.objects.get(user=nasty[4])
    moved.user = User.objects.create_user(username="fresh_owner", email="fresh@example.com")
    moved.save()
    nasty[5].delete()
    User.objects.bulk_create([User(username=f"bulk{i}", email=f"bulk{i}@example.com") for i in range(3)])
    User.objects.filter(username="nasty_name0").update(first_name="Plain")
    # Longer than any text of Django's user and profile: not cut into trigrams.
    UserSearchText.objects.filter(user=nasty[6]).update(all_fields="x" * 1200 + "longtail")

    assert kept() == recount()
    assert UserSearchText.objects.filter(user_id=nasty[5].pk).count() == 0


def test_a_bulk_load_writes_the_table_its_triggers_would(course_key):
    before = make_users("Before", 3)
    with transaction.atomic(), bulk_load(course_key) as loaded:
        people = make_users("Bulk", 70)
        loaded.update(user.pk for user in people)
        UserProfile.objects.filter(user=before[0]).update(name="Changed In Load")
        UserProfile.objects.filter(user=people[0]).update(name="Zoë Loaded")
        before[1].delete()
    make_user("later_one", name="Ünicode Later")

    assert kept() == recount()


def test_a_search_finds_what_icontains_finds_through_the_table(nasty, course_key):
    enrollments = CourseEnrollment.objects.filter(course_key=course_key)
    for term in NASTY_TERMS:
        for names in (True, False):
            expected = set(enrollments.filter(naive(term, names=names)).values_list("pk", flat=True))
            with CaptureQueriesContext(connection) as captured:
                found = set(enrollments.filter(user_search(term, names=names)).values_list("pk", flat=True))
            assert found == expected, (term, names)
            read = "ipb_search_grams" in " ".join(query["sql"] for query in captured)
            assert read == all(" " <= c <= "~" for c in term), term


def test_a_long_term_joins_a_few_of_its_trigrams(nasty, course_key):
    term = "nasty00012@example.com"

    with CaptureQueriesContext(connection) as captured:
        found = list(CourseEnrollment.objects.filter(user_search(term, names=False)))

    assert [enrollment.user.username for enrollment in found] == ["nasty00012"]
    assert captured.captured_queries[0]["sql"].count("JOIN ipb_search_grams") == 7


def test_a_term_the_table_finds_in_too_many_users_reads_every_text(nasty, course_key, monkeypatch):
    monkeypatch.setattr("instructor_plugin.backends.builtin.filters._MOST_CANDIDATES", 3)
    enrollments = CourseEnrollment.objects.filter(course_key=course_key)

    with CaptureQueriesContext(connection) as captured:
        found = set(enrollments.filter(user_search("nasty0000", names=False)).values_list("pk", flat=True))

    assert found == set(enrollments.filter(naive("nasty0000", names=False)).values_list("pk", flat=True))
    assert len(found) == 10
    assert "ipb_search_grams" not in captured.captured_queries[-1]["sql"]


def test_a_users_write_reads_only_its_own_trigrams_rows(nasty):
    migration = import_module("instructor_plugin.backends.builtin.migrations.0024_mysql_search_grams")
    text = migration._grams("'learner7\\nlearner7@example.com'", "4242", "(SELECT 1 AS one) AS t", "TRUE", "30")
    plans = []
    with connection.cursor() as cursor:
        for statement in (migration._add(text), migration._remove(text), migration._drop_emptied(text)):
            cursor.execute(f"EXPLAIN {statement}")
            columns = [column[0] for column in cursor.description]
            plans += [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    reads = [plan["type"] for plan in plans if plan["table"] in ("ipb_search_grams", "g")]
    assert reads and "ALL" not in reads and "index" not in reads
