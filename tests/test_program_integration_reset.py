"""``POST /api/program_enrollments/v1/integration-reset/``: what it deletes, what it keeps, who may call it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from instructor_plugin import program_enrollments as api
from instructor_plugin.backends.builtin.models import (
    Course,
    CourseEnrollment,
    Curriculum,
    ExternalUserKey,
    Program,
    ProgramCourseEnrollment,
    ProgramEnrollment,
    ProgramEnrollmentHistory,
)
from tests.conftest import enroll, make_user
from tests.program_fixtures import (
    CURRICULUM_UUID,
    ORG,
    PROGRAM_UUID,
    make_other_program,
    make_program,
    make_test_program,
)
from tests.test_program_enrollments_rest_api import ENVELOPE_KEYS, restricted_jwt_client

pytestmark = pytest.mark.django_db
User = get_user_model()

RESET = "/api/program_enrollments/v1/integration-reset/"
FOREIGN_PROGRAM_UUID = "33333333-4444-4555-8666-777777777777"
FOREIGN_CURRICULUM_UUID = "cccccccc-dddd-4eee-8fff-000000000000"
ELSEWHERE = CourseKey.from_string("course-v1:TestX+Elsewhere+2026")


@pytest.fixture
def enabled(settings):
    settings.FEATURES = {**getattr(settings, "FEATURES", {}), "ENABLE_ENROLLMENT_RESET": True}


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def sandbox(course, course_key):
    """
    Two programs of ``TestX`` and one of ``OtherU``, all holding the test course: ``linked`` (an ``TestX`` key)
    and ``unkeyed`` (an account attached without a key) learn through ``TestX``, ``foreign`` through ``OtherU``.
    """
    Course.objects.create(course_key=ELSEWHERE, display_name="Elsewhere")
    make_test_program(course_key)
    make_other_program(course_key)
    make_program(FOREIGN_PROGRAM_UUID, FOREIGN_CURRICULUM_UUID, [course_key], title="Foreign", org="OtherU")
    people = {name: make_user(name) for name in ("linked", "unkeyed", "foreign", "bystander")}
    ExternalUserKey.objects.create(org=ORG, external_user_key="L-1", user=people["linked"])
    ExternalUserKey.objects.create(org="OtherU", external_user_key="F-1", user=people["foreign"])
    for key in ("L-1", "waiting"):
        api.write_program_enrollments(
            PROGRAM_UUID,
            [{"external_user_key": key, "status": "enrolled", "curriculum_uuid": CURRICULUM_UUID}],
            True,
            False,
        )
    unkeyed = api.create_program_enrollment(PROGRAM_UUID, CURRICULUM_UUID, people["unkeyed"], "U-1", "enrolled")
    api.write_program_enrollments(
        FOREIGN_PROGRAM_UUID,
        [{"external_user_key": "F-1", "status": "enrolled", "curriculum_uuid": FOREIGN_CURRICULUM_UUID}],
        True,
        False,
    )
    for key in ("L-1", "waiting", "U-1"):
        api.write_program_course_enrollments(
            PROGRAM_UUID, course_key, [{"external_user_key": key, "status": "active"}], True, False
        )
    api.write_program_course_enrollments(
        FOREIGN_PROGRAM_UUID, course_key, [{"external_user_key": "F-1", "status": "active"}], True, False
    )
    enroll(people["unkeyed"], ELSEWHERE)
    enroll(people["bystander"], course_key)
    assert unkeyed.user is not None
    return people


def test_it_deletes_the_organisations_enrollments_and_keyed_accounts_and_keeps_the_rest(sandbox, enabled, course_key):
    caller = make_user("integrator")
    response = as_user(caller).post(RESET, {"organization": ORG}, format="json")
    assert (response.status_code, response.json()) == (200, "success")
    # Deleted: TestX's program and program-course enrollments (waiting ones too) and their history,
    # the course enrollments they made, and the account linked to a TestX key.
    assert not ProgramEnrollment.objects.filter(program__org=ORG).exists()
    assert not ProgramCourseEnrollment.objects.filter(program_enrollment__program__org=ORG).exists()
    assert not User.objects.filter(username="linked").exists()
    assert not CourseEnrollment.objects.filter(user=sandbox["unkeyed"], course_key=course_key).exists()
    assert not ExternalUserKey.objects.filter(org=ORG).exists()
    # Kept: the catalog, the other organisation's enrollments, keys and accounts, an account attached
    # without a key (and its enrollment elsewhere), learners outside the program, the caller.
    assert Program.objects.filter(org=ORG).count() == 2
    assert Curriculum.objects.filter(program__org=ORG).count() == 2
    assert ProgramEnrollment.objects.filter(program__org="OtherU").count() == 1
    assert ProgramCourseEnrollment.objects.filter(program_enrollment__program__org="OtherU").count() == 1
    assert ProgramEnrollmentHistory.objects.filter(program_enrollment__program__org="OtherU").exists()
    assert ExternalUserKey.objects.filter(org="OtherU").exists()
    assert set(CourseEnrollment.objects.values_list("user__username", "course_key", "mode")) == {
        ("foreign", course_key, "masters"),
        ("unkeyed", ELSEWHERE, "audit"),
        ("bystander", course_key, "audit"),
    }
    assert User.objects.filter(username__in=["unkeyed", "foreign", "bystander", "integrator"]).count() == 4


def test_the_python_api_reports_what_it_deleted(sandbox, enabled):
    deleted = api.reset_enrollment_data(ORG)
    assert (deleted.program_enrollments, deleted.program_course_enrollments) == (3, 3)
    assert (deleted.course_enrollments, deleted.users) == (2, 1)


def test_it_answers_501_while_the_feature_is_off(sandbox):
    response = as_user(make_user("integrator")).post(RESET, {"organization": ORG}, format="json")
    assert response.status_code == 501
    assert response.json()["error_code"] == "reset_not_enabled"
    assert set(response.json()) >= ENVELOPE_KEYS
    assert ProgramEnrollment.objects.filter(program__org=ORG).count() == 3
    with pytest.raises(api.EnrollmentResetNotEnabled):
        api.reset_enrollment_data(ORG)


@pytest.mark.parametrize("body", [{}, {"org": ORG}, {"organization": ""}, {"organization": ["TestX"]}, []])
def test_a_body_without_an_organization_is_400(sandbox, enabled, body):
    response = as_user(make_user("integrator")).post(RESET, body, format="json")
    assert response.status_code == 400
    assert ProgramEnrollment.objects.filter(program__org=ORG).count() == 3


def test_an_unknown_organization_is_404(sandbox, enabled):
    response = as_user(make_user("integrator")).post(RESET, {"organization": "NoSuchU"}, format="json")
    assert (response.status_code, response.json()["error_code"]) == (404, "organization_not_found")
    assert ProgramEnrollment.objects.count() == 4


def test_anonymous_callers_and_restricted_applications_are_refused(sandbox, enabled):
    assert APIClient().post(RESET, {"organization": ORG}, format="json").status_code == 401
    service = make_user("service_worker", is_staff=True)
    assert restricted_jwt_client(service).post(RESET, {"organization": ORG}, format="json").status_code == 403
    assert ProgramEnrollment.objects.filter(program__org=ORG).count() == 3
