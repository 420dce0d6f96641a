"""
The Open edX backend's open responses over the real ORA2 and edx-submissions, where the LMS's data has
more to it than the contract: team workflows, earlier attempts and reset scores, Studio's preview
learner, ORA2's older answer shapes, and submissions read in chunks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from common.djangoapps.student.models import anonymous_id_for_user
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from edx_toggles.toggles.testutils import override_waffle_flag
from opaque_keys.edx.keys import CourseKey
from openassessment.workflow.models import TeamAssessmentWorkflow
from rest_framework.test import APIClient
from submissions import api as submissions_api
from xmodule.modulestore.django import modulestore

from instructor_plugin import toggles
from instructor_plugin.backends.data import PageRequest
from instructor_plugin.backends.openedx import open_responses
from instructor_plugin.backends.registry import get_backend

from .world import OpenedxWorld

COURSE = CourseKey.from_string("course-v1:OraX+O101+2026")
ROOT = COURSE.make_usage_key("course", "course")
UNIT = COURSE.make_usage_key("vertical", "unit")
ESSAY = COURSE.make_usage_key("openassessment", "essay")
AT = datetime(2026, 4, 1, 10, tzinfo=UTC)
EVERYONE = PageRequest(offset=0, limit=100)


@pytest.fixture
def world(db):
    world = OpenedxWorld()
    world.make_course(COURSE)
    world.make_block(COURSE, UNIT, ROOT, display_name="Unit")
    world.make_open_response_block(COURSE, ESSAY, UNIT, display_name="Essay", staff_step=True)
    return world


@pytest.fixture
def service():
    return get_backend().open_responses


def student_item(learner_id: int) -> dict:
    """The edx-submissions student item of the learner's response to the essay."""
    learner = get_user_model().objects.get(pk=learner_id)
    return {
        "student_id": anonymous_id_for_user(learner, COURSE),
        "course_id": str(COURSE),
        "item_id": str(ESSAY),
        "item_type": "openassessment",
    }


def test_a_team_assessment_has_no_staff_grading_and_its_team_step_counts_nowhere(world, service):
    """The LMS links staff grading for individual assessments only; ``teams`` is not a counted step."""
    modulestore().get_item(ESSAY).teams_enabled = True
    ann = world.make_user("ann", "ann@example.com", "Ann")
    bob = world.make_user("bob", "bob@example.com", "Bob")
    cid = world.make_user("cid", "cid@example.com", "Cid")
    world.make_open_response(COURSE, ESSAY, ann, status="waiting", submitted_at=AT)
    world.make_open_response(COURSE, ESSAY, bob, status="staff", submitted_at=AT)
    team_member = submissions_api.create_submission(student_item(cid), {"parts": [{"text": "ours"}]}, AT)
    TeamAssessmentWorkflow.objects.create(
        team_submission_uuid=str(uuid4()),
        submission_uuid=team_member["uuid"],
        status="teams",
        course_id=str(COURSE),
        item_id=str(ESSAY),
    )

    [essay] = service.list_counts(COURSE, EVERYONE).items

    assert (essay.has_staff_step, essay.total, essay.waiting, essay.staff) == (False, 2, 1, 1)
    assert service.summarize(COURSE).total == 2
    assert [s.status for s in service.iter_submissions(COURSE)] == ["waiting", "staff", "teams"]


def test_only_the_latest_unhidden_score_is_the_submissions(world, service):
    """As ``get_all_course_submission_information``: an earlier attempt has no score, nor a reset one."""
    ann = world.make_user("ann", "ann@example.com", "Ann")
    world.make_open_response(COURSE, ESSAY, ann, status="done", submitted_at=AT, points=(1, 4))
    world.make_open_response(COURSE, ESSAY, ann, status="done", submitted_at=AT + timedelta(hours=1), points=(3, 4))

    assert [(s.points_earned, s.points_possible) for s in service.iter_submissions(COURSE)] == [
        (None, None),
        (3.0, 4.0),
    ]

    submissions_api.reset_score(student_item(ann)["student_id"], str(COURSE), str(ESSAY))

    assert [(s.points_earned, s.points_possible) for s in service.iter_submissions(COURSE)] == [(None, None)] * 2


def test_studios_preview_learner_is_left_out(world, service):
    """Studio's preview records submissions for the anonymous id ``student``, which no user has."""
    ann = world.make_user("ann", "ann@example.com", "Ann")
    world.make_open_response(COURSE, ESSAY, ann, status="peer", submitted_at=AT)
    preview = {**student_item(ann), "student_id": "student"}
    submissions_api.create_submission(preview, {"parts": [{"text": "preview"}]}, AT)

    assert [s.username for s in service.iter_submissions(COURSE)] == ["ann"]


def test_answers_of_every_ora2_shape(world, service):
    """Several text parts join with a blank line; ORA2's first shape held a single file key without a name."""
    ann = world.make_user("ann", "ann@example.com", "Ann")
    bob = world.make_user("bob", "bob@example.com", "Bob")
    cid = world.make_user("cid", "cid@example.com", "Cid")
    submissions_api.create_submission(student_item(ann), {"parts": [{"text": "Part one"}, {"text": "Part two"}]}, AT)
    submissions_api.create_submission(
        student_item(bob), {"parts": [{"text": "See file"}], "file_key": "bob/essay"}, AT + timedelta(minutes=1)
    )
    submissions_api.create_submission(student_item(cid), "just text", AT + timedelta(minutes=2))

    first, second, third = service.iter_submissions(COURSE)

    assert (first.answer_text, list(first.files), first.status) == ("Part one\n\nPart two", [], "")
    assert second.answer_text == "See file"
    assert [(f.path, f.description) for f in second.files] == [("bob/essay", "No description provided.")]
    assert second.files[0].name
    assert (third.answer_text, list(third.files)) == ("just text", [])


def test_submissions_are_read_in_chunks_past_equal_times(world, service, monkeypatch):
    """Keyset chunks by (submission time, id) lose and repeat nothing when times tie across a chunk's end."""
    monkeypatch.setattr(open_responses, "CHUNK", 2)
    learners = [world.make_user(f"l{n}", f"l{n}@example.com", f"L {n}") for n in range(5)]
    for learner in learners:
        world.make_open_response(COURSE, ESSAY, learner, status="peer", submitted_at=AT)

    with CaptureQueriesContext(connection) as captured:
        listed = [s.user_id for s in service.iter_submissions(COURSE)]

    assert listed == learners
    # The items, then per chunk of two: the submissions with their scores, their learners, their workflows.
    assert len(captured) == 1 + 3 * 3


def test_a_file_the_upload_backend_lacks_is_not_found(world, service):
    with pytest.raises(FileNotFoundError):
        service.open_file(COURSE, "nobody/course-v1:OraX+O101+2026/essay")


def test_the_v2_endpoints_answer_over_ora2(world):
    """The host's ``ora`` and ``ora_summary`` endpoints read ORA2's workflows through the backend."""
    instructor = world.make_user("instructor", "instructor@example.com", "Ines")
    world.grant(COURSE, instructor, "instructor")
    ann = world.make_user("ann", "ann@example.com", "Ann")
    world.make_open_response(COURSE, ESSAY, ann, status="staff", submitted_at=AT)
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=instructor))
    v2 = f"/api/instructor/v2/courses/{COURSE}"

    with override_waffle_flag(toggles._ENABLE_API_V2_FLAG, active=True):
        listed = client.get(f"{v2}/ora")
        summary = client.get(f"{v2}/ora_summary")

    assert listed.status_code == 200, listed.content
    assert [(row["display_name"], row["unit_name"], row["staff"]) for row in listed.json()["results"]] == [
        ("Essay", "Unit", 1)
    ]
    assert summary.status_code == 200, summary.content
    assert (summary.json()["total_assessments"], summary.json()["staff"]) == (1, 1)
