"""The built-in certificate service and the certificates domain module: statuses, filters, cases, CSV parsing."""

from __future__ import annotations

import pytest

from instructor_plugin.backends.builtin.certificates import BuiltinCertificateService, decide_status
from instructor_plugin.backends.builtin.models import (
    CertificateAllowlistEntry,
    CertificateInvalidation,
    CourseGrade,
    GeneratedCertificate,
)
from instructor_plugin.backends.builtin.seed import seed_demo_course
from instructor_plugin.backends.data import CertificateFilter, PageRequest
from instructor_plugin.certificates import ExceptionRow, MalformedCsv, add_exceptions, parse_exceptions_csv
from tests.conftest import enroll, make_user

service = BuiltinCertificateService()
ALL = PageRequest(offset=0, limit=100)


@pytest.mark.parametrize(
    ("mode", "passed", "allowlisted", "status"),
    [
        ("verified", True, False, "downloadable"),
        ("verified", False, False, "notpassing"),
        ("verified", False, True, "downloadable"),
        ("professional", True, False, "downloadable"),
        ("audit", True, False, "audit_passing"),
        ("audit", False, False, "audit_notpassing"),
        ("audit", False, True, "audit_notpassing"),
        ("honor", True, False, "honor_passing"),
        ("honor", False, True, "notpassing"),
        ("honor", False, False, "notpassing"),
    ],
)
def test_status_from_grade_and_mode(mode, passed, allowlisted, status):
    assert decide_status(mode, passed, allowlisted) == status


@pytest.fixture
def cohort(course, course_key):
    """Learners in every case: statuses, an allowlisted learner without a certificate, an invalidation."""
    people = {}
    for name, mode, status in [
        ("alice", "verified", "downloadable"),
        ("bob", "verified", "notpassing"),
        ("carol", "honor", "unavailable"),
        ("dave", "audit", "audit_passing"),
        ("erin", "audit", "audit_notpassing"),
        ("frank", "verified", "error"),
    ]:
        people[name] = make_user(name)
        enroll(people[name], course_key, mode)
        GeneratedCertificate.objects.create(user=people[name], course_key=course_key, status=status, mode=mode)
    for name, mode in [("gina", "verified"), ("hank", "audit"), ("ivan", "honor")]:
        people[name] = make_user(name)
        enroll(people[name], course_key, mode)
        CertificateAllowlistEntry.objects.create(user=people[name], course_key=course_key, notes=f"for {name}")
    CertificateAllowlistEntry.objects.create(user=people["bob"], course_key=course_key, notes="bob too")
    staff = make_user("judge")
    CertificateInvalidation.objects.create(
        certificate=GeneratedCertificate.objects.get(user=people["carol"]), invalidated_by=staff, notes="copied"
    )
    return people


def usernames(course_key, status_filter, search=None):
    page = service.list_certificates(course_key, CertificateFilter(status_filter, search), ALL)
    assert page.total == len(page.items)
    return [item.user.username for item in page.items]


@pytest.mark.parametrize(
    ("status_filter", "expected"),
    [
        ("all", ["alice", "bob", "carol", "dave", "erin", "frank"]),
        ("received", ["alice"]),
        ("not_received", ["bob", "carol"]),
        ("audit_passing", ["dave"]),
        ("audit_not_passing", ["erin"]),
        ("error", ["frank"]),
        ("granted_exceptions", ["bob", "gina", "hank", "ivan"]),
        ("invalidated", ["carol"]),
    ],
)
def test_every_filter_selects_its_rows(cohort, course_key, status_filter, expected):
    assert usernames(course_key, status_filter) == expected


def test_granted_exceptions_derive_the_status_of_learners_without_a_certificate(cohort, course_key):
    rows = service.list_certificates(course_key, CertificateFilter("granted_exceptions"), ALL).items
    by_name = {row.user.username: row for row in rows}

    assert {name: row.status for name, row in by_name.items()} == {
        "bob": "notpassing",
        "gina": "downloadable",
        "hank": "audit_notpassing",
        "ivan": "notpassing",
    }
    assert by_name["gina"].exception_notes == "for gina"
    assert by_name["gina"].exception_granted is not None
    assert by_name["gina"].enrollment_track == "verified"
    assert by_name["gina"].mode is None


def test_rows_carry_the_enrollment_track_and_invalidation(cohort, course_key):
    (carol,) = service.list_certificates(course_key, CertificateFilter("invalidated"), ALL).items

    assert carol.enrollment_track == "honor"
    assert carol.invalidated_by == "judge@example.com"
    assert carol.invalidation_note == "copied"
    assert carol.invalidation_date is not None
    assert carol.exception_granted is None


def test_a_lifted_invalidation_is_no_longer_shown(cohort, course_key):
    CertificateInvalidation.objects.update(active=False)

    assert usernames(course_key, "invalidated") == []
    (carol,) = [
        row
        for row in service.list_certificates(course_key, CertificateFilter(), ALL).items
        if row.user.username == "carol"
    ]
    assert (carol.invalidated_by, carol.invalidation_date, carol.invalidation_note) == (None, None, "")


def test_search_is_a_username_or_email_substring(cohort, course_key):
    cohort["alice"].email = "zed@example.org"
    cohort["alice"].save()

    assert usernames(course_key, "all", "ar") == ["carol"]
    assert usernames(course_key, "all", "ZED@") == ["alice"]
    assert usernames(course_key, "granted_exceptions", "an") == ["hank", "ivan"]


def test_pages_are_sliced_and_counted(cohort, course_key):
    page = service.list_certificates(course_key, CertificateFilter(), PageRequest(offset=2, limit=2))

    assert page.total == 6
    assert [row.user.username for row in page.items] == ["carol", "dave"]


def test_a_page_past_the_end_is_empty_and_counted(cohort, course_key):
    page = service.list_certificates(course_key, CertificateFilter(), PageRequest(offset=10, limit=2))

    assert (page.total, page.items) == (6, [])


def test_the_one_query_page_reads_the_rows_the_keys_then_rows_page_does(cohort, course_key):
    """Every certificate and one status are read in one query; a search (here matching everyone) in two."""
    for status_filter in ("all", "not_received"):
        one_query = service.list_certificates(course_key, CertificateFilter(status_filter), ALL)
        searched = service.list_certificates(course_key, CertificateFilter(status_filter, "@example.com"), ALL)

        assert one_query == searched
    by_name = {row.user.username: row for row in one_query.items}
    assert (by_name["bob"].exception_notes, by_name["bob"].enrollment_track) == ("bob too", "verified")
    assert (by_name["carol"].invalidation_note, by_name["carol"].invalidated_by) == ("copied", "judge@example.com")


@pytest.mark.parametrize(
    ("status_filter", "offset", "queries"),
    [("all", 0, 1), ("error", 0, 1), ("all", 2, 2), ("not_received", 0, 2), ("invalidated", 0, 2)],
)
def test_page_1_of_a_filter_an_index_reads_in_order_is_one_query(
    cohort, course_key, django_assert_num_queries, status_filter, offset, queries
):
    """A deeper page reads its keys first: an OFFSET would join every row it skips."""
    with django_assert_num_queries(queries):
        page = service.list_certificates(course_key, CertificateFilter(status_filter), PageRequest(offset, limit=2))

    assert page.total == len(usernames(course_key, status_filter))


def test_the_latest_of_two_active_invalidations_is_shown(cohort, course_key):
    CertificateInvalidation.objects.create(
        certificate=GeneratedCertificate.objects.get(user=cohort["carol"]),
        invalidated_by=make_user("second_judge"),
        notes="again",
    )

    for status_filter, search in (("all", None), ("invalidated", None), ("all", "carol")):
        rows = service.list_certificates(course_key, CertificateFilter(status_filter, search), ALL).items
        (carol,) = [row for row in rows if row.user.username == "carol"]
        assert (carol.invalidation_note, carol.invalidated_by) == ("again", "second_judge@example.com")
    assert usernames(course_key, "all") == ["alice", "bob", "carol", "dave", "erin", "frank"]


def test_another_course_is_not_listed(cohort, course_key):
    other = course_key.replace(run="other")
    GeneratedCertificate.objects.create(user=cohort["alice"], course_key=other, status="downloadable", mode="verified")

    assert service.list_certificates(other, CertificateFilter("granted_exceptions"), ALL).total == 0
    assert usernames(other, "all") == ["alice"]


class TestGenerate:
    def test_status_per_learner_is_written(self, course, course_key):
        passing, failing, auditor, allowlisted, gone = (make_user(name) for name in ("p", "f", "a", "w", "g"))
        for user, mode in [(passing, "verified"), (failing, "verified"), (auditor, "audit"), (allowlisted, "verified")]:
            enroll(user, course_key, mode)
        enroll(gone, course_key, "verified", is_active=False)
        CourseGrade.objects.create(user=passing, course_key=course_key, percent=0.9, passed=True)
        CourseGrade.objects.create(user=auditor, course_key=course_key, percent=0.8, passed=True)
        CertificateAllowlistEntry.objects.create(user=allowlisted, course_key=course_key)
        GeneratedCertificate.objects.create(user=failing, course_key=course_key, status="error", mode="audit")
        ids = [passing.id, failing.id, auditor.id, allowlisted.id, gone.id]

        statuses = service.generate(course_key, ids, is_regeneration=False)

        assert statuses == {
            passing.id: "downloadable",
            failing.id: "notpassing",
            auditor.id: "audit_passing",
            allowlisted.id: "downloadable",
        }
        written = dict(GeneratedCertificate.objects.values_list("user_id", "status"))
        assert written == statuses
        assert GeneratedCertificate.objects.get(user=failing).mode == "verified"
        assert GeneratedCertificate.objects.get(user=passing).grade == "0.90"

    def test_an_invalidated_certificate_stays_unavailable(self, cohort, course_key):
        CourseGrade.objects.create(user=cohort["carol"], course_key=course_key, percent=1, passed=True)

        assert service.generate(course_key, [cohort["carol"].id], is_regeneration=True) == {
            cohort["carol"].id: "unavailable"
        }

    @pytest.mark.parametrize(
        ("statuses", "student_set", "expected"),
        [
            ((), "all", ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "ivan"]),
            (("notpassing", "error"), "all", ["bob", "frank"]),
            ((), "allowlisted", ["bob", "gina", "hank", "ivan"]),
            (("downloadable",), "allowlisted_not_generated", ["gina", "hank", "ivan"]),
        ],
    )
    def test_candidates(self, cohort, course_key, statuses, student_set, expected):
        ids = service.select_candidates(course_key, statuses, student_set)

        assert sorted(ids) == list(ids)
        assert sorted(ids) == sorted(cohort[name].id for name in expected)


class TestFindLearners:
    def test_by_username_or_email_case_insensitively(self, cohort, course_key):
        found = service.find_learners(course_key, ["alice", "BOB@example.com", "nobody", " gina "])

        assert [state.user.username for state in found["alice"]] == ["alice"]
        (bob,) = found["BOB@example.com"]
        assert (bob.enrolled, bob.allowlisted, bob.invalidated, bob.certificate_status) == (
            True,
            True,
            False,
            "notpassing",
        )
        assert found["nobody"] == []
        assert found["gina"][0].certificate_status is None

    def test_an_identifier_matching_two_users_finds_both(self, cohort, course_key):
        other = make_user("other")
        other.email = "ALICE"
        other.save()

        assert len(service.find_learners(course_key, ["alice"])["alice"]) == 2


class TestAddExceptions:
    def test_rows_are_checked_in_order(self, cohort, course_key, users):
        make_user("stranger")
        rows = [
            ExceptionRow(line=0, learner=name, notes="n") for name in ("alice", "stranger", "gina", "carol", "ghost")
        ]

        outcome = add_exceptions(course_key, rows, users["instructor"].id)

        assert outcome == {
            "success": ["alice"],
            "errors": [
                {"learner": "ghost", "message": "User matching query does not exist."},
                {"learner": "stranger", "message": "User is not enrolled in this course"},
                {"learner": "gina", "message": "User already has a certificate exception"},
                {"learner": "carol", "message": "User has an active certificate invalidation"},
            ],
        }
        entry = CertificateAllowlistEntry.objects.get(user=cohort["alice"])
        assert (entry.notes, entry.created_by) == ("n", users["instructor"])

    def test_last_row_of_a_learner_wins_and_one_user_named_twice_is_one_entry(self, cohort, course_key):
        rows = [
            ExceptionRow(line=1, learner="alice", notes="first"),
            ExceptionRow(line=2, learner="alice", notes="second"),
            ExceptionRow(line=3, learner="alice@example.com", notes="third"),
        ]

        outcome = add_exceptions(course_key, rows, None)

        assert outcome["success"] == ["alice"]
        assert outcome["errors"] == [
            {"learner": "alice@example.com", "message": "User already has a certificate exception", "line": 3}
        ]
        assert CertificateAllowlistEntry.objects.get(user=cohort["alice"]).notes == "second"


class TestParseCsv:
    def test_bom_header_notes_and_blank_lines(self):
        content = '\ufeffUsername,Notes\r\nalice,Medical leave\r\n\r\n  bob  \r\n,orphan note\r\ncarol,"a, b"\r\n'

        rows = parse_exceptions_csv(content.encode())

        assert rows == [
            ExceptionRow(line=2, learner="alice", notes="Medical leave"),
            ExceptionRow(line=4, learner="bob", notes=""),
            ExceptionRow(line=6, learner="carol", notes="a, b"),
        ]

    def test_without_a_header_the_first_row_is_a_learner(self):
        assert parse_exceptions_csv(b"alice\nbob,x\n") == [
            ExceptionRow(line=1, learner="alice"),
            ExceptionRow(line=2, learner="bob", notes="x"),
        ]

    @pytest.mark.parametrize("header", ["username,notes", "EMAIL,Notes", "username", "Username or email,notes"])
    def test_a_first_row_of_exactly_the_column_names_is_a_header(self, header):
        assert parse_exceptions_csv(f"{header}\nalice,x\n".encode()) == [
            ExceptionRow(line=2, learner="alice", notes="x")
        ]

    @pytest.mark.parametrize(
        "first_row", ["user,Late", "learner", "identifier,notes", "username,Late", "email,notes,x"]
    )
    def test_a_first_row_naming_a_learner_is_kept(self, first_row):
        rows = parse_exceptions_csv(f"{first_row}\nalice\n".encode())

        assert [row.learner for row in rows] == [first_row.split(",")[0], "alice"]

    def test_extra_columns_stay_in_the_notes(self):
        assert parse_exceptions_csv(b"alice,late,sick\n") == [ExceptionRow(line=1, learner="alice", notes="late,sick")]

    def test_bad_quoting_names_the_line(self):
        with pytest.raises(MalformedCsv, match=r"^Error processing CSV file: Line 2: "):
            parse_exceptions_csv(b'alice\n"bob"x,note\n')

    def test_not_utf8_names_the_line(self):
        with pytest.raises(MalformedCsv, match=r"^Error processing CSV file: Line 3: the file is not UTF-8 text"):
            parse_exceptions_csv(b"alice\nbob\n\xff\xfe\n")


def test_the_demo_course_has_every_certificate_case(db):
    course_key = seed_demo_course(learners=30).course_key

    exceptions = service.list_certificates(course_key, CertificateFilter("granted_exceptions"), ALL).items
    invalidated = service.list_certificates(course_key, CertificateFilter("invalidated"), ALL).items
    assert [row.user.username for row in exceptions] == ["learner1", "learner3", "learner8"]
    assert [row.status for row in exceptions] == ["audit_notpassing", "audit_passing", "downloadable"]
    assert all(row.exception_notes for row in exceptions)
    assert [(row.user.username, row.invalidated_by) for row in invalidated] == [
        ("learner18", "instructor@example.com"),
        ("learner27", "instructor@example.com"),
    ]
    assert service.list_generation_history(course_key, ALL).total == 1


def test_find_learners_reads_identifiers_chunk_by_chunk(monkeypatch, course, course_key):
    """Each chunk's lookup finds usernames and emails in any case; a user both name is found once."""
    monkeypatch.setattr("instructor_plugin.backends.builtin.users.NAMED_CHUNK", 2)
    people = [make_user(name) for name in ("ann", "bob", "cy", "dan")]
    enroll(people[0], course_key, "verified")
    CertificateAllowlistEntry.objects.create(user=people[1], course_key=course_key)
    people[3].email = "Cy"  # "cy" names cy by username and dan by email
    people[3].save()
    identifiers = ["ANN@example.com", "ann", "bob@EXAMPLE.com", "cy", "nobody"]

    found = service.find_learners(course_key, identifiers)

    assert {identifier: [state.user.username for state in found[identifier]] for identifier in identifiers} == {
        "ANN@example.com": ["ann"],
        "ann": ["ann"],
        "bob@EXAMPLE.com": ["bob"],
        "cy": ["cy", "dan"],
        "nobody": [],
    }
    assert [(state.enrolled, state.allowlisted) for state in found["ann"] + found["bob@EXAMPLE.com"]] == [
        (True, False),
        (False, True),
    ]


def test_find_learners_folds_a_non_ascii_email_as_the_database_does(course, course_key):
    """Python upper-cases "ß" to "SS", the database's ``UPPER()`` leaves it: the database folds such an email."""
    user = make_user("gretel")
    user.email = "straße@example.com"
    user.save()

    found = service.find_learners(course_key, ["STRAßE@Example.com"])

    assert [state.user.username for state in found["STRAßE@Example.com"]] == ["gretel"]
