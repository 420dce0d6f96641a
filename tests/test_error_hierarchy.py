"""The one error hierarchy: every error the plugin raises on purpose has a code, a category and a status."""

from __future__ import annotations

import re

import pytest
from rest_framework import status

import instructor_plugin.backends.exceptions as backend_errors
from instructor_plugin import bulk_email, certificates, course_team, due_dates, grading, reports, special_exams
from instructor_plugin.exceptions import ErrorCategory, InstructorError
from instructor_plugin.instructor_tasks import AlreadyRunning
from instructor_plugin.models import InstructorTask
from instructor_plugin.rest_api.errors import STATUS_OF_CATEGORY, exception_handler

DOMAIN_MODULES = (backend_errors, bulk_email, certificates, course_team, due_dates, grading, reports, special_exams)


def _error_classes() -> list[type[InstructorError]]:
    found, pending = [], [InstructorError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_error_class_of_the_domain_modules_joins_the_hierarchy():
    for module in DOMAIN_MODULES:
        for name in dir(module):
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == module.__name__:
                assert issubclass(value, InstructorError), f"{module.__name__}.{name}"


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: cls.__name__)
def test_each_error_has_a_stable_code_and_a_status(cls):
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", cls.error_code)
    assert cls.category in STATUS_OF_CATEGORY


def test_backend_errors_are_domain_errors():
    assert issubclass(backend_errors.BackendError, InstructorError)
    assert backend_errors.BlockNotFound("block-v1:x").message == "Block not found in this course."


def test_the_table_covers_every_category():
    assert set(STATUS_OF_CATEGORY) == set(ErrorCategory)


def _answer(error: Exception):
    return exception_handler(error, {"view": None})


def test_an_error_is_answered_with_its_category_status_and_code():
    response = _answer(backend_errors.ExamNotFound(7))

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.data == {
        "error": "Exam not found in this course.",
        "error_code": "exam_not_found",
        "detail": "Exam not found in this course.",
        "developer_message": "Exam not found in this course.",
    }


def test_a_message_and_code_given_replace_the_class_ones():
    response = _answer(reports.InvalidReportRequest("Bad configuration.", "invalid_profile_attributes"))

    assert (response.status_code, response.data["error"], response.data["error_code"]) == (
        400,
        "Bad configuration.",
        "invalid_profile_attributes",
    )


def test_an_error_naming_a_field_carries_field_errors():
    response = _answer(bulk_email.InvalidEmailRequest("No targets.", "no_targets", "targets"))

    assert response.data["field_errors"] == {"targets": ["No targets."]}


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (course_team.RoleNotManageable("staff"), 403),
        (course_team.SelfInstructorRevocation("me"), 409),
        (certificates.UploadTooLarge(10), 413),
    ],
)
def test_categories_map_to_their_status(error, expected):
    assert _answer(error).status_code == expected


def test_a_running_task_names_itself(db, course_key):
    task = InstructorTask.objects.create(course_key=course_key, task_type="grade_report")

    body = _answer(AlreadyRunning(task, message="Busy.")).data

    assert (body["error"], body["error_code"], body["task_id"]) == ("Busy.", "task_already_running", str(task.task_id))
    assert body["status_url"].endswith(f"/tasks/{task.task_id}")
