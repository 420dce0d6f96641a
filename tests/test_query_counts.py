"""
The list endpoints cost a fixed number of queries whatever the course size; batch writes a fixed number per row.

Every measurement is taken after one warm-up request, so that waffle flags and other
per-process caches are filled on both sides of a comparison.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from instructor_plugin.access import allow_access, get_course_access, revoke_access
from instructor_plugin.api import start_enrollment_batch_task
from instructor_plugin.backends.builtin.certificates import BuiltinCertificateService
from instructor_plugin.backends.builtin.courses import BuiltinCourseService
from instructor_plugin.backends.builtin.models import (
    CertificateAllowlistEntry,
    CertificateInvalidation,
    Cohort,
    CohortMembership,
    CohortPreassignment,
    CohortSettings,
    Course,
    CourseAccessRole,
    CourseEnrollment,
    CourseGrade,
    DueDateOverride,
    ForumRole,
    GeneratedCertificate,
    ManualEnrollmentAudit,
    ProblemState,
    UserProfile,
)
from instructor_plugin.grading import RESCORE_TASK, rescore_learners
from instructor_plugin.instructor_tasks import TaskRun, create_task_record, execute_task
from instructor_plugin.models import (
    AuditRecord,
    CourseEmail,
    CourseEmailSchedule,
    InstructorTask,
    InstructorTaskResult,
    Report,
)
from tests.conftest import grant, grant_forum, v2
from tests.due_date_fixtures import HW2_DUE, add_dated_blocks
from tests.grading_fixtures import build_graded_course, correct_map
from tests.ora_fixtures import add_ora_blocks, add_submissions
from tests.special_exam_fixtures import add_exams, bulk_allowances, bulk_attempts

User = get_user_model()

SMALL, LARGE = 10, 1_000

#: Queries one ``enrollments/modify`` request costs per identifier, at most. A chunk of up to 500 identifiers
#: is read in three queries and written in sets (enrollments, allowed entries, cohort placements, audit rows),
#: so a chunk costs about 20 queries however many identifiers it holds; was 9 per identifier, 14 before that.
QUERIES_PER_IDENTIFIER = 3
#: Queries of the request itself: the course, the caller's roles (course, org and forum in one query),
#: and the savepoint pair of the request-wide transaction.
QUERIES_PER_REQUEST = 4


def make_users(prefix: str, count: int) -> list:
    """``count`` users with profiles, named ``<prefix>00000``... in username order."""
    User.objects.bulk_create(
        [User(username=f"{prefix}{i:05d}", email=f"{prefix}{i:05d}@example.com", password="!") for i in range(count)]
    )
    people = list(User.objects.filter(username__startswith=prefix).order_by("username"))
    UserProfile.objects.bulk_create(
        [UserProfile(user=user, name=f"{prefix.title()} {i}") for i, user in enumerate(people)]
    )
    return people


def make_learners(course_key, prefix: str, count: int) -> list:
    """``count`` enrolled learners, in audit and verified modes; every third one a beta tester."""
    people = make_users(prefix, count)
    CourseEnrollment.objects.bulk_create(
        [
            CourseEnrollment(user=user, course_key=course_key, mode="verified" if i % 2 else "audit")
            for i, user in enumerate(people)
        ]
    )
    CourseAccessRole.objects.bulk_create(
        [CourseAccessRole(user=user, org=course_key.org, course_key=course_key, role="beta") for user in people[::3]]
    )
    return people


def make_team(course_key, prefix: str, count: int) -> list:
    """``count`` team members with a mix of course roles, forum roles, and both."""
    people = make_users(prefix, count)
    course_roles = ("staff", "limited_staff", "beta", "data_researcher")
    forum_roles = ("Moderator", "Community TA", "Group Moderator")
    CourseAccessRole.objects.bulk_create(
        [
            CourseAccessRole(user=user, org=course_key.org, course_key=course_key, role=course_roles[i % 4])
            for i, user in enumerate(people)
            if i % 3 != 1
        ]
    )
    ForumRole.objects.bulk_create(
        [
            ForumRole(user=user, course_key=course_key, role=forum_roles[i % 3])
            for i, user in enumerate(people)
            if i % 3 != 0
        ]
    )
    return people


def queries(client, method: str, url: str, data=None) -> tuple[int, dict]:
    """Run one request and return its query count and JSON body; the request must succeed."""
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data, format="json" if method != "get" else None)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()


@pytest.fixture
def staff_client(api_v2_on, users, client):
    client.force_authenticate(users["instructor"])
    return client


ENROLLMENT_QUERIES = [
    pytest.param({}, id="default"),
    pytest.param({"page_size": 25}, id="page_size"),
    pytest.param({"page_size": 5, "page": 2}, id="page_2"),
    pytest.param({"search": "bulk", "page_size": 25}, id="search"),
    pytest.param({"search": "example.com"}, id="search_email"),
    pytest.param({"is_beta_tester": "true", "page_size": 25}, id="beta"),
    pytest.param({"is_beta_tester": "false", "search": "bulk"}, id="not_beta_search"),
]


@pytest.mark.parametrize("params", ENROLLMENT_QUERIES)
def test_enrollment_list_queries_do_not_grow_with_the_course(staff_client, course_key, params):
    make_learners(course_key, "bulk", SMALL)
    url = v2(suffix="/enrollments")
    queries(staff_client, "get", url, params)
    small, small_body = queries(staff_client, "get", url, params)

    make_learners(course_key, "bulkx", LARGE - SMALL)
    large, large_body = queries(staff_client, "get", url, params)

    # A filtered page that is not full (the small course's search) is its own count: one query less.
    filtered = "search" in params or "is_beta_tester" in params
    filtered_page_was_short = filtered and len(small_body["results"]) < params.get("page_size", 10)
    assert large == small + filtered_page_was_short
    assert large_body["count"] > small_body["count"]
    assert len(large_body["results"]) == params.get("page_size", 10)


def test_enrollment_list_filters_really_ran_on_the_large_course(staff_client, course_key):
    make_learners(course_key, "bulk", LARGE)

    _, beta = queries(staff_client, "get", v2(suffix="/enrollments"), {"is_beta_tester": "true", "page_size": 100})
    _, found = queries(staff_client, "get", v2(suffix="/enrollments"), {"search": "bulk00999"})

    # Every third bulk learner, plus the ``beta_tester`` of the fixture.
    assert beta["count"] == len(range(0, LARGE, 3)) + 1
    assert all(row["is_beta_tester"] for row in beta["results"])
    assert [row["username"] for row in found["results"]] == ["bulk00999"]


def test_the_enrollments_page_is_read_in_index_order(staff_client, course_key):
    """
    The page's ids come from the ``(course_key, is_active, username)`` index in order: ``is_active`` is compared
    to true (SQLite matches no index on the bare column, and sorted the whole course in a temporary B-tree).
    """
    make_learners(course_key, "bulk", SMALL)
    url = v2(suffix="/enrollments")
    queries(staff_client, "get", url, {"page_size": 5})

    with CaptureQueriesContext(connection) as captured:
        assert staff_client.get(url, {"page_size": 5}).status_code == 200

    table = CourseEnrollment._meta.db_table
    page = next(q["sql"] for q in captured if q["sql"].replace("`", '"').startswith(f'SELECT "{table}"."id" AS "pk"'))
    assert f'"{table}"."is_active" = ' in page.replace("`", '"'), page
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {page}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "TEMP B-TREE" not in plan and "ipb_enrollment_username" in plan, plan


def _counts(captured) -> list[str]:
    return [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()]


@pytest.mark.parametrize(
    ("params", "count", "counted"),
    [
        pytest.param({"search": "bulk0001", "page_size": 25}, 10, False, id="search_on_one_page"),
        pytest.param({"search": "bulk0001", "page_size": 4}, 10, True, id="search_full_page"),
        pytest.param({"search": "bulk0001", "page_size": 4, "page": 3}, 10, False, id="search_last_page"),
        pytest.param({"search": "nobody-at-all"}, 0, False, id="search_finds_nothing"),
        pytest.param({"is_beta_tester": "true", "page_size": 25}, 7 + 1, False, id="beta_on_one_page"),
        pytest.param({"is_beta_tester": "true", "page_size": 8}, 7 + 1, True, id="beta_full_page"),
    ],
)
def test_a_filtered_page_that_is_not_full_is_not_counted_apart(staff_client, course_key, params, count, counted):
    """The last page of a search or of the beta testers holds the end of what was found: its total is known."""
    make_learners(course_key, "bulk", 20)  # bulk00010 ... bulk00019 match; every third learner (7) is a beta tester
    url = v2(suffix="/enrollments")
    queries(staff_client, "get", url, params)

    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(url, params)

    assert response.status_code == 200, response.content
    assert response.json()["count"] == count
    assert bool(_counts(captured)) is counted, _counts(captured)


def test_team_list_queries_do_not_grow_with_the_team(staff_client, course_key):
    make_team(course_key, "member", SMALL - 5)  # the fixture's team has 5 members
    url = v2(suffix="/team")
    queries(staff_client, "get", url, {"page_size": 25})
    small, small_body = queries(staff_client, "get", url, {"page_size": 25})

    make_team(course_key, "memberx", LARGE - SMALL)
    large, large_body = queries(staff_client, "get", url, {"page_size": 25})

    assert small_body["count"] == SMALL
    assert large_body["count"] == LARGE
    assert large == small
    assert len(large_body["results"]) == 25


@pytest.mark.parametrize("params", [{"role": "Moderator"}, {"role": "staff"}, {"email_or_username": "member0"}])
def test_filtered_team_list_queries_do_not_grow_with_the_team(staff_client, course_key, params):
    make_team(course_key, "member", SMALL)
    url = v2(suffix="/team")
    queries(staff_client, "get", url, params)
    small, _ = queries(staff_client, "get", url, params)

    make_team(course_key, "memberx", LARGE - SMALL)
    large, _ = queries(staff_client, "get", url, params)

    assert large == small


def test_course_metadata_queries_do_not_grow_with_the_course(staff_client, course_key):
    make_learners(course_key, "bulk", SMALL)
    queries(staff_client, "get", v2())
    small, small_body = queries(staff_client, "get", v2())

    make_learners(course_key, "bulkx", LARGE - SMALL)
    large, large_body = queries(staff_client, "get", v2())

    assert large == small
    assert small_body["total_enrollment"] == SMALL + 2
    assert large_body["total_enrollment"] == LARGE + 2


def _identifiers(existing: list, count: int, tag: str) -> list[str]:
    """Alternately an existing user not yet enrolled (by username, or by email in capitals) and an unknown email."""
    identifiers = []
    for i in range(count):
        if i % 2:
            identifiers.append(f"new-{tag}-{i}@example.com")
        else:
            user = existing[i // 2]
            identifiers.append(user.username if i % 4 == 0 else user.email.upper())
    return identifiers


def _warm_up(client) -> None:
    """One request naming nobody: fills the waffle cache, changes nothing."""
    queries(client, "post", v2(suffix="/enrollments/modify"), {"identifier": ["nobody"], "action": "enroll"})


@pytest.mark.parametrize("action", ["enroll", "unenroll"])
def test_enrollment_modify_costs_a_fixed_number_of_queries_per_identifier(staff_client, action):
    people = make_users("target", 30)
    few_ids = _identifiers(people[:3], 5, "few")
    many_ids = _identifiers(people[3:], 50, "many")
    url = v2(suffix="/enrollments/modify")
    _warm_up(staff_client)

    cost_few, body_few = queries(staff_client, "post", url, {"identifier": few_ids, "action": action})
    cost_many, body_many = queries(staff_client, "post", url, {"identifier": many_ids, "action": action})

    assert [row["identifier"] for row in body_many["results"]] == many_ids
    assert all(row.get("invalid_identifier") is None for row in body_few["results"] + body_many["results"])
    assert cost_many - cost_few <= 45 * QUERIES_PER_IDENTIFIER, (cost_few, cost_many)
    assert cost_few <= QUERIES_PER_REQUEST + 5 * QUERIES_PER_IDENTIFIER, cost_few


def test_enrollment_modify_bound_holds_for_already_enrolled_learners(staff_client, course_key):
    people = make_learners(course_key, "bulk", 60)
    url = v2(suffix="/enrollments/modify")
    _warm_up(staff_client)

    cost_few, _ = queries(
        staff_client, "post", url, {"identifier": [u.username for u in people[:5]], "action": "enroll"}
    )
    cost_many, _ = queries(
        staff_client, "post", url, {"identifier": [u.username for u in people[5:55]], "action": "enroll"}
    )

    assert cost_many - cost_few <= 45 * QUERIES_PER_IDENTIFIER, (cost_few, cost_many)
    assert cost_few <= QUERIES_PER_REQUEST + 5 * QUERIES_PER_IDENTIFIER, cost_few


def test_batch_enrollment_task_costs_the_same_per_identifier(users, course_key):
    people = make_users("task", 30)

    def cost(identifiers: list[str]) -> int:
        task = start_enrollment_batch_task(
            users["instructor"], course_key, "enroll", identifiers, False, False, "", secure=True
        )
        with CaptureQueriesContext(connection) as captured:
            execute_task(str(task.task_id))
        task.refresh_from_db()
        assert task.output["successful_operations"] == len(identifiers), task.output
        return len(captured.captured_queries)

    cost_few = cost(_identifiers(people[:3], 5, "few"))
    cost_many = cost(_identifiers(people[3:], 50, "many"))

    assert cost_many - cost_few <= 45 * QUERIES_PER_IDENTIFIER, (cost_few, cost_many)


@pytest.mark.parametrize("action", ["enroll", "unenroll"])
def test_batch_enrollment_task_costs_the_same_for_10_and_100_identifiers(users, course_key, action):
    """In a cohorted course, with preassignments: a chunk's queries do not grow with its identifiers."""
    Cohort.objects.create(course_key=course_key, name="Random", assignment_type="random")
    preassigned = Cohort.objects.create(course_key=course_key, name="Chosen", assignment_type="manual")
    CohortSettings.objects.create(course_key=course_key, is_cohorted=True)
    people = make_users("chunk", 60)
    CohortPreassignment.objects.create(course_key=course_key, cohort=preassigned, email=people[0].email.upper())
    CohortPreassignment.objects.create(course_key=course_key, cohort=preassigned, email=people[10].email)

    def cost(identifiers: list[str]) -> int:
        if action == "unenroll":
            start_enrollment_batch_task(users["instructor"], course_key, "enroll", identifiers, False, False, "", True)
            execute_task(str(InstructorTask.objects.latest("created").task_id))
        task = start_enrollment_batch_task(users["instructor"], course_key, action, identifiers, False, True, "", True)
        with CaptureQueriesContext(connection) as captured:
            execute_task(str(task.task_id))
        task.refresh_from_db()
        assert task.output["successful_operations"] == len(identifiers), task.output
        return len(captured.captured_queries)

    cost_few = cost(_identifiers(people[:5], 10, "few"))
    cost_many = cost(_identifiers(people[5:], 100, "many"))

    assert cost_many == cost_few
    assert cost_many <= 100 * QUERIES_PER_IDENTIFIER / 5
    memberships = dict(CohortMembership.objects.values_list("user__username", "cohort__name"))
    if action == "enroll":
        assert (memberships[people[0].username], memberships[people[10].username]) == ("Chosen", "Chosen")
        assert {memberships[person.username] for person in people[1:10] + people[11:55]} == {"Random"}
        assert not CohortPreassignment.objects.exists()
    assert ManualEnrollmentAudit.objects.count() == (110 if action == "enroll" else 220)


def _rescoring_cost(course_key, usage_key, learners: list) -> int:
    """The queries of rescoring ``learners`` (one chunk) within a rescoring task."""
    record = create_task_record(
        RESCORE_TASK, course_key, None, {"usage_key": str(usage_key)}, scope=f"{usage_key}:{learners[0].pk}"
    )
    with CaptureQueriesContext(connection) as captured:
        rescore_learners(TaskRun(record), usage_key, [person.pk for person in learners], False, total=len(learners))
    return len(captured.captured_queries)


def test_rescoring_a_chunk_costs_the_same_for_10_and_400_learners(course, course_key):
    """A chunk's states, scores, grades, result rows and audit records are read and written in sets."""
    problem = build_graded_course(course).q1
    people = make_users("rescored", 410)
    answered = {"attempts": 1, "correct_map": correct_map(1, 2)}
    ProblemState.objects.bulk_create(
        ProblemState(
            user=person, course_key=course_key, usage_key=problem.usage_key, score=0, max_score=2, state=answered
        )
        for person in people
    )

    cost_few = _rescoring_cost(course_key, problem.usage_key, people[:10])
    cost_many = _rescoring_cost(course_key, problem.usage_key, people[10:])

    assert cost_many == cost_few
    assert InstructorTaskResult.objects.filter(succeeded=True).count() == 410
    audits = AuditRecord.objects.filter(action="rescore", usage_key=problem.usage_key, learner=people[-1])
    assert [audit.detail for audit in audits] == [{"previous_score": 0.0, "new_score": 1.0, "max_score": 2.0}]
    grades = CourseGrade.objects.filter(course_key=course_key, user__in=people)
    assert grades.count() == 410
    assert {tuple(sorted(grade.breakdown.items())) for grade in grades} == {(("Homework", 0.125), ("Lab", 0.0))}


def make_reports(course_key, count: int) -> None:
    """``count`` report rows of the course (the listing reads the table only, never the storage)."""
    Report.objects.bulk_create(
        Report(course_key=course_key, report_type="grade", name=f"r{i}.csv", storage_path=f"{course_key}/{i}.csv")
        for i in range(Report.objects.count(), Report.objects.count() + count)
    )


def test_report_list_queries_do_not_grow_with_the_reports(staff_client, course_key):
    make_reports(course_key, SMALL)
    url = v2(suffix="/reports")
    queries(staff_client, "get", url)
    small, small_body = queries(staff_client, "get", url)

    make_reports(course_key, LARGE - SMALL)
    large, large_body = queries(staff_client, "get", url)

    assert large == small
    assert (len(small_body["downloads"]), len(large_body["downloads"])) == (SMALL, LARGE)


def make_extensions(course_key, blocks, prefix: str, count: int) -> None:
    """``count`` enrolled learners, each with an extension on Homework 1 (and its dated problem)."""
    people = make_learners(course_key, prefix, count)
    DueDateOverride.objects.bulk_create(
        DueDateOverride(user=user, course_key=course_key, usage_key=block.usage_key, due=HW2_DUE)
        for user in people
        for block in (blocks.hw1, blocks.hw1_q1)
    )


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({}, id="default"),
        pytest.param({"page_size": 5, "page": 2}, id="page_2"),
        pytest.param({"email_or_username": "EXT"}, id="search"),
        pytest.param({"block_id": "block-v1:TestX+T101+2026+type@sequential+block@hw1"}, id="block"),
    ],
)
def test_unit_extensions_queries_do_not_grow_with_the_extensions(staff_client, course, course_key, params):
    blocks = add_dated_blocks(course)
    make_extensions(course_key, blocks, "ext", SMALL)
    url = v2(suffix="/unit_extensions")
    queries(staff_client, "get", url, params)
    small, small_body = queries(staff_client, "get", url, params)

    make_extensions(course_key, blocks, "extx", LARGE - SMALL)
    large, large_body = queries(staff_client, "get", url, params)

    assert large == small
    assert small_body["count"] == SMALL
    assert large_body["count"] == LARGE


_CERTIFICATE_STATUSES = ("downloadable", "notpassing", "unavailable", "audit_passing", "audit_notpassing", "error")


def make_certificates(course_key, prefix: str, count: int, invalidator) -> None:
    """``count`` learners with certificates in every status; every fourth allowlisted, every fifth invalidated,
    and ``count // 10`` more allowlisted learners without a certificate."""
    people = make_learners(course_key, prefix, count + count // 10)
    holders, extra = people[:count], people[count:]
    GeneratedCertificate.objects.bulk_create(
        GeneratedCertificate(
            user=user, course_key=course_key, status=_CERTIFICATE_STATUSES[i % 6], mode="verified" if i % 2 else "audit"
        )
        for i, user in enumerate(holders)
    )
    CertificateAllowlistEntry.objects.bulk_create(
        CertificateAllowlistEntry(user=user, course_key=course_key, notes=f"note {i}")
        for i, user in enumerate(holders[::4] + extra)
    )
    certificates = GeneratedCertificate.objects.filter(course_key=course_key, user__in=holders[::5])
    CertificateInvalidation.objects.bulk_create(
        CertificateInvalidation(certificate=certificate, invalidated_by=invalidator, notes="copied")
        for certificate in certificates
    )


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"filter": name, "search": "", "page_size": 25}, id=name)
        for name in (
            "all",
            "received",
            "not_received",
            "audit_passing",
            "audit_not_passing",
            "error",
            "granted_exceptions",
            "invalidated",
        )
    ]
    + [pytest.param({"filter": "all", "search": "0000"}, id="search")],
)
def test_issued_certificates_queries_do_not_grow_with_the_course(staff_client, users, course_key, params):
    make_certificates(course_key, "cert", SMALL, users["instructor"])
    url = v2(suffix="/certificates/issued")
    queries(staff_client, "get", url, params)
    small, small_body = queries(staff_client, "get", url, params)

    make_certificates(course_key, "certx", LARGE - SMALL, users["instructor"])
    large, large_body = queries(staff_client, "get", url, params)

    # The status filters' totals are kept counts; the others' page that is not full is its own count.
    counted = params["filter"] in ("granted_exceptions", "invalidated") or params["search"]
    page_was_short = bool(counted) and len(small_body["results"]) < params.get("page_size", 10)
    assert large == small + page_was_short
    # The course and the caller's roles, then a page an index reads in order (every certificate, or one
    # status) is one query with its total; the others read the page's keys, then its rows.
    index_ordered = params["filter"] in ("all", "received", "audit_passing", "audit_not_passing", "error")
    if index_ordered and not params["search"]:
        assert small == 2 + 1
    assert large_body["count"] > small_body["count"] > 0
    assert len(large_body["results"]) == min(large_body["count"], params.get("page_size", 10))


def _exceptions_upload(client, identifiers: list[str]) -> tuple[int, dict]:
    """Upload a CSV of ``identifiers``; the request's query count and its results."""
    content = "username,notes\n" + "".join(f"{identifier},Granted\n" for identifier in identifiers)
    upload = SimpleUploadedFile("exceptions.csv", content.encode())
    with CaptureQueriesContext(connection) as captured:
        response = client.post(v2(suffix="/certificates/exceptions/bulk"), {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()


def _mixed_rows(people: list) -> list[str]:
    """Usernames and emails in upper case, alternately, then a stranger and an allowlisted learner."""
    named = [user.email.upper() if i % 2 else user.username for i, user in enumerate(people)]
    return [*named, f"stranger-{len(people)}@example.com", "cert00000"]


def test_certificate_exceptions_upload_costs_the_same_for_10_and_1000_rows(api_v2_on, users, client, course_key):
    client.force_authenticate(users["global_staff"])
    make_certificates(course_key, "cert", SMALL, users["instructor"])  # cert00000 is allowlisted
    people = make_learners(course_key, "upload", LARGE + SMALL)
    _exceptions_upload(client, ["nobody"])

    small, small_body = _exceptions_upload(client, _mixed_rows(people[:SMALL]))
    large, large_body = _exceptions_upload(client, _mixed_rows(people[SMALL:]))

    assert large == small
    for body, count in ((small_body, SMALL), (large_body, LARGE)):
        assert len(body["success"]) == count
        assert [error["message"] for error in body["errors"]] == [
            "User matching query does not exist.",
            "User already has a certificate exception",
        ]
    assert CertificateAllowlistEntry.objects.filter(user__username__startswith="upload").count() == LARGE + SMALL


_ORA_STEPS = ("training", "peer", "self", "waiting", "staff", "done", "cancelled")


def _statuses(count: int) -> list[str]:
    return [_ORA_STEPS[i % len(_ORA_STEPS)] for i in range(count)]


@pytest.mark.parametrize(
    ("suffix", "params"),
    [
        pytest.param("/ora", {}, id="ora"),
        pytest.param("/ora", {"page_size": 1, "page": 2}, id="ora_page_2"),
        pytest.param("/ora_summary", {}, id="ora_summary"),
    ],
)
def test_ora_queries_do_not_grow_with_the_submissions(staff_client, course, suffix, params):
    blocks = add_ora_blocks(course)
    add_submissions(blocks.essay, "oras", _statuses(SMALL))
    url = v2(suffix=suffix)
    queries(staff_client, "get", url, params)
    small, small_body = queries(staff_client, "get", url, params)

    add_submissions(blocks.poem, "oral", _statuses(LARGE - SMALL))
    large, large_body = queries(staff_client, "get", url, params)

    assert large == small
    if suffix == "/ora_summary":
        assert (small_body["total_responses"], large_body["total_responses"]) == (9, 858)


EXAM_LIST_QUERIES = [
    pytest.param({}, id="default"),
    pytest.param({"page_size": 5, "page": 2}, id="page_2"),
    pytest.param({"search": "exam", "ordering": "-user.username"}, id="search"),
    pytest.param({"ordering": "proctored_exam.exam_name"}, id="exam_name"),
    pytest.param({"ordering": "-exam_type"}, id="exam_type"),
]


@pytest.mark.parametrize("what", ["attempts", "allowances"])
@pytest.mark.parametrize("params", EXAM_LIST_QUERIES)
def test_special_exam_lists_do_not_grow_with_the_course(staff_client, course_key, what, params):
    exams = add_exams(course_key)
    fill = bulk_attempts if what == "attempts" else bulk_allowances
    url = v2(suffix=f"/special_exams/{what}")
    people = make_users("exam", LARGE)
    fill(exams.timed, people[: SMALL // 2])
    fill(exams.proctored, people[SMALL // 2 : SMALL])
    queries(staff_client, "get", url, params)
    small, small_body = queries(staff_client, "get", url, params)

    fill(exams.timed, people[SMALL : LARGE // 2])
    fill(exams.proctored, people[LARGE // 2 :])
    large, large_body = queries(staff_client, "get", url, params)

    assert large == small
    assert (small_body["count"], large_body["count"]) == (SMALL, LARGE)
    assert len(large_body["results"]) == params.get("page_size", 10)


def make_scheduled_emails(course_key, sender, count: int) -> None:
    """``count`` scheduled emails of the course, each with its pending task and schedule."""
    due = timezone.now() + timedelta(days=1)
    emails = CourseEmail.objects.bulk_create(
        CourseEmail(
            course_key=course_key, sender=sender, subject=f"Email {i}", html_message="<p>Hi</p>", targets=["staff"]
        )
        for i in range(count)
    )
    tasks = InstructorTask.objects.bulk_create(
        InstructorTask(course_key=course_key, task_type="bulk_course_email", task_input={"email_id": email.pk})
        for email in emails
    )
    CourseEmailSchedule.objects.bulk_create(
        CourseEmailSchedule(email=email, task=task, due=due) for email, task in zip(emails, tasks, strict=True)
    )


@pytest.mark.parametrize("params", [{}, {"page_size": 100, "page": 1}])
def test_scheduled_email_list_queries_do_not_grow_with_the_schedules(staff_client, users, course_key, params):
    url = f"/api/instructor_task/v1/schedules/{course_key}/bulk_email/"
    make_scheduled_emails(course_key, users["instructor"], SMALL)
    queries(staff_client, "get", url, params)
    small, small_body = queries(staff_client, "get", url, params)

    make_scheduled_emails(course_key, users["instructor"], LARGE - SMALL)
    large, large_body = queries(staff_client, "get", url, params)

    assert large == small
    assert (small_body["count"], large_body["count"]) == (SMALL, LARGE)
    assert len(large_body["results"]) == params.get("page_size", 10)


# The fixed cost of a request --------------------------------------------------------------------------

_ROLE_TABLES = (CourseAccessRole._meta.db_table, ForumRole._meta.db_table)


def _role_queries(captured) -> list[str]:
    return [query["sql"] for query in captured if any(table in query["sql"] for table in _ROLE_TABLES)]


@pytest.mark.parametrize("suffix", ["/team/roles", "", "/enrollments"])
def test_a_request_reads_the_callers_roles_in_one_query(api_v2_on, users, client, course_key, suffix):
    """Session, user, course and one role query (course, org and forum roles together) before the view runs."""
    grant(users["instructor"], course_key, "staff", org_level=True)
    grant_forum(users["instructor"], course_key, "Moderator")
    client.force_login(users["instructor"])
    client.get(v2(suffix=suffix))

    with CaptureQueriesContext(connection) as captured:
        response = client.get(v2(suffix=suffix))

    assert response.status_code == 200, response.content
    caller = [sql for sql in _role_queries(captured) if f"{users['instructor'].pk}" in sql]
    assert len(caller) == 1, caller


def test_the_roles_request_before_the_view_is_four_queries(api_v2_on, users, client):
    client.force_login(users["instructor"])
    client.get(v2(suffix="/team/roles"))

    with CaptureQueriesContext(connection) as captured:
        response = client.get(v2(suffix="/team/roles"))

    assert response.status_code == 200
    tables = [query["sql"].split(" FROM ")[1].split()[0].strip('"`') for query in captured]
    assert tables == ["django_session", "auth_user", Course._meta.db_table, CourseAccessRole._meta.db_table]


def test_the_callers_roles_are_read_once_per_request_and_again_after_a_change(users, course_key):
    user = users["learner"]
    with CaptureQueriesContext(connection) as captured:
        first = get_course_access(user, course_key)
        again = get_course_access(user, course_key)
    assert len(captured) == 1
    assert first is again
    assert first.course_roles == frozenset() and first.org_roles == frozenset() and first.forum_roles == frozenset()

    grant(user, course_key, "data_researcher", org_level=True)
    allow_access(course_key, user.pk, "staff")
    allow_access(course_key, user.pk, "Moderator")
    changed = get_course_access(user, course_key)

    assert changed.course_roles == {"staff"}
    assert changed.org_roles == {"data_researcher"}
    assert changed.forum_roles == {"Moderator"}
    revoke_access(course_key, user.pk, "staff")
    assert get_course_access(user, course_key).course_roles == frozenset()


# --- Course metadata reads the course once and counts learners in one query (issue 16, part two) ---

#: Course metadata's own queries: the course (with its certificate switch), the caller's roles, counts by
#: mode, the modes, the learner count (kept total and enrolled team in one query), and three block reads.
COURSE_METADATA_QUERIES = 8


def test_course_metadata_costs_a_fixed_small_number_of_queries(staff_client, course_key):
    make_learners(course_key, "bulk", SMALL)
    queries(staff_client, "get", v2())

    cost, body = queries(staff_client, "get", v2())

    assert cost == COURSE_METADATA_QUERIES
    assert (body["total_enrollment"], body["learner_count"]) == (SMALL + 2, SMALL + 2)
    assert body["certificates_enabled"] is True


def test_the_certificate_switch_read_with_the_course_follows_a_change_in_the_same_request(course, course_key):
    certificates = BuiltinCertificateService()
    BuiltinCourseService().get_course(course_key)
    assert certificates.is_generation_enabled(course_key) is True

    certificates.set_generation_enabled(course_key, False)

    assert certificates.is_generation_enabled(course_key) is False


#: The team list's own queries: every role holder with their roles (one ``UNION ALL``), then one page of
#: accounts; a search adds its count. Besides them, the request's course and the caller's roles.
TEAM_LIST_QUERIES = 2


def test_team_list_reads_the_roles_once(staff_client, course_key):
    make_team(course_key, "member", SMALL)
    url = v2(suffix="/team")
    queries(staff_client, "get", url, {"page_size": 25})

    plain, body = queries(staff_client, "get", url, {"page_size": 25})
    searched, _ = queries(staff_client, "get", url, {"page_size": 25, "email_or_username": "member0"})

    assert plain == 2 + TEAM_LIST_QUERIES  # the course and the caller's roles, then the list
    assert searched == plain + 1
    assert body["count"] == SMALL + 5
