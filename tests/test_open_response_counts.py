"""The submission counts the built-in backend keeps per block and status by trigger stay equal to counting them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.db.models import Count

from instructor_plugin.backends.builtin.models import Block, Course, OpenResponseCount, OpenResponseSubmission
from instructor_plugin.backends.builtin.open_responses import BuiltinOpenResponseService
from instructor_plugin.backends.data import OpenResponseSummaryData, PageRequest
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

SUBMITTED = datetime(2024, 3, 1, tzinfo=UTC)


def counted() -> dict[tuple[str, str, str], int]:
    """What counting every submission says, by course, block and status."""
    rows = OpenResponseSubmission.objects.values("course_key", "usage_key", "status").annotate(n=Count("pk"))
    return {(str(c), str(u), s): n for c, u, s, n in rows.values_list("course_key", "usage_key", "status", "n")}


def kept() -> dict[tuple[str, str, str], int]:
    rows = OpenResponseCount.objects.filter(submissions__gt=0)
    return {
        (str(c), str(u), s): n for c, u, s, n in rows.values_list("course_key", "usage_key", "status", "submissions")
    }


def submission(course_key, block_id: str, user, status: str) -> OpenResponseSubmission:
    return OpenResponseSubmission(
        user=user,
        course_key=course_key,
        usage_key=course_key.make_usage_key("openassessment", block_id),
        submission_uuid=uuid.uuid4(),
        status=status,
        submitted_at=SUBMITTED,
    )


def test_counts_follow_every_kind_of_write(course_key):
    people = [make_user(f"writer{n}") for n in range(8)]
    OpenResponseSubmission.objects.bulk_create(
        [submission(course_key, "essay", person, "peer") for person in people[:5]]
        + [submission(course_key, "project", person, "done") for person in people[5:]]
    )
    single = submission(course_key, "essay", make_user("single"), "waiting")
    single.save()
    assert kept() == counted()
    assert len(counted()) == 3

    single.status = "done"
    single.save()  # a status moved by a full save
    single.answer_text = "edited"
    single.save()  # a save that leaves the counted columns alone
    OpenResponseSubmission.objects.filter(user__in=people[:2]).update(status="staff")
    OpenResponseSubmission.objects.filter(user=people[2]).update(
        usage_key=course_key.make_usage_key("openassessment", "project")
    )
    OpenResponseSubmission.objects.filter(user=people[5]).delete()
    people[6].delete()  # cascades to the submission
    assert kept() == counted()
    assert sum(kept().values()) == 7


def test_the_counts_read_are_the_kept_ones(course_key):
    course = Course.objects.create(course_key=course_key, display_name="Counted")
    unit = Block.objects.create(course=course, usage_key=course_key.make_usage_key("vertical", "unit"), position=1)
    essay = Block.objects.create(
        course=course,
        usage_key=course_key.make_usage_key("openassessment", "essay"),
        parent=unit,
        block_type="openassessment",
        display_name="Essay",
        position=2,
    )
    submission(course_key, "essay", make_user("writer"), "staff").save()
    OpenResponseCount.objects.filter(usage_key=essay.usage_key).update(submissions=1000)  # read, not counted
    service = BuiltinOpenResponseService()

    [item] = service.list_counts(course_key, PageRequest(0, 10)).items

    assert (item.total, item.staff, item.has_staff_step) == (1000, 1000, True)
    assert service.summarize(course_key) == OpenResponseSummaryData(assessments=1, units=1, total=1000, staff=1000)
