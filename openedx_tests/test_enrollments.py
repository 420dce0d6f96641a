"""The Open edX enrollment service beyond the contract: identifier states, recipients, the enrollment API's methods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from common.djangoapps.course_modes.models import CourseMode
from common.djangoapps.student.models import CourseEnrollment
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lms.djangoapps.bulk_email.models import Optout
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.course_groups.models import CourseUserGroup

from instructor_plugin.backends.data import EmailTargets, EnrollmentAttributeData, EnrollmentCursor, EnrollmentSearch
from instructor_plugin.backends.openedx import enrollments, openedx_backend

from .world import OpenedxWorld

COURSE = CourseKey.from_string("course-v1:EnrolX+E1+2026")
OTHER = CourseKey.from_string("course-v1:EnrolX+E2+2026")


@pytest.fixture
def backend():
    return openedx_backend()


@pytest.fixture
def people(db, backend) -> dict[str, int]:
    """ann (audit, cohort Red), bob (verified, opted out), sid (staff, not enrolled), ina (inactive account)."""
    world = OpenedxWorld()
    world.make_course(COURSE)
    world.make_course(OTHER)
    ids = {
        name: world.make_user(name, f"{name}@example.com", name.title(), language="fr" if name == "ann" else None)
        for name in ("ann", "bob", "sid", "ina")
    }
    get_user_model().objects.filter(pk=ids["ina"]).update(is_active=False)
    backend.enrollments.enroll(COURSE, ids["ann"], "audit")
    backend.enrollments.enroll(COURSE, ids["bob"], "verified")
    backend.enrollments.enroll(COURSE, ids["ina"], "audit")
    world.grant(COURSE, ids["sid"], "staff")
    CourseUserGroup.objects.create(name="Red", course_id=COURSE, group_type="cohort").users.add(ids["ann"])
    Optout.objects.create(user_id=ids["bob"], course_id=COURSE)
    return ids


def recipients(backend, **targets) -> list[tuple[str, str | None]]:
    rows = backend.enrollments.iter_email_recipients(COURSE, EmailTargets(**targets))
    return [(row.email.split("@")[0], row.language) for row in rows]


class TestEmailRecipients:
    def test_learners_leave_out_the_opted_out_the_team_and_inactive_accounts(self, backend, people):
        assert recipients(backend, learners=True) == [("ann", "fr")]
        assert backend.enrollments.count_email_recipients(COURSE, EmailTargets(learners=True)) == 1

    def test_cohorts_modes_staff_and_myself(self, backend, people):
        assert recipients(backend, cohorts=("Red",)) == [("ann", "fr")]
        assert recipients(backend, modes=("verified",)) == []
        assert recipients(backend, staff=True) == [("sid", None)]
        assert recipients(backend, staff=True, learners=True, myself_id=people["bob"]) == [
            ("ann", "fr"),
            ("bob", None),
            ("sid", None),
        ]

    def test_streams_in_chunks(self, backend, people, monkeypatch):
        monkeypatch.setattr(enrollments, "CHUNK", 1)

        assert recipients(backend, staff=True, learners=True) == [("ann", "fr"), ("sid", None)]
        assert list(backend.enrollments.iter_enrolled_user_ids(COURSE)) == sorted(
            [people["ann"], people["bob"], people["ina"]]
        )


class TestIdentifierStates:
    def test_states_in_a_fixed_number_of_queries(self, backend, people):
        backend.enrollments.allow(COURSE, "New@Example.com", auto_enroll=True)

        with CaptureQueriesContext(connection) as captured:
            states = backend.enrollments.get_identifier_states(
                COURSE, ["ann", " BOB@example.com ", "new@example.com", "sid"]
            )

        assert len(captured) == 4
        assert (states["ann"].user.id, states["ann"].enrollment.mode) == (people["ann"], "audit")
        assert states[" BOB@example.com "].enrollment.mode == "verified"
        assert (states["new@example.com"].user, states["new@example.com"].allowed.auto_enroll) == (None, True)
        assert (states["sid"].user.id, states["sid"].enrollment) == (people["sid"], None)


class TestEnrollmentApiMethods:
    def test_update_list_and_unenroll_all(self, backend, people):
        backend.enrollments.enroll(OTHER, people["ann"], "audit")

        updated = backend.enrollments.update_enrollment(COURSE, people["ann"], mode="verified")
        left = backend.enrollments.unenroll_all(people["ann"])

        assert (updated.mode, updated.is_active) == ("verified", True)
        assert backend.enrollments.update_enrollment(COURSE, people["sid"], mode="verified") is None
        assert list(left) == [COURSE, OTHER]
        assert backend.enrollments.list_user_enrollments(people["ann"]) == []
        assert [
            e.course_key for e in backend.enrollments.list_user_enrollments(people["ann"], include_inactive=True)
        ] == [
            COURSE,
            OTHER,
        ]
        assert not CourseEnrollment.objects.filter(user_id=people["ann"], is_active=True).exists()

    def test_mode_details_leave_out_expired_modes(self, backend, people):
        CourseMode.objects.filter(course_id=COURSE, mode_slug="verified").update(
            min_price=49, sku="SKU1", expiration_datetime=timezone.now() - timedelta(days=1)
        )

        assert [m.slug for m in backend.enrollments.list_mode_details(COURSE)] == ["audit"]
        expired = backend.enrollments.list_mode_details(COURSE, include_expired=True)[1]
        assert (expired.slug, expired.min_price, expired.sku, expired.description) == ("verified", 49, "SKU1", None)

    def test_a_course_without_modes_offers_the_default_mode(self, backend, people):
        CourseMode.objects.filter(course_id=COURSE).delete()

        assert [(m.slug, m.name, m.min_price) for m in backend.enrollments.list_mode_details(COURSE)] == [
            ("audit", "Audit", 0)
        ]

    def test_get_and_set_enrollments_in_bulk(self, backend, people):
        backend.enrollments.set_enrollments(
            COURSE, {people["ann"]: ("verified", False), people["sid"]: ("audit", True)}
        )

        assert {
            user_id: (e.mode, e.is_active)
            for user_id, e in backend.enrollments.get_enrollments(COURSE, [people["ann"], people["sid"], 404]).items()
        } == {people["ann"]: ("verified", False), people["sid"]: ("audit", True)}
        assert backend.enrollments.get_enrollments(OTHER, [people["ann"]]) == {}

    def test_attributes(self, backend, people):
        credit = EnrollmentAttributeData(namespace="credit", name="provider_id", value="hogwarts")

        backend.enrollments.set_enrollment_attributes(COURSE, people["ann"], [credit])
        backend.enrollments.set_enrollment_attributes(
            COURSE, people["ann"], [EnrollmentAttributeData("credit", "provider_id", "asu")]
        )
        backend.enrollments.set_enrollment_attributes(COURSE, people["sid"], [credit])

        assert backend.enrollments.get_enrollment_attributes(COURSE, people["ann"]) == [
            EnrollmentAttributeData("credit", "provider_id", "asu")
        ]
        assert backend.enrollments.get_enrollment_attributes(COURSE, people["sid"]) == []

    def test_search_pages_newest_first_both_ways(self, backend, people):
        base = datetime(2026, 1, 1, tzinfo=UTC)
        for offset, name in enumerate(("ann", "bob", "ina")):
            CourseEnrollment.objects.filter(user_id=people[name]).update(created=base + timedelta(days=offset))

        first = backend.enrollments.search_enrollments(EnrollmentSearch(course_key=COURSE), None, 2)
        last = first[-1]
        rest = backend.enrollments.search_enrollments(
            EnrollmentSearch(course_key=COURSE), EnrollmentCursor(last.enrollment.created, last.id), 2
        )
        back = backend.enrollments.search_enrollments(
            EnrollmentSearch(course_key=COURSE),
            EnrollmentCursor(rest[0].enrollment.created, rest[0].id, backwards=True),
            2,
        )

        assert [row.username for row in first] == ["ina", "bob"]
        assert [row.username for row in rest] == ["ann"]
        assert [row.username for row in back] == ["ina", "bob"]
        assert [
            row.username for row in backend.enrollments.search_enrollments(EnrollmentSearch(usernames=["bob"]), None, 5)
        ] == ["bob"]

    def test_allowed_by_email_in_every_course(self, backend, people):
        backend.enrollments.allow(COURSE, "new@example.com", auto_enroll=False)
        backend.enrollments.allow(OTHER, "NEW@example.com", auto_enroll=True)

        assert [
            (a.course_key, a.auto_enroll) for a in backend.enrollments.list_allowed_by_email("New@Example.com")
        ] == [
            (COURSE, False),
            (OTHER, True),
        ]
