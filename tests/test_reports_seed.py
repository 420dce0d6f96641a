"""The demo seed's open responses and certificates, and the reports made from them."""

from __future__ import annotations

import zipfile
from collections import Counter

import pytest
from django.core.files.storage import FileSystemStorage
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.models import Block, GeneratedCertificate, OpenResponseSubmission
from instructor_plugin.backends.builtin.seed import (
    CERTIFICATE_EVERY,
    DEMO_COURSE_ID,
    ORA_SUBMISSIONS_PER_BLOCK,
    seed_demo_course,
)
from instructor_plugin.models import Report
from instructor_plugin.reports import csv_body, open_report, start_report

DEMO_KEY = CourseKey.from_string(DEMO_COURSE_ID)
LEARNERS = 30

pytestmark = pytest.mark.django_db


def test_every_open_response_block_has_submissions_in_every_step_with_a_file(file_storages):
    seed_demo_course(learners=LEARNERS)

    blocks = Block.objects.filter(course__course_key=DEMO_KEY, block_type="openassessment")
    submissions = OpenResponseSubmission.objects.filter(course_key=DEMO_KEY)
    assert blocks.count() >= 2
    assert Counter(submissions.values_list("usage_key", flat=True)) == {
        block.usage_key: ORA_SUBMISSIONS_PER_BLOCK for block in blocks
    }
    assert set(submissions.values_list("status", flat=True)) == {"training", "peer", "self", "waiting", "staff", "done"}
    storage = FileSystemStorage(location=file_storages["ORA_FILE_STORAGE"])
    for files in submissions.values_list("files", flat=True):
        assert storage.open(files[0]["path"]).read().startswith(b"Learner ")


def test_reseeding_replaces_submissions_and_their_files(file_storages):
    seed_demo_course(learners=LEARNERS)
    first = sorted(OpenResponseSubmission.objects.values_list("submission_uuid", "files"))

    seed_demo_course(learners=LEARNERS)

    assert sorted(OpenResponseSubmission.objects.values_list("submission_uuid", "files")) == first
    assert sum(1 for _ in file_storages["ORA_FILE_STORAGE"].rglob("*.txt")) == len(first)


def test_certificates_in_several_statuses():
    seed_demo_course(learners=LEARNERS)

    statuses = Counter(GeneratedCertificate.objects.filter(course_key=DEMO_KEY).values_list("status", flat=True))
    assert sum(statuses.values()) == LEARNERS // CERTIFICATE_EVERY
    assert {"downloadable", "notpassing", "unavailable", "audit_passing", "audit_notpassing"} <= set(statuses)
    issued = csv_body("issued_certificates", DEMO_KEY)
    assert sum(row[2] for row in issued.rows) == statuses["downloadable"]


def test_the_seeded_submission_files_archive(django_capture_on_commit_callbacks):
    seed_demo_course(learners=LEARNERS)

    with django_capture_on_commit_callbacks(execute=True):
        task = start_report(DEMO_KEY, "ora2_submission_files", None, {})

    with open_report(Report.objects.get(task=task)) as content, zipfile.ZipFile(content) as archive:
        files = [name for name in archive.namelist() if name.endswith("response.txt")]
        assert len(files) == OpenResponseSubmission.objects.filter(course_key=DEMO_KEY).count()
        assert archive.read(files[0]).startswith(b"Learner ")


def test_fewer_learners_than_submissions_per_block():
    seed_demo_course(learners=2)

    assert (
        OpenResponseSubmission.objects.filter(course_key=DEMO_KEY).count()
        == 2 * Block.objects.filter(course__course_key=DEMO_KEY, block_type="openassessment").count()
    )
