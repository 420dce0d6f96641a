"""
The learner's course runs of a program (``users/{username}/programs/{uuid}/courses`` and ``programs/{uuid}/overview/``):
every field of the original's overview, the optional ones filled where the data exists.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import (
    Block,
    BlockCompletion,
    Course,
    CourseEmailOptout,
    CurriculumCourse,
    GeneratedCertificate,
    ProgramEnrollment,
)
from tests.conftest import COURSE_ID, enroll, make_user
from tests.program_fixtures import CURRICULUM_UUID, PROGRAM_UUID, make_program

pytestmark = pytest.mark.django_db

ROOT = "https://lms.example.com"
BASE = "/api/program_enrollments/v1"
COURSES = f"{BASE}/users/mm_learner/programs/{PROGRAM_UUID}/courses"
OVERVIEW = f"{BASE}/programs/{PROGRAM_UUID}/overview/"
ENDED = CourseKey.from_string("course-v1:TestX+Ended+2025")
AUDITED = CourseKey.from_string("course-v1:TestX+Audited+2026")
OUTSIDE = CourseKey.from_string("course-v1:TestX+Outside+2026")
DUE = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def lms_root(settings):
    settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "LMS_ROOT_URL": f"{ROOT}/"}


@pytest.fixture
def learner(course, course_key):
    """
    A learner ``enrolled`` in a MicroMasters program of three runs: the test course (``masters``, in progress,
    a due date, a block completed, a certificate), an ended run (``verified``, opted out of course email)
    and a run taken in ``audit``; and in a run outside the program.
    """
    now = timezone.now()
    course.start = now - timedelta(days=10)
    course.save()
    homework = Block.objects.create(
        course=course,
        usage_key=course_key.make_usage_key("sequential", "hw1"),
        block_type="sequential",
        display_name="Homework 1",
        position=2,
        due=DUE,
    )
    for key, start, end in (
        (ENDED, now - timedelta(days=400), now - timedelta(days=30)),
        (AUDITED, now - timedelta(days=1), None),
        (OUTSIDE, now - timedelta(days=1), None),
    ):
        Course.objects.create(course_key=key, display_name=key.course, start=start, end=end)
    program = make_program(PROGRAM_UUID, CURRICULUM_UUID, [course_key, ENDED, AUDITED], title="Data Science")
    program.program_type = "MicroMasters"
    program.save()
    user = make_user("mm_learner")
    ProgramEnrollment.objects.create(
        program=program, curriculum=program.curricula.get(), user=user, external_user_key="mm", status="enrolled"
    )
    enroll(user, course_key, mode="masters")
    enroll(user, ENDED, mode="verified")
    enroll(user, AUDITED, mode="audit")
    enroll(user, OUTSIDE, mode="masters")
    BlockCompletion.objects.create(user=user, course_key=course_key, usage_key=homework.usage_key, completion=1.0)
    GeneratedCertificate.objects.create(user=user, course_key=course_key, status="downloadable", mode="masters")
    CourseEmailOptout.objects.create(user=user, course_key=ENDED)
    return user


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_field_of_each_course_run(learner, course_key):
    body = client_of(learner).get(COURSES).json()
    assert (body["next"], body["previous"]) == (None, None)
    current, ended = body["results"]
    assert current == {
        "course_run_id": COURSE_ID,
        "display_name": "Test Course",
        "course_run_status": "in_progress",
        "course_run_url": f"{ROOT}/courses/{COURSE_ID}/course/",
        "start_date": current["start_date"],
        "end_date": None,
        "due_dates": [
            {
                "name": "Homework 1",
                "url": f"{ROOT}/courses/{COURSE_ID}/jump_to/{course_key.make_usage_key('sequential', 'hw1')}",
                "date": "2030-01-15T12:00:00Z",
            }
        ],
        "emails_enabled": True,
        "certificate_download_url": f"{ROOT}/certificates/user/{learner.pk}/course/{COURSE_ID}",
        "micromasters_title": "Data Science",
        "resume_course_run_url": f"{ROOT}/courses/{COURSE_ID}/jump_to/{course_key.make_usage_key('sequential', 'hw1')}",
    }
    assert current["start_date"].endswith("Z")
    # An ended run: completed, no due dates, emails off (opted out), no certificate or resume point.
    assert ended == {
        "course_run_id": str(ENDED),
        "display_name": "Ended",
        "course_run_status": "completed",
        "course_run_url": f"{ROOT}/courses/{ENDED}/course/",
        "start_date": ended["start_date"],
        "end_date": ended["end_date"],
        "due_dates": [],
        "emails_enabled": False,
        "micromasters_title": "Data Science",
    }


def test_the_deprecated_overview_gives_the_same_runs_unpaginated(learner):
    runs = client_of(learner).get(COURSES).json()["results"]
    assert client_of(learner).get(OVERVIEW).json() == {"course_runs": runs}


def test_a_self_paced_run_is_completed_30_days_after_a_passing_certificate(learner, course):
    course.self_paced = True
    course.save()
    GeneratedCertificate.objects.filter(course_key=course.course_key).update(
        created=timezone.now() - timedelta(days=31)
    )
    [current, _ended] = client_of(learner).get(COURSES).json()["results"]
    assert (current["course_run_status"], current["due_dates"]) == ("completed", [])


def test_a_masters_program_has_no_micromasters_title_and_an_unissued_certificate_no_url(learner, course_key):
    ProgramEnrollment.objects.get().program.__class__.objects.update(program_type="Masters")
    GeneratedCertificate.objects.update(status="notpassing")
    [current, _ended] = client_of(learner).get(COURSES).json()["results"]
    assert "micromasters_title" not in current
    assert "certificate_download_url" not in current


def test_pages_of_course_runs(learner):
    first = client_of(learner).get(COURSES, {"page_size": 1}).json()
    assert [run["course_run_id"] for run in first["results"]] == [COURSE_ID]
    second = client_of(learner).get(first["next"]).json()
    assert [run["course_run_id"] for run in second["results"]] == [str(ENDED)]
    assert second["next"] is None
    back = client_of(learner).get(second["previous"]).json()
    assert back["results"] == first["results"]


def _add_runs(learner, first: int, count: int) -> None:
    curriculum = ProgramEnrollment.objects.get(user=learner).curriculum
    for n in range(first, first + count):
        key = CourseKey.from_string(f"course-v1:TestX+Extra{n}+2026")
        Course.objects.create(course_key=key, display_name=f"Extra {n}", end=timezone.now() - timedelta(days=1))
        CurriculumCourse.objects.create(curriculum=curriculum, course_key=key, position=10 + n)
        enroll(learner, key, mode="masters")


def test_a_page_costs_the_same_queries_whatever_the_number_of_runs(learner):
    client = client_of(learner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(COURSES, {"page_size": 3}).status_code == 200
        return len(captured)

    _add_runs(learner, 0, 2)
    few = queries()
    _add_runs(learner, 2, 40)
    assert queries() == few
