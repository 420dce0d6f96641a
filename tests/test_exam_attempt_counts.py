"""
The attempt counts the built-in backend keeps per exam by trigger stay equal to counting the attempts, and
the attempts list's totals and searches are what counting and ``icontains`` over every attempt give.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext

from instructor_plugin.backends.builtin.bulk_load import bulk_load
from instructor_plugin.backends.builtin.models import ExamAttempt, ExamAttemptCount, SpecialExam, UserSearchText
from instructor_plugin.backends.builtin.special_exams import BuiltinSpecialExamService
from instructor_plugin.backends.data import ExamListQuery, PageRequest
from tests.conftest import make_user
from tests.special_exam_fixtures import OTHER_COURSE, add_exams, attempt, bulk_attempts
from tests.test_query_counts import make_users

User = get_user_model()
pytestmark = pytest.mark.django_db


def counted() -> dict[int, int]:
    """What counting every attempt says, exam by exam."""
    return dict(ExamAttempt.objects.values("exam_id").annotate(n=Count("pk")).values_list("exam_id", "n"))


def kept() -> dict[int, int]:
    return dict(ExamAttemptCount.objects.filter(attempts__gt=0).values_list("exam_id", "attempts"))


FIRST_PAGE = PageRequest(0, 25)


def listed(course_key, page: PageRequest = FIRST_PAGE, **query) -> tuple[list[int], int]:
    """The ids of one page of the attempts list and its total."""
    found = BuiltinSpecialExamService().list_attempts(course_key, ExamListQuery(**query), page)
    return [row.id for row in found.items], found.total


def test_counts_follow_every_kind_of_write(course_key):
    exams = add_exams(course_key)
    people = make_users("Count", 12)
    bulk_attempts(exams.timed, people[:6])
    bulk_attempts(exams.proctored, people[6:])
    one = attempt(exams.practice, make_user("one"))
    assert kept() == counted() == {exams.timed.pk: 6, exams.proctored.pk: 6, exams.practice.pk: 1}

    one.exam = exams.timed
    one.save()  # moved by a full save
    one.status = "verified"
    one.save()  # a save that leaves the exam alone
    ExamAttempt.objects.filter(user__in=people[:2]).update(exam=exams.foreign)
    ExamAttempt.objects.filter(user__in=people[6:8]).update(status="error")
    ExamAttempt.objects.filter(user=people[8]).delete()
    people[9].delete()  # cascades to the attempt
    ExamAttempt.objects.get(user=people[10]).delete()
    assert kept() == counted() == {exams.timed.pk: 5, exams.proctored.pk: 3, exams.foreign.pk: 2}

    exams.proctored.delete()  # cascades to its attempts and its count
    assert kept() == counted()
    assert not ExamAttemptCount.objects.filter(exam_id=exams.proctored.pk).exists()


def test_the_list_total_is_the_kept_count_of_the_course_or_the_exam(course_key):
    exams = add_exams(course_key)
    people = make_users("Total", 30)
    bulk_attempts(exams.timed, people)
    bulk_attempts(exams.proctored, people[:4])
    bulk_attempts(exams.foreign, people[:7])
    ExamAttemptCount.objects.filter(exam=exams.proctored).update(attempts=1000)  # the total is read, not counted

    assert listed(course_key)[1] == 1030
    assert listed(course_key, exam_id=exams.proctored.pk)[1] == 1000
    assert listed(course_key, exam_id=exams.foreign.pk) == ([], 0)  # another course's exam
    assert listed(OTHER_COURSE)[1] == 7


def test_an_exam_moved_to_another_course_takes_its_count_along(course_key):
    exams = add_exams(course_key)
    bulk_attempts(exams.timed, make_users("Mover", 3))
    SpecialExam.objects.filter(pk=exams.timed.pk).update(course_key=OTHER_COURSE)

    assert listed(course_key) == ([], 0)
    ids, total = listed(OTHER_COURSE)
    assert total == len(ids) == 3


def test_a_bulk_load_rebuilds_the_course_counts_as_the_triggers_keep_them(course_key):
    exams = add_exams(course_key)
    people = make_users("Loaded", 8)
    bulk_attempts(exams.timed, people[:2])
    kept_by_triggers = {exams.timed.pk: 4, exams.practice.pk: 3}
    with transaction.atomic(), bulk_load(course_key):
        bulk_attempts(exams.timed, people[2:5])
        bulk_attempts(exams.practice, people[5:])
        ExamAttempt.objects.filter(user=people[0], exam=exams.timed).update(exam=exams.proctored)
        ExamAttempt.objects.filter(user=people[0]).delete()

    assert kept() == counted() == kept_by_triggers
    attempt(exams.proctored, people[0])  # a later write fires the triggers again
    assert kept() == counted() == {**kept_by_triggers, exams.proctored.pk: 1}


def naive(course_key, term: str) -> list[int]:
    """The course's attempts whose username or email contains ``term`` (``icontains``), in list order."""
    rows = ExamAttempt.objects.filter(exam__course_key=course_key)
    rows = rows.filter(Q(user__username__icontains=term) | Q(user__email__icontains=term))
    return list(rows.order_by(Lower("user__username"), "pk").values_list("pk", flat=True))


@pytest.mark.parametrize(
    "term",
    [
        "mIxEd",
        "MIXED_case",
        "@Mail.Example",
        "only-in-mail",
        "ed_c",
        "nobody-matches-this",
        "x",
        "%",
        "_",
        "ÉLODIE",
        "élodie",
        'quo"te',
        "renamed_once",
        "before_rename",
    ],
)
def test_a_search_finds_what_icontains_finds(course_key, term):
    exams = add_exams(course_key)
    people = [
        make_user("Mixed_Case"),
        make_user("mixed_case2"),
        make_user("plain"),
        make_user("percent%sign"),
        make_user("élodie_b"),
        make_user('quo"ted'),
        make_user("before_rename"),
    ]
    people += make_users("Searched", 40)
    User.objects.filter(username="plain").update(email="Only-In-Mail@mail.example.org")
    User.objects.filter(username="before_rename").update(username="Renamed_Once")
    make_user("deleted_user_renamed_once").delete()
    bulk_attempts(exams.timed, people)
    bulk_attempts(exams.proctored, people[::2])
    bulk_attempts(exams.foreign, people)
    expected = naive(course_key, term)

    everything = listed(course_key, PageRequest(0, 1000), search=term)
    first = listed(course_key, PageRequest(0, 5), search=term)
    assert everything == (expected, len(expected))
    assert first == (expected[:5], len(expected))


def test_on_sqlite_a_search_reads_the_trigram_table_and_it_follows_the_users(course_key):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's FTS5 trigram table")
    exams = add_exams(course_key)
    people = make_users("Trigram", 3)
    bulk_attempts(exams.timed, people)
    people[0].username = "Newname"
    people[0].save()
    people[1].delete()

    with CaptureQueriesContext(connection) as captured:
        assert listed(course_key, search="newNAME")[1] == 1
    assert "ipb_search_trigrams" in captured.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM ipb_search_trigrams WHERE ipb_search_trigrams MATCH '\"trigram0000\"'")
        assert sorted(row[0] for row in cursor.fetchall()) == [people[0].pk, people[2].pk]  # the email kept
        cursor.execute("SELECT rowid FROM ipb_search_trigrams WHERE ipb_search_trigrams MATCH '\"NEWNAME\"'")
        assert [row[0] for row in cursor.fetchall()] == [people[0].pk]


def test_on_sqlite_a_bulk_load_writes_the_trigrams_its_triggers_would(course_key):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's FTS5 trigram table")
    with transaction.atomic(), bulk_load(course_key) as loaded:
        people = make_users("Bulk", 5)
        loaded.update(user.pk for user in people)
    later = make_user("later_one")

    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid, all_fields FROM ipb_search_trigrams ORDER BY rowid")
        trigrams = cursor.fetchall()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ipb_search_trigrams_%'")
        assert len(cursor.fetchall()) == len(("insert", "update", "delete"))
    assert trigrams == list(UserSearchText.objects.order_by("user_id").values_list("user_id", "all_fields"))
    assert later.pk in dict(trigrams)
