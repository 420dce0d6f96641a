"""``external_user_key`` in the enrolled-students report and the gradebook, filled from program enrollments."""

from __future__ import annotations

import pytest
from edx_toggles.toggles.testutils import override_waffle_flag

from instructor_plugin import program_enrollments as api
from instructor_plugin import toggles
from instructor_plugin.backends.builtin.models import ExternalUserKey
from tests.conftest import COURSE_ID
from tests.program_fixtures import CURRICULUM_UUID, ORG, PROGRAM_UUID, make_test_program
from tests.test_reports import generate, read_csv, report_storage  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_the_external_user_key_column_comes_from_the_program(
    report_storage,  # noqa: F811
    settings,
    users,
    course_key,
    django_capture_on_commit_callbacks,
):
    settings.INSTRUCTOR_PLUGIN = {
        **settings.INSTRUCTOR_PLUGIN,
        "SITE_CONFIGURATION": {"student_profile_download_fields": ["username", "external_user_key"]},
    }
    make_test_program(course_key)
    learner = users["learner"]
    ExternalUserKey.objects.create(org=ORG, external_user_key="=CMD()", key_lower="=cmd()", user=learner)
    request = {"external_user_key": "=CMD()", "status": "enrolled", "curriculum_uuid": CURRICULUM_UUID}
    api.write_program_enrollments(PROGRAM_UUID, [request], create=True, update=False)
    api.write_program_course_enrollments(
        PROGRAM_UUID, COURSE_ID, [{"external_user_key": "=CMD()", "status": "active"}], create=True, update=False
    )

    rows = read_csv(
        generate(course_key, "enrolled_students", users["data_researcher"], django_capture_on_commit_callbacks)
    )

    by_username = {row[0]: row[1] for row in rows[1:]}
    assert by_username == {"learner": "'=CMD()", "beta_tester": ""}


def test_the_gradebook_shows_the_external_user_key(client, users, course_key):
    make_test_program(course_key)
    ExternalUserKey.objects.create(org=ORG, external_user_key="st-7", key_lower="st-7", user=users["learner"])
    request = {"external_user_key": "st-7", "status": "enrolled", "curriculum_uuid": CURRICULUM_UUID}
    api.write_program_enrollments(PROGRAM_UUID, [request], create=True, update=False)
    api.write_program_course_enrollments(
        PROGRAM_UUID, COURSE_ID, [{"external_user_key": "st-7", "status": "active"}], create=True, update=False
    )
    client.force_authenticate(users["course_staff"])
    with override_waffle_flag(toggles._WRITABLE_GRADEBOOK_FLAG, active=True):
        single = client.get(f"/api/grades/v1/gradebook/{COURSE_ID}/", {"username": "learner"}).json()
        listed = client.get(f"/api/grades/v1/gradebook/{COURSE_ID}/").json()["results"]
    assert single["external_user_key"] == "st-7"
    assert {row["username"]: row.get("external_user_key") for row in listed} == {"learner": "st-7", "beta_tester": None}
