"""The certificate counts the built-in backend keeps by trigger stay equal to counting the certificates."""

from __future__ import annotations

import pytest
from django.db.models import Count

from instructor_plugin.backends.builtin.certificates import STATUS_FILTERS, BuiltinCertificateService
from instructor_plugin.backends.builtin.models import CertificateCount, GeneratedCertificate
from instructor_plugin.backends.data import CertificateFilter, PageRequest
from tests.test_query_counts import make_certificates, make_learners

pytestmark = pytest.mark.django_db
OTHER = "course-v1:TestX+Other+2026"
service = BuiltinCertificateService()


def counted(course_key) -> dict[tuple[str, str], int]:
    """What counting every certificate says, status and mode by status and mode."""
    rows = GeneratedCertificate.objects.filter(course_key=course_key).values("status", "mode").annotate(n=Count("pk"))
    return {(row["status"], row["mode"]): row["n"] for row in rows}


def kept(course_key) -> dict[tuple[str, str], int]:
    rows = CertificateCount.objects.filter(course_key=course_key, certificates__gt=0)
    return {(status, mode): n for status, mode, n in rows.values_list("status", "mode", "certificates")}


def test_counts_follow_every_kind_of_write(course, course_key):
    people = make_learners(course_key, "count", 12)
    GeneratedCertificate.objects.bulk_create(
        GeneratedCertificate(user=user, course_key=course_key, status="downloadable", mode="verified")
        for user in people[:8]
    )
    assert kept(course_key) == counted(course_key) == {("downloadable", "verified"): 8}

    certificate = GeneratedCertificate.objects.create(
        user=people[8], course_key=course_key, status="notpassing", mode="audit"
    )
    certificate.status = "audit_notpassing"
    certificate.save()
    GeneratedCertificate.objects.filter(user__in=people[:2]).update(status="unavailable")
    GeneratedCertificate.objects.filter(user=people[2]).update(mode="honor")
    GeneratedCertificate.objects.filter(user=people[3]).delete()
    people[4].delete()
    people[5].save()
    assert kept(course_key) == counted(course_key)
    assert kept(course_key) == {
        ("downloadable", "verified"): 3,
        ("downloadable", "honor"): 1,
        ("unavailable", "verified"): 2,
        ("audit_notpassing", "audit"): 1,
    }

    GeneratedCertificate.objects.filter(user__in=people[6:8]).update(course_key=OTHER)
    assert kept(course_key) == counted(course_key)
    assert kept(OTHER) == counted(OTHER) == {("downloadable", "verified"): 2}
    assert service.count_issued_by_mode(course_key) == {"honor": 1, "verified": 1}


def test_a_renamed_learner_keeps_the_counts(course, course_key):
    (person,) = make_learners(course_key, "rename", 1)
    GeneratedCertificate.objects.create(user=person, course_key=course_key, status="error", mode="verified")
    person.username = "renamed"
    person.save()
    assert GeneratedCertificate.objects.get(user=person).username == "renamed"
    assert kept(course_key) == counted(course_key) == {("error", "verified"): 1}


@pytest.mark.parametrize("status_filter", ["all", *STATUS_FILTERS, "granted_exceptions", "invalidated"])
@pytest.mark.parametrize("search", ["", "cert0001"])
def test_every_filter_totals_what_it_lists(users, course_key, status_filter, search):
    make_certificates(course_key, "cert", 40, users["instructor"])
    filters = CertificateFilter(status_filter, search)
    everything = service.list_certificates(course_key, filters, PageRequest(offset=0, limit=1000))
    assert everything.total == len(everything.items) > 0

    for offset, limit in [(0, 3), (3, 3), (everything.total - 1, 5), (everything.total + 5, 5)]:
        page = service.list_certificates(course_key, filters, PageRequest(offset=offset, limit=limit))
        assert page.total == everything.total
        assert page.items == everything.items[offset : offset + limit]
