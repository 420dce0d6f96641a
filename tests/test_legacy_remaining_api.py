"""What every endpoint added to the legacy API in issue 13 shares: POST (or its methods) only, CSRF, 401, 404."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from instructor_plugin.backends.builtin.models import CertificateAllowlistEntry, Cohort, GeneratedCertificate
from instructor_plugin.models import CourseEmail, InstructorTask
from tests.conftest import COURSE_ID

User = get_user_model()
CSRF_SECRET = "a" * 32


def legacy(name: str, course_id: str = COURSE_ID) -> str:
    return f"/courses/{course_id}/instructor/api/{name}"


def cohort_upload() -> dict:
    return {"uploaded-file": SimpleUploadedFile("cohorts.csv", b"username,cohort\nlearner,Blue\n")}


def accounts_upload() -> dict:
    return {"students_list": SimpleUploadedFile("accounts.csv", b"new@example.com,new_learner,New,US\n")}


def exceptions_upload() -> dict:
    return {"students_list": SimpleUploadedFile("exceptions.csv", b"outsider,Late\n")}


#: Endpoint -> (method, a valid body, or a function building a multipart body).
VALID = {
    "register_and_enroll_students": ("post", accounts_upload),
    "list_course_enrollments": ("post", {}),
    "get_proctored_exam_results": ("post", {}),
    "get_course_survey_results": ("post", {}),
    "send_email": ("post", {"send_to": '["myself"]', "subject": "S", "message": "<p>M</p>"}),
    "list_background_email_tasks": ("post", {}),
    "list_email_content": ("post", {}),
    "add_users_to_cohorts": ("post", cohort_upload),
    "get_issued_certificates/": ("post", {}),
    "certificate_task/generate": ("post", {}),
    "enable_certificate_generation": ("post", {"certificates-enabled": "true"}),
    "start_certificate_generation": ("post", {}),
    "start_certificate_regeneration": ("post", {"certificate_statuses": ["downloadable"]}),
    "certificate_exception_view/": ("post", {"user_name": "learner", "notes": "n"}),
    "generate_certificate_exceptions/all": ("post", {}),
    "generate_bulk_certificate_exceptions": ("post", exceptions_upload),
    "certificate_invalidation_view/": ("post", {"user": "learner", "notes": "n"}),
}
#: The endpoints that answer GET too, as the original's do.
GET_ALLOWED = {"get_issued_certificates/"}


def call(client, name: str, **extra):
    method, body = VALID[name]
    if callable(body):
        return getattr(client, method)(legacy(name), body(), format="multipart", **extra)
    return getattr(client, method)(legacy(name), body, format="json", **extra)


@pytest.fixture
def world(users, course, course_key, settings):
    """What the valid calls act on: a cohort, the learner's certificate, a site that allows automated signups."""
    settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "ALLOW_AUTOMATED_SIGNUPS": True}
    Cohort.objects.create(course_key=course_key, name="Blue")
    GeneratedCertificate.objects.create(
        user=users["learner"], course_key=course_key, status="downloadable", mode="audit"
    )
    return users


@pytest.mark.parametrize("name", sorted(set(VALID) - GET_ALLOWED))
def test_get_is_not_allowed(client, world, name):
    client.force_authenticate(world["global_staff"])

    response = client.get(legacy(name))

    assert response.status_code == 405
    assert response.json()["error_code"] == "method_not_allowed"


@pytest.mark.parametrize("name", VALID)
def test_session_callers_send_the_csrf_token(world, name):
    session = APIClient(enforce_csrf_checks=True)
    session.login(username="global_staff", password="edx")
    session.cookies["csrftoken"] = CSRF_SECRET

    refused = call(session, name)
    nothing_written = (
        not InstructorTask.objects.exists()
        and not User.objects.filter(username="new_learner").exists()
        and not CourseEmail.objects.exists()
        and not CertificateAllowlistEntry.objects.exists()
    )
    accepted = call(session, name, HTTP_X_CSRFTOKEN=CSRF_SECRET)

    assert refused.status_code == 403
    assert refused.json()["error_code"] == "permission_denied"
    assert nothing_written
    assert accepted.status_code in (200, 302), accepted.content


@pytest.mark.parametrize("name", VALID)
def test_anonymous_is_401(client, world, name):
    assert call(client, name).status_code == 401


@pytest.mark.parametrize("name", VALID)
def test_unknown_course_is_404(client, world, name):
    client.force_authenticate(world["global_staff"])
    method, body = VALID[name]
    data = body() if callable(body) else body

    response = getattr(client, method)(legacy(name, "course-v1:TestX+Nope+2026"), data, format="multipart")

    assert response.status_code == 404
    assert response.json()["error_code"] == "course_not_found"
