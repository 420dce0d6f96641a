"""
Where the LMS's certificates app shapes the Open edX backend beyond the contract: generation goes through
the platform's ``generate_certificate_task``, the allowlist counts only enabled entries, the generation
history lives on ``InstructorTask`` rows, and the v2 certificate endpoints answer over the LMS's tables.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_toggles.toggles.testutils import override_waffle_flag
from lms.djangoapps.certificates.models import (
    CertificateAllowlist,
    CertificateGenerationCourseSetting,
    CertificateGenerationHistory,
    CertificateInvalidation,
    GeneratedCertificate,
)
from lms.djangoapps.instructor_task.models import InstructorTask
from rest_framework.test import APIClient

from instructor_plugin import toggles
from instructor_plugin.backends.contract.suite import COURSE, EVERYONE
from instructor_plugin.backends.data import CertificateFilter
from instructor_plugin.backends.openedx import openedx_backend

from .world import OpenedxWorld


@pytest.fixture
def backend():
    return openedx_backend()


@pytest.fixture
def people(backend, db):
    """Ann (verified, allowlisted), Bob (verified, certified), Cy (verified), Dee (audit), Eve (not enrolled)."""
    world = OpenedxWorld()
    world.make_course(COURSE)
    ids = {
        name: world.make_user(name, f"{name}@example.com", name.title()) for name in ("ann", "bob", "cy", "dee", "eve")
    }
    ids["staff"] = world.make_user("staff", "staff@example.com", "Staff")
    world.grant(COURSE, ids["staff"], "instructor")
    for name, mode in (("ann", "verified"), ("bob", "verified"), ("cy", "verified"), ("dee", "audit")):
        backend.enrollments.enroll(COURSE, ids[name], mode)
    backend.certificates.add_exceptions(COURSE, {ids["ann"]: "late"}, ids["staff"])
    world.make_certificate(COURSE, ids["bob"], "downloadable", "verified")
    return ids


def test_generate_reports_what_the_platform_decided(backend, people):
    statuses = backend.certificates.generate(
        COURSE, [people[name] for name in ("ann", "bob", "cy", "dee", "eve")], False
    )

    assert statuses == {
        people["ann"]: "downloadable",
        people["bob"]: "notpassing",
        people["cy"]: "unavailable",
        people["dee"]: "unavailable",
    }
    assert sorted(GeneratedCertificate.objects.filter(course_id=COURSE).values_list("user_id", "status", "mode")) == [
        (people["ann"], "downloadable", "verified"),
        (people["bob"], "notpassing", "verified"),
    ]


def test_an_invalidated_certificate_stays_unavailable(backend, people):
    backend.certificates.generate(COURSE, [people["ann"]], False)
    backend.certificates.invalidate(COURSE, {people["ann"]: "copied"}, people["staff"])

    assert backend.certificates.generate(COURSE, [people["ann"]], True) == {people["ann"]: "unavailable"}
    assert CertificateInvalidation.objects.get().invalidated_by_id == people["staff"]


def test_a_queued_generation_reads_generating(backend, people, monkeypatch):
    """The platform queues the worker and answers True before any certificate row exists."""
    queued = []
    monkeypatch.setattr(
        "lms.djangoapps.certificates.api.generate_certificate_task",
        lambda user, course_key, generation_mode=None: queued.append((user.pk, generation_mode)) or True,
    )

    assert backend.certificates.generate(COURSE, [people["cy"]], False) == {people["cy"]: "generating"}
    assert queued == [(people["cy"], "batch")]


def test_a_disabled_allowlist_entry_is_no_exception(backend, people):
    CertificateAllowlist.objects.filter(user_id=people["ann"]).update(allowlist=False)

    assert backend.certificates.select_candidates(COURSE, [], "allowlisted") == []
    assert backend.certificates.remove_exception(COURSE, people["ann"]) is False
    assert backend.certificates.find_learners(COURSE, ["ann"])["ann"][0].allowlisted is False

    backend.certificates.add_exceptions(COURSE, {people["ann"]: "again"}, people["staff"])

    assert list(CertificateAllowlist.objects.values_list("user_id", "allowlist", "notes")) == [
        (people["ann"], True, "again")
    ]


def test_the_switch_is_the_latest_course_setting(backend, people):
    backend.certificates.set_generation_enabled(COURSE, True)
    backend.certificates.set_generation_enabled(COURSE, False)

    assert list(CertificateGenerationCourseSetting.objects.values_list("self_generation_enabled", flat=True)) == [False]
    assert backend.certificates.is_generation_enabled(COURSE) is False


def test_history_keeps_a_finished_instructor_task_and_words_the_lms_runs(backend, people):
    staff = get_user_model().objects.get(pk=people["staff"])
    lms_task = InstructorTask.objects.create(
        task_type="regenerate_certificates_all_students",
        course_id=COURSE,
        task_key="",
        task_input=json.dumps({"statuses_to_regenerate": ["error", "notpassing"]}),
        task_id="lms-task",
        task_state="SUCCESS",
        requester=staff,
    )
    CertificateGenerationHistory.objects.create(
        course_id=COURSE, generated_by=staff, instructor_task=lms_task, is_regeneration=True
    )
    backend.certificates.record_generation_run(COURSE, staff.pk, False, "All allowlisted learners", "plugin-task")

    runs = backend.certificates.list_generation_history(COURSE, EVERYONE).items

    assert [(run.candidates, run.task_id, run.is_regeneration) for run in runs] == [
        ("All allowlisted learners", "plugin-task", False),
        ("error, notpassing", "lms-task", True),
    ]
    assert InstructorTask.objects.get(task_id="plugin-task").task_state == "SUCCESS"


def test_the_v2_certificate_endpoints_answer_over_the_lms_tables(backend, people):
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=people["staff"]))
    base = f"/api/instructor/v2/courses/{COURSE}/certificates"

    with override_waffle_flag(toggles._ENABLE_API_V2_FLAG, active=True):
        granted = client.post(f"{base}/exceptions", {"learners": ["cy", "nobody"], "notes": "illness"}, format="json")
        issued = client.get(f"{base}/issued", {"filter": "granted_exceptions"})

    assert granted.status_code == 200, granted.content
    assert granted.json()["success"] == ["cy"]
    assert CertificateAllowlist.objects.filter(user_id=people["cy"], course_id=COURSE, allowlist=True).exists()
    assert issued.status_code == 200, issued.content
    page = backend.certificates.list_certificates(COURSE, CertificateFilter("granted_exceptions"), EVERYONE)
    assert [c.user.username for c in page.items] == ["ann", "cy"]
    assert [row["username"] for row in issued.json()["results"]] == ["ann", "cy"]


@pytest.mark.parametrize("status_filter", ["all", "granted_exceptions", "invalidated"])
def test_the_issued_list_costs_the_same_queries_for_10_or_1000_certificates(backend, people, status_filter):
    def queries_with(count):
        users = get_user_model().objects.bulk_create(
            get_user_model()(username=f"u{count}-{n}", email=f"u{count}-{n}@example.com") for n in range(count)
        )
        certificates = GeneratedCertificate.objects.bulk_create(
            GeneratedCertificate(user=user, course_id=COURSE, status="downloadable", mode="verified") for user in users
        )
        CertificateAllowlist.objects.bulk_create(
            CertificateAllowlist(user=user, course_id=COURSE, allowlist=True) for user in users
        )
        CertificateInvalidation.objects.bulk_create(
            CertificateInvalidation(generated_certificate=certificate, invalidated_by_id=people["staff"])
            for certificate in certificates
        )
        with CaptureQueriesContext(connection) as queries:
            page = backend.certificates.list_certificates(COURSE, CertificateFilter(status_filter), EVERYONE)
        assert page.total >= count
        return len(queries)

    assert queries_with(10) == queries_with(1000)
