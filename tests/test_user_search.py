"""
The lists' ``search`` reads ``UserSearchText`` (kept by triggers) and finds exactly what ``icontains``
over the user's columns finds, through every kind of write and on every database.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q

from instructor_plugin.backends.builtin.certificates import BuiltinCertificateService
from instructor_plugin.backends.builtin.enrollments import BuiltinEnrollmentService
from instructor_plugin.backends.builtin.filters import user_search
from instructor_plugin.backends.builtin.models import (
    CourseEnrollment,
    GeneratedCertificate,
    UserProfile,
    UserSearchText,
)
from instructor_plugin.backends.data import CertificateFilter, EnrollmentFilter, PageRequest
from tests.conftest import enroll, make_user
from tests.test_query_counts import make_learners

pytestmark = pytest.mark.django_db
User = get_user_model()

TERMS = (
    "a",
    "ANN",
    "ann",
    "smith",
    "SMITH",
    "@example",
    "example.com",
    "Ørsted",
    "ørsted",
    "100%",
    "50_",
    "a_b",
    "back\\slash",
    "mary jane",
    "jane\nsmith",
    "ann\nann",
    "smithann",  # across a newline if a collation ignored it: "ann_smith\nAnn.Smith@..."
    "comann",
    "nobody-at-all",
    "search00003",
    "Search 7",
)


def naive(term: str, *, names: bool) -> Q:
    columns = ["username", "email", *(["first_name", "last_name", "builtin_profile__name"] if names else [])]
    found = Q(pk__in=[])
    for column in columns:
        found |= Q(**{f"user__{column}__icontains": term})
    return found


def assert_same_results(course_key) -> None:
    enrollments = CourseEnrollment.objects.filter(course_key=course_key)
    for term in TERMS:
        for names in (True, False):
            expected = set(enrollments.filter(naive(term, names=names)).values_list("pk", flat=True))
            found = set(enrollments.filter(user_search(term, names=names)).values_list("pk", flat=True))
            assert found == expected, (term, names)


@pytest.fixture
def people(course_key) -> list:
    specs = [
        ("ann_smith", "Ann.Smith@Example.com", "Ann", "Smith", "Ann Smith"),
        ("mj", "mj@example.org", "Mary", "Jane", "Mary Jane Watson"),
        ("orsted", "h.c@example.dk", "Hans", "Ørsted", "H. C. Ørsted"),
        ("percent", "p@example.com", "", "", "Grade 100% done"),
        ("under", "u@example.com", "a_b", "", "50_50"),
        ("slash", "s@example.com", "", "", "back\\slash"),
        ("jane", "smith@example.com", "", "", "Nobody"),
        ("ANNA", "anna@EXAMPLE.COM", "", "", ""),
    ]
    made = []
    for username, email, first, last, name in specs:
        user = User.objects.create_user(username=username, email=email, first_name=first, last_name=last)
        UserProfile.objects.create(user=user, name=name)
        enroll(user, course_key)
        made.append(user)
    without_profile = User.objects.create_user(username="no_profile_ann", email="np@example.com")
    enroll(without_profile, course_key)
    return [*made, without_profile, *make_learners(course_key, "search", 12)]


def test_search_finds_what_icontains_finds(people, course_key):
    assert_same_results(course_key)
    assert UserSearchText.objects.count() == User.objects.count()


def test_every_kind_of_write_keeps_the_search_text(people, course_key):
    ann, mary, orsted, *_ = people
    ann.username, ann.email = "renamed_ann", "other@example.net"
    ann.save()
    User.objects.filter(pk=mary.pk).update(first_name="Smithy", last_name="Annals")
    UserProfile.objects.filter(user=orsted).update(name="Nobody Known")
    UserProfile.objects.filter(user__username="jane").delete()
    UserProfile.objects.create(user=User.objects.get(username="no_profile_ann"), name="Mary Jane Late")
    moved = UserProfile.objects.get(user__username="search00001")
    moved.user = User.objects.create_user(username="fresh_owner", email="fresh@example.com")
    moved.save()
    enroll(moved.user, course_key)
    User.objects.bulk_create([User(username=f"bulk{i}", email=f"bulk{i}@example.com") for i in range(3)])
    for user in User.objects.filter(username__startswith="bulk"):
        enroll(user, course_key)

    assert_same_results(course_key)
    assert UserSearchText.objects.get(user=ann).account == "renamed_ann\nother@example.net"


def test_deleting_a_user_deletes_their_search_text(people):
    people[0].delete()

    assert not UserSearchText.objects.filter(user_id=people[0].pk).exists()
    assert UserSearchText.objects.count() == User.objects.count()


def test_a_term_spanning_two_columns_matches_neither(course_key):
    enroll(make_user("spanner", name="Tail"), course_key)

    # "spanner\nspanner@example.com\n\n\nTail" holds "spanner\nspanner" but no single column does.
    found = CourseEnrollment.objects.filter(user_search("spanner\nspanner", names=True))

    assert not found.exists()
    assert CourseEnrollment.objects.filter(user_search("anner@exa", names=False)).count() == 1


def test_the_enrollment_and_certificate_lists_search_the_table(people, course_key):
    GeneratedCertificate.objects.bulk_create(
        GeneratedCertificate(user=user, course_key=course_key, mode="audit", status="downloadable") for user in people
    )

    enrollments = BuiltinEnrollmentService().list_enrollments(
        course_key, EnrollmentFilter(search="smith"), PageRequest(offset=0, limit=50)
    )
    certificates = BuiltinCertificateService().list_certificates(
        course_key, CertificateFilter(search="smith"), PageRequest(offset=0, limit=50)
    )

    # Names count for the enrollments (Ann Smith, jane by email), only username and email for certificates.
    assert [row.user.username for row in enrollments.items] == ["ann_smith", "jane"]
    assert enrollments.total == 2
    assert [row.user.username for row in certificates.items] == ["ann_smith", "jane"]


def test_postgresql_searches_through_trigram_indexes(people):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [UserSearchText._meta.db_table])
            indexes = {name for (name,) in cursor.fetchall()}
            assert {"ipb_search_account_trgm", "ipb_search_all_fields_trgm"} <= indexes
        cursor.execute(f"SELECT COUNT(*) FROM {UserSearchText._meta.db_table}")
        assert cursor.fetchone() == (User.objects.count(),)


def test_a_term_found_in_many_users_stays_a_subquery_with_the_same_results(people, course_key, monkeypatch):
    monkeypatch.setattr("instructor_plugin.backends.builtin.filters._INLINED_MATCHES", 2)

    assert "usersearchtext" in str(CourseEnrollment.objects.filter(user_search("example", names=True)).query)
    assert_same_results(course_key)
