"""Report rows read as tuples: text the database formats, formulas looked for in the text columns only."""

from __future__ import annotations

import gc
import hashlib
import hmac
import io
import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin import open_responses, problem_state
from instructor_plugin.backends.builtin.enrollments import BuiltinEnrollmentService
from instructor_plugin.backends.builtin.models import (
    CourseEnrollment,
    CourseGrade,
    ExamAttempt,
    OpenResponseSubmission,
    SpecialExam,
    SurveyAnswer,
)
from instructor_plugin.backends.builtin.problem_state import BuiltinProblemStateService
from instructor_plugin.backends.builtin.special_exams import BuiltinSpecialExamService
from instructor_plugin.backends.builtin.users import BuiltinUserService
from instructor_plugin.reports import CsvBody, write_csv
from tests.conftest import enroll, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["joined", "by_range"])
def grade_rows_read(request, monkeypatch):
    """Grade rows read either way on every database: joined in one query (PostgreSQL) or by id range."""
    monkeypatch.setattr(problem_state, "streams_through_a_cursor", lambda queryset: request.param == "joined")
    return request.param


WHOLE_SECOND = datetime(2024, 2, 29, 23, 5, 9, tzinfo=UTC)
WITH_MICROSECONDS = datetime(2024, 3, 1, 0, 0, 1, 120, tzinfo=UTC)


def test_profile_rows_carry_datetimes_as_isoformat_writes_them(course_key):
    whole, fractional, never = make_user("whole"), make_user("fractional"), make_user("never")
    for user, joined in ((whole, WHOLE_SECOND), (fractional, WITH_MICROSECONDS), (never, WHOLE_SECOND)):
        user.date_joined = joined
        user.last_login = None if user is never else joined
        user.save()
        enroll(user, course_key)
    CourseEnrollment.objects.filter(user=fractional).update(created=WITH_MICROSECONDS)

    rows = list(
        BuiltinEnrollmentService().iter_learner_profile_rows(
            course_key, ["username", "date_joined", "last_login", "enrollment_date", "location"]
        )
    )

    created = CourseEnrollment.objects.get(user=whole).created
    assert rows == [
        ("whole", WHOLE_SECOND.isoformat(), WHOLE_SECOND.isoformat(), created.isoformat(), ""),
        ("fractional", *[WITH_MICROSECONDS.isoformat()] * 3, ""),
        ("never", WHOLE_SECOND.isoformat(), None, CourseEnrollment.objects.get(user=never).created.isoformat(), ""),
    ]


@pytest.mark.parametrize("final", ["Final", 'Final "Exam"'])
def test_grade_rows_carry_breakdown_members_typed_as_json_decodes_them(course_key, final, grade_rows_read):
    graded, ungraded = make_user("graded"), make_user("ungraded")
    enroll(graded, course_key)
    enroll(ungraded, course_key)
    CourseGrade.objects.create(
        user=graded,
        course_key=course_key,
        percent=0.5,
        letter_grade="C",
        passed=True,
        breakdown={"Homework": 0.8333333333333334, final: 1, "Lab": 1.0},
    )

    rows = list(BuiltinProblemStateService().iter_course_grade_rows(course_key, ["Homework", final, "Lab", "Quiz"]))

    assert rows == [
        (graded.pk, graded.email, "graded", 0.5, "C", True, 0.8333333333333334, 1, 1.0, None),
        (ungraded.pk, ungraded.email, "ungraded", None, None, None, None, None, None, None),
    ]
    assert [type(value) for value in rows[0][6:9]] == [float, int, float]


def test_grade_rows_are_the_active_learners_with_their_grades_chunk_by_chunk(course_key, monkeypatch, grade_rows_read):
    monkeypatch.setattr("instructor_plugin.backends.builtin.problem_state._GRADE_ROWS_CHUNK", 2)
    other_course = course_key.replace(run="other")
    people = [make_user(f"learner{i}") for i in range(7)]
    # Chunks of two active learners: people[2] shares the first with people[1]'s grade in its id range.
    graded = {people[0], people[3], people[5]}
    for person in people:
        # people[1] left the course; people[4] never enrolled, though graded in it.
        if person is not people[4]:
            enroll(person, course_key, is_active=person is not people[1])
        enroll(person, other_course)
    for person in [*graded, people[1], people[4]]:
        CourseGrade.objects.create(
            user=person, course_key=course_key, percent=0.25, passed=False, breakdown={"Lab": 0.5}
        )
    for person in people:
        CourseGrade.objects.create(user=person, course_key=other_course, percent=1, passed=True, breakdown={"Lab": 1})

    rows = list(BuiltinProblemStateService().iter_course_grade_rows(course_key, ["Lab"]))

    active = [person for person in people if person not in (people[1], people[4])]
    assert rows == [
        (p.pk, p.email, p.username, *((0.25, "", False, 0.5) if p in graded else (None,) * 4)) for p in active
    ]


def test_grade_rows_without_assignment_types_end_at_passed(course_key, grade_rows_read):
    graded, ungraded = make_user("graded"), make_user("ungraded")
    enroll(graded, course_key)
    enroll(ungraded, course_key)
    CourseGrade.objects.create(user=graded, course_key=course_key, percent=0.5, letter_grade="C", passed=True)

    rows = list(BuiltinProblemStateService().iter_course_grade_rows(course_key, []))

    assert rows == [
        (graded.pk, graded.email, "graded", 0.5, "C", True),
        (ungraded.pk, ungraded.email, "ungraded", None, None, None),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's server-side cursors")
def test_postgresql_reads_the_grade_rows_in_one_query(course_key, monkeypatch):
    monkeypatch.setattr(problem_state, "_GRADE_ROWS_CHUNK", 2)
    for number in range(5):
        person = make_user(f"learner{number}")
        enroll(person, course_key)
        if number % 2:
            CourseGrade.objects.create(user=person, course_key=course_key, percent=0.5, breakdown={"Lab": 0.5})

    with CaptureQueriesContext(connection) as captured:
        rows = list(BuiltinProblemStateService().iter_course_grade_rows(course_key, ["Lab"]))

    assert [row[3] for row in rows] == [None, 0.5, None, 0.5, None]
    assert len(captured) == 1


def test_attempt_rows_carry_the_active_track_by_username(course_key):
    exam = SpecialExam.objects.create(course_key=course_key, content_id=course_key.make_usage_key("sequential", "x"))
    zed, amy, gone = make_user("Zed"), make_user("amy"), make_user("gone")
    enroll(zed, course_key, mode="verified")
    enroll(amy, course_key)
    enroll(gone, course_key, is_active=False)
    for user in (zed, amy, gone):
        ExamAttempt.objects.create(exam=exam, user=user, status="submitted", started_at=WITH_MICROSECONDS)

    rows = list(BuiltinSpecialExamService().iter_attempt_rows(course_key, exam.pk))

    started = WITH_MICROSECONDS.isoformat()
    assert rows == [
        ("amy", "amy@example.com", "audit", "submitted", started, None, None),
        ("gone", "gone@example.com", None, "submitted", started, None, None),
        ("Zed", "Zed@example.com", "verified", "submitted", started, None, None),
    ]


def written(body: CsvBody) -> str:
    content = io.BytesIO()
    write_csv(content, body)
    return content.getvalue().decode()


def test_text_columns_are_looked_at_for_formulas_and_a_formula_neutralises_its_row():
    rows = [(1, "plain", "2024-01-01T00:00:00+00:00", None), (-2, "=SUM(A1)", "-x", True)]

    assert written(CsvBody(["n", "text", "when", "flag"], rows, text_columns=[1])) == (
        "n,text,when,flag\r\n1,plain,2024-01-01T00:00:00+00:00,\r\n-2,'=SUM(A1),'-x,True\r\n"
    )
    assert written(CsvBody(["n", "text"], [(-2, "-x")], text_columns=[])) == "n,text\r\n-2,-x\r\n"


def test_survey_rows_are_tuples_a_collection_stops_watching(course_key):
    learner = make_user("learner")
    for form, field, value in (("intro", "goal", "a job"), ("intro", "level", "new"), ("exit", "goal", "a raise")):
        SurveyAnswer.objects.create(
            user=learner, course_key=course_key, form_name=form, field_name=field, field_value=value
        )

    rows = list(BuiltinUserService().iter_survey_rows(course_key, ["goal", "level"]))
    gc.collect()

    assert rows == [(learner.pk, "learner", "learner@example.com", "a raise", "new")]
    assert not gc.is_tracked(rows[0])


def test_anonymous_ids_are_the_secret_keyed_digests_of_the_id_and_of_the_course_and_id(course_key, settings):
    ids = BuiltinUserService().anonymous_ids(course_key, [7, 8])

    def digest(message: str) -> str:
        return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]

    assert [(i.user_id, i.anonymous_user_id, i.course_anonymous_user_id) for i in ids.values()] == [
        (7, digest("7"), digest(f"{course_key}|7")),
        (8, digest("8"), digest(f"{course_key}|8")),
    ]


def test_anonymous_ids_take_a_secret_key_longer_than_a_hash_block_as_hmac_does(course_key, settings):
    settings.SECRET_KEY = "k" * 65 + "ey"

    (ids,) = BuiltinUserService().anonymous_ids(course_key, [7]).values()

    expected = hmac.new(settings.SECRET_KEY.encode(), b"7", hashlib.sha256).hexdigest()[:32]
    assert ids.anonymous_user_id == expected


def test_a_formula_in_any_text_column_neutralises_its_row_and_only_its_row():
    rows = [
        (1, None, "plain", 0.5),
        (2, "x\x00=not a start", "plain", 0.5),
        (3, "plain", "@cmd", -1),
        (4, "plain", "plain", -1),
    ]

    assert written(CsvBody(["n", "a", "b", "x"], rows, text_columns=[1, 2])) == (
        "n,a,b,x\r\n1,,plain,0.5\r\n2,x\x00=not a start,plain,0.5\r\n3,plain,'@cmd,-1\r\n4,plain,plain,-1\r\n"
    )
    assert written(CsvBody(["a"], [("=1",), ("2",)], text_columns=[0])) == "a\r\n'=1\r\n2\r\n"


@pytest.fixture
def submissions_in_blocks(course_key):
    """Three blocks' submissions, created out of order: 2, 3 (two at the same time) and 1 submissions."""
    learners = [make_user(f"learner{n}") for n in range(6)]
    early = datetime(2024, 3, 1, tzinfo=UTC)
    made = [
        ("ora_b", learners[0], early.replace(minute=5)),
        ("ora_a", learners[1], early),
        ("ora_b", learners[2], early.replace(minute=5)),
        ("ora_b", learners[3], early.replace(minute=1)),
        ("ora_c", learners[4], WITH_MICROSECONDS),
        ("ora_a", learners[5], early.replace(microsecond=1)),
    ]
    for block_id, learner, submitted_at in made:
        OpenResponseSubmission.objects.create(
            user=learner,
            course_key=course_key,
            usage_key=course_key.make_usage_key("openassessment", block_id),
            submission_uuid=uuid.uuid4(),
            status="peer",
            submitted_at=submitted_at,
        )
    return learners


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5000])
def test_submission_rows_by_block_then_time_and_id_across_chunks(
    course_key, submissions_in_blocks, monkeypatch, chunk_size
):
    monkeypatch.setattr(open_responses, "SUBMISSION_ROWS_CHUNK", chunk_size)

    rows = list(open_responses.BuiltinOpenResponseService().iter_submission_rows(course_key))

    learners = submissions_in_blocks
    assert [row[2] for row in rows] == [learners[n].username for n in (1, 5, 3, 0, 2, 4)]
    assert [row[0] for row in rows] == [
        submission.submission_uuid
        for submission in open_responses.BuiltinOpenResponseService().iter_submissions(course_key)
    ]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plans")
def test_submission_rows_read_the_index_in_order(course_key, submissions_in_blocks, monkeypatch):
    monkeypatch.setattr(open_responses, "SUBMISSION_ROWS_CHUNK", 2)

    with CaptureQueriesContext(connection) as captured:
        list(open_responses.BuiltinOpenResponseService().iter_submission_rows(course_key))

    # Block a's two rows, its (empty) rest; block b's first two, its rest; the blocks after b.
    assert len(captured) == 5
    with connection.cursor() as cursor:
        for query in captured:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "TEMP B-TREE" not in plan and "ipb_ora_submission_time" in plan, plan


@pytest.mark.skipif(connection.vendor != "mysql", reason="reads MySQL's query plans")
def test_submission_rows_need_no_sort_on_mysql(course_key, submissions_in_blocks, monkeypatch):
    monkeypatch.setattr(open_responses, "SUBMISSION_ROWS_CHUNK", 2)

    with CaptureQueriesContext(connection) as captured:
        list(open_responses.BuiltinOpenResponseService().iter_submission_rows(course_key))

    with connection.cursor() as cursor:
        for query in captured:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plan = cursor.fetchall()
            assert not any("filesort" in str(row[-1]) for row in plan), (query["sql"], plan)


@pytest.fixture
def inactive_learners(course_key) -> list:
    """
    Two enrolled learners whose accounts are not activated; an inactive non-learner, an inactive learner of
    another course, an inactive account unenrolled from this one; an active learner.
    """
    sleepers = [make_user(f"sleeper{number}", is_active=False) for number in range(2)]
    for user in sleepers:
        enroll(user, course_key)
    make_user("stranger", is_active=False)
    enroll(make_user("elsewhere", is_active=False), CourseKey.from_string("course-v1:Other+X+1"))
    enroll(make_user("left", is_active=False), course_key, is_active=False)
    enroll(make_user("awake"), course_key)
    return sleepers


def test_inactive_enrolled_emails_by_user_id(course_key, inactive_learners):
    emails = list(BuiltinEnrollmentService().iter_inactive_enrolled_emails(course_key))

    assert emails == [user.email for user in inactive_learners]


def _inactive_enrolled_emails_plan(course_key, explain: str) -> list[tuple]:
    """The database's plan (``explain`` put before the SQL) of the inactive enrolled emails' first query."""
    with CaptureQueriesContext(connection) as captured:
        list(BuiltinEnrollmentService().iter_inactive_enrolled_emails(course_key))
    with connection.cursor() as cursor:
        cursor.execute(f"{explain} {captured[0]['sql']}")
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plans")
def test_inactive_enrolled_emails_look_each_enrollment_up_by_user_on_sqlite(course_key, inactive_learners):
    plan = [row[-1] for row in _inactive_enrolled_emails_plan(course_key, "EXPLAIN QUERY PLAN")]

    # The enrollment's user index (user_id alone), not the (course, user) index with the course's key at each level.
    assert plan[-1].startswith("SEARCH U0 USING INDEX instructor_plugin_builtin_courseenrollment_user_id_"), plan
    assert plan[-1].endswith("(user_id=?)"), plan


@pytest.mark.skipif(connection.vendor != "mysql", reason="reads MySQL's query plans")
def test_inactive_enrolled_emails_look_each_inactive_user_up_on_mysql(course_key, inactive_learners):
    plan = _inactive_enrolled_emails_plan(course_key, "EXPLAIN")

    # The users in primary-key order, each looked up in the enrollment index; no semi-join over the course.
    assert [(row[2], row[3]) for row in plan] == [("auth_user", "index"), ("U0", "eq_ref")], plan
    assert not any("filesort" in str(row[-1]) for row in plan), plan
