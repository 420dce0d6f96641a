"""
The sort columns the built-in backend copies by trigger (a certificate's and a cohort membership's username,
an attempt's course and lowercased username) stay their user's and exam's, whatever writes them, and order the lists.
"""

from __future__ import annotations

import pytest
from django.db.models import F

from instructor_plugin.backends.builtin.certificates import BuiltinCertificateService
from instructor_plugin.backends.builtin.cohorts import BuiltinCohortService
from instructor_plugin.backends.builtin.models import Cohort, CohortMembership, ExamAttempt, GeneratedCertificate
from instructor_plugin.backends.builtin.special_exams import BuiltinSpecialExamService
from instructor_plugin.backends.data import CertificateFilter, ExamListQuery, PageRequest
from tests.conftest import make_user
from tests.special_exam_fixtures import OTHER_COURSE, add_exams, bulk_attempts, make_exam
from tests.test_query_counts import make_users

pytestmark = pytest.mark.django_db


def stale_certificates() -> list[tuple[str, str]]:
    rows = GeneratedCertificate.objects.exclude(username=F("user__username"))
    return list(rows.values_list("username", "user__username"))


def stale_attempts() -> list[tuple]:
    rows = ExamAttempt.objects.values_list("username_lower", "user__username", "course_key", "exam__course_key")
    return [row for row in rows if row[0] != row[1].lower() or row[2] != row[3]]


def certificate(user, course_key) -> GeneratedCertificate:
    return GeneratedCertificate.objects.create(user=user, course_key=course_key, status="downloadable", mode="honor")


def test_every_kind_of_write_copies_the_certificate_username(course_key):
    people = make_users("Cert", 4)
    GeneratedCertificate.objects.bulk_create(
        GeneratedCertificate(user=user, course_key=course_key, status="downloadable", mode="honor") for user in people
    )
    one = certificate(make_user("one_by_one"), course_key)
    one.username = "wrong"
    one.status = "notpassing"
    one.save()  # a full save of an instance holding a wrong copy
    GeneratedCertificate.objects.filter(user=people[0]).update(user=make_users("Moved", 1)[0])
    people[1].username = "Renamed"
    people[1].save()

    assert stale_certificates() == []
    assert set(GeneratedCertificate.objects.values_list("username", flat=True)) == {
        "one_by_one",
        "Moved00000",
        "Renamed",
        "Cert00002",
        "Cert00003",
    }


def test_every_kind_of_write_copies_the_attempt_course_and_lowercased_username(course_key):
    exams = add_exams(course_key)
    people = make_users("Taker", 4)
    bulk_attempts(exams.timed, people)
    one = ExamAttempt.objects.create(exam=exams.proctored, user=make_user("One_By_One"), status="started")
    one.username_lower = "wrong"
    one.course_key = OTHER_COURSE
    one.save()  # a full save of an instance holding wrong copies
    ExamAttempt.objects.filter(user=people[0]).update(user=make_users("Moved", 1)[0], exam=exams.foreign)
    people[1].username = "ReNamed"
    people[1].save()
    moved = make_exam(course_key, "moved", "Moved exam")
    ExamAttempt.objects.create(exam=moved, user=people[2], status="started")
    moved.course_key = OTHER_COURSE
    moved.save()

    assert stale_attempts() == []
    assert set(ExamAttempt.objects.values_list("username_lower", "course_key")) == {
        ("one_by_one", course_key),
        ("moved00000", OTHER_COURSE),
        ("renamed", course_key),
        ("taker00002", course_key),
        ("taker00002", OTHER_COURSE),
        ("taker00003", course_key),
    }


def test_the_certificates_list_pages_in_username_order_however_deep(course_key):
    people = make_users("order", 20)
    for user in people:
        certificate(user, course_key)
    certificate(make_user("elsewhere"), OTHER_COURSE)
    people[3].username = "zzz_last"
    people[3].save()
    expected = [*sorted(user.username for user in people[:3] + people[4:]), "zzz_last"]
    service = BuiltinCertificateService()

    pages = [
        service.list_certificates(course_key, CertificateFilter(status_filter="all"), PageRequest(offset, 6))
        for offset in range(0, 24, 6)
    ]

    assert [row.user.username for page in pages for row in page.items] == expected
    assert {page.total for page in pages} == {20}


def test_the_attempts_list_pages_in_case_insensitive_username_order_across_exams(course_key):
    exams = add_exams(course_key)
    people = make_users("order", 10)
    bulk_attempts(exams.timed, people)
    bulk_attempts(exams.proctored, people[:5])
    bulk_attempts(exams.foreign, people)
    people[7].username = "AAA_first"
    people[7].save()
    service = BuiltinSpecialExamService()

    pages = [service.list_attempts(course_key, ExamListQuery(), PageRequest(offset, 4)) for offset in range(0, 16, 4)]

    listed = [(row.user.username, row.exam.id) for page in pages for row in page.items]
    assert [username for username, _ in listed] == ["AAA_first"] + [
        username for user in people[:7] + people[8:] for username in [user.username] * (2 if user in people[:5] else 1)
    ]
    assert exams.foreign.pk not in {exam_id for _, exam_id in listed}
    assert {page.total for page in pages} == {15}


def test_every_kind_of_write_copies_the_membership_username(course_key):
    cohort = Cohort.objects.create(course_key=course_key, name="Blue")
    people = make_users("Member", 3)
    CohortMembership.objects.bulk_create(
        CohortMembership(cohort=cohort, user=user, course_key=course_key) for user in people
    )
    one = CohortMembership.objects.create(cohort=cohort, user=make_user("one_by_one"), course_key=course_key)
    one.username = "wrong"
    one.save()
    CohortMembership.objects.filter(user=people[0]).update(user=make_users("Moved", 1)[0])
    people[1].username = "Renamed"
    people[1].save()

    stale = CohortMembership.objects.exclude(username=F("user__username"))
    assert list(stale.values_list("username", "user__username")) == []
    assert set(CohortMembership.objects.values_list("username", flat=True)) == {
        "one_by_one",
        "Moved00000",
        "Renamed",
        "Member00002",
    }


def test_the_cohort_member_list_pages_in_username_order_however_deep(course_key):
    blue, red = (Cohort.objects.create(course_key=course_key, name=name) for name in ("Blue", "Red"))
    people = make_users("order", 20)
    CohortMembership.objects.bulk_create(
        CohortMembership(cohort=red if i % 4 == 0 else blue, user=user, course_key=course_key)
        for i, user in enumerate(people)
    )
    people[5].username = "aaa_first"
    people[5].save()
    expected = ["aaa_first"] + [user.username for i, user in enumerate(people) if i % 4 and i != 5]
    service = BuiltinCohortService()

    pages = [service.list_members(course_key, blue.pk, PageRequest(offset, 4)) for offset in range(0, 16, 4)]

    assert [user.username for page in pages for user in page.items] == expected
    assert {page.total for page in pages} == {15}
