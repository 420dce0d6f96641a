"""
The seed's bulk load: the derived-row triggers skip its inserts (PostgreSQL, MySQL), and what it rebuilds
afterwards is exactly what those triggers write.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, F
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.bulk_load import bulk_load
from instructor_plugin.backends.builtin.enrollments import BuiltinEnrollmentService
from instructor_plugin.backends.builtin.models import (
    CourseEnrollment,
    ExamAttempt,
    ExamAttemptCount,
    GeneratedCertificate,
    UserProfile,
    UserSearchText,
)
from instructor_plugin.backends.builtin.seed import DEMO_COURSE_ID, seed_demo_course
from tests.test_certificate_counts import counted as counted_certificates
from tests.test_certificate_counts import kept as kept_certificates
from tests.test_cohort_member_counts import counted as cohorts_counted
from tests.test_cohort_member_counts import kept as cohorts_kept

User = get_user_model()
DEMO_KEY = CourseKey.from_string(DEMO_COURSE_ID)
LEARNERS = 40

pytestmark = pytest.mark.django_db


def search_texts() -> dict[str, tuple[str, str]]:
    rows = UserSearchText.objects.values_list("user__username", "account", "all_fields")
    return {username: (account, all_fields) for username, account, all_fields in rows}


def counted(course_key: CourseKey) -> dict[str, int]:
    rows = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).values("mode").annotate(n=Count("pk"))
    return {row["mode"]: row["n"] for row in rows}


@pytest.mark.parametrize("reseed", [False, True])
def test_the_seeded_derived_rows_are_what_the_triggers_write(reseed):
    if reseed:
        seed_demo_course(learners=LEARNERS + 5)
    seed_demo_course(learners=LEARNERS)
    seeded = search_texts()

    # Rewriting every profile's name runs the profile triggers, which refresh each user's text their own way.
    UserProfile.objects.update(name=F("name"))

    assert search_texts() == seeded
    assert len(seeded) == User.objects.count()
    assert seeded[f"learner{LEARNERS}"] == (
        f"learner{LEARNERS}\nlearner{LEARNERS}@example.com",
        f"learner{LEARNERS}\nlearner{LEARNERS}@example.com\n\n\nLearner {LEARNERS}",
    )
    assert BuiltinEnrollmentService().count_by_mode(DEMO_KEY) == counted(DEMO_KEY)
    assert kept_certificates(DEMO_KEY) == counted_certificates(DEMO_KEY)
    assert sum(kept_certificates(DEMO_KEY).values()) == LEARNERS // 3
    # Rewriting every certificate's status runs the count triggers: they keep what the seed rebuilt.
    rebuilt = kept_certificates(DEMO_KEY)
    GeneratedCertificate.objects.update(status=F("status"))
    assert kept_certificates(DEMO_KEY) == rebuilt
    assert cohorts_kept(DEMO_KEY) == cohorts_counted(DEMO_KEY)
    assert sum(members for members, _ in cohorts_kept(DEMO_KEY).values()) == LEARNERS
    enrollments = CourseEnrollment.objects.filter(course_key=DEMO_KEY)
    assert enrollments.count() > LEARNERS
    assert not enrollments.exclude(username=F("user__username")).exists()
    attempts = ExamAttempt.objects.filter(exam__course_key=DEMO_KEY).values("exam_id").annotate(n=Count("pk"))
    kept_attempts = ExamAttemptCount.objects.filter(exam__course_key=DEMO_KEY, attempts__gt=0)
    assert dict(kept_attempts.values_list("exam_id", "attempts")) == {row["exam_id"]: row["n"] for row in attempts}
    assert kept_attempts.count() == 2


def test_a_bulk_load_skips_the_triggers_then_rebuilds_and_other_writes_fire_them(course_key):
    with transaction.atomic(), bulk_load(course_key) as loaded:
        user = User.objects.create(username="loaded", email="loaded@example.com")
        loaded.add(user.pk)
        UserProfile.objects.create(user=user, name="Loaded Learner")
        CourseEnrollment.objects.create(user=user, course_key=course_key, mode="audit", username="loaded")
        GeneratedCertificate.objects.create(user=user, course_key=course_key, status="error", mode="audit")
        written_during_the_load = UserSearchText.objects.filter(user=user).exists()

    assert written_during_the_load is (connection.vendor == "sqlite")
    assert search_texts()["loaded"] == ("loaded\nloaded@example.com", "loaded\nloaded@example.com\n\n\nLoaded Learner")
    assert BuiltinEnrollmentService().count_by_mode(course_key) == {"audit": 1}
    assert kept_certificates(course_key) == {("error", "audit"): 1}

    later = User.objects.create(username="later", email="later@example.com")
    CourseEnrollment.objects.create(user=later, course_key=course_key, mode="audit")
    assert search_texts()["later"] == ("later\nlater@example.com", "later\nlater@example.com\n\n\n")
    assert CourseEnrollment.objects.get(user=later).username == "later"
    assert BuiltinEnrollmentService().count_by_mode(course_key) == {"audit": 2}
    GeneratedCertificate.objects.create(user=later, course_key=course_key, status="error", mode="audit")
    assert kept_certificates(course_key) == {("error", "audit"): 2}
