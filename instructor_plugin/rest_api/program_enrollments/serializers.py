"""Request and response bodies of the program enrollments API, field for field as the original's."""

from __future__ import annotations

from rest_framework import serializers

from ...backends.data import ProgramCourseEnrollmentData, ProgramEnrollmentData
from ...program_enrollments import (
    CourseRunProgressStatuses,
    ProgramCourseEnrollmentStatuses,
    ProgramCourseOperationStatuses,
    ProgramEnrollmentStatuses,
    ProgramOperationStatuses,
)


class ProgramEnrollmentUpdateRequestSerializer(serializers.Serializer):
    """A PATCH item: ``{"student_key", "status"}``; any status string (an unknown one is a per-learner error)."""

    student_key = serializers.CharField(max_length=255)
    status = serializers.CharField(max_length=64)


class ProgramEnrollmentCreateRequestSerializer(ProgramEnrollmentUpdateRequestSerializer):
    """A POST or PUT item: ``{"student_key", "status", "curriculum_uuid"}``."""

    curriculum_uuid = serializers.UUIDField()


class ProgramCourseEnrollmentRequestSerializer(serializers.Serializer):
    """An item of a program-course write: ``{"student_key", "status", "course_staff"?}``."""

    student_key = serializers.CharField(max_length=255)
    status = serializers.CharField(max_length=64)
    course_staff = serializers.BooleanField(required=False, allow_null=True, default=None)


class IntegrationResetRequestSerializer(serializers.Serializer):
    """The integration reset's body: ``{"organization": "<the organisation's short name>"}``."""

    organization = serializers.CharField(max_length=255)


def to_write_requests(items: list[dict]) -> list[dict]:
    """The validated items as the Python API's requests (``student_key`` is its ``external_user_key``)."""
    requests = []
    for item in items:
        request = {"external_user_key": item["student_key"], "status": item["status"]}
        if "curriculum_uuid" in item:
            request["curriculum_uuid"] = str(item["curriculum_uuid"])
        if "course_staff" in item:
            request["course_staff"] = item["course_staff"]
        requests.append(request)
    return requests


def program_enrollment_row(enrollment: ProgramEnrollmentData) -> dict:
    """``{student_key, status, account_exists, curriculum_uuid, username, email}`` (names empty without an account)."""
    user = enrollment.user
    return {
        "student_key": enrollment.external_user_key,
        "status": enrollment.status,
        "account_exists": user is not None,
        "curriculum_uuid": enrollment.curriculum_uuid,
        "username": user.username if user else "",
        "email": user.email if user else "",
    }


def program_course_enrollment_row(enrollment: ProgramCourseEnrollmentData) -> dict:
    """``{student_key, status, account_exists, curriculum_uuid, course_staff}``."""
    program_enrollment = enrollment.program_enrollment
    return {
        "student_key": program_enrollment.external_user_key,
        "status": enrollment.status,
        "account_exists": program_enrollment.user is not None,
        "curriculum_uuid": program_enrollment.curriculum_uuid,
        "course_staff": bool(enrollment.course_staff),
    }


# --- responses, as the OpenAPI schema describes them ----------------------------------------------


def _constants(holder: type) -> set[str]:
    return {getattr(holder, name) for name in dir(holder) if name.isupper() and not name.startswith("_")}


_PROGRAM_RESULTS = sorted(_constants(ProgramOperationStatuses) | set(ProgramEnrollmentStatuses.__ALL__))
_PROGRAM_COURSE_RESULTS = sorted(
    _constants(ProgramCourseOperationStatuses) | set(ProgramCourseEnrollmentStatuses.__ALL__)
)


def _results_schema(results: list[str]) -> dict:
    return {
        "type": "object",
        "description": "Each student key asked for, with its new status or an error status.",
        "additionalProperties": {"type": "string", "enum": results},
    }


#: ``{student_key: result}`` of a program roster write: the new status or an error status (raw OpenAPI).
PROGRAM_WRITE_RESULTS = _results_schema(_PROGRAM_RESULTS)
#: ``{student_key: result}`` of a program-course roster write.
PROGRAM_COURSE_WRITE_RESULTS = _results_schema(_PROGRAM_COURSE_RESULTS)


class ProgramAccessSerializer(serializers.Serializer):
    """A program the caller may read."""

    uuid = serializers.UUIDField()
    slug = serializers.CharField()


class ProgramEnrollmentSerializer(serializers.Serializer):
    """A row of a program roster (``username`` and ``email`` empty without an account)."""

    student_key = serializers.CharField()
    status = serializers.ChoiceField(choices=ProgramEnrollmentStatuses.__ALL__)
    account_exists = serializers.BooleanField()
    curriculum_uuid = serializers.UUIDField()
    username = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)


class ProgramCourseEnrollmentSerializer(serializers.Serializer):
    """A row of a program's roster in a course run."""

    student_key = serializers.CharField()
    status = serializers.ChoiceField(choices=ProgramCourseEnrollmentStatuses.__ALL__)
    account_exists = serializers.BooleanField()
    curriculum_uuid = serializers.UUIDField()
    course_staff = serializers.BooleanField()


class ProgramCourseGradeSerializer(serializers.Serializer):
    """A learner's course grade, or ``error`` (and no grade) when it cannot be read."""

    student_key = serializers.CharField()
    passed = serializers.BooleanField(required=False)
    percent = serializers.FloatField(required=False)
    letter_grade = serializers.CharField(required=False, allow_null=True)
    error = serializers.CharField(required=False)


class DueDateSerializer(serializers.Serializer):
    """A dated block of a course run: its name, where to jump to it, when it is due."""

    name = serializers.CharField(allow_blank=True)
    url = serializers.URLField()
    date = serializers.DateTimeField()


class CourseRunOverviewSerializer(serializers.Serializer):
    """A learner's course run of a program; the last five fields only where the data exists."""

    course_run_id = serializers.CharField()
    display_name = serializers.CharField(allow_blank=True)
    course_run_status = serializers.ChoiceField(
        choices=(
            CourseRunProgressStatuses.IN_PROGRESS,
            CourseRunProgressStatuses.UPCOMING,
            CourseRunProgressStatuses.COMPLETED,
        )
    )
    course_run_url = serializers.CharField()
    start_date = serializers.DateTimeField(allow_null=True)
    end_date = serializers.DateTimeField(allow_null=True)
    due_dates = DueDateSerializer(many=True)
    emails_enabled = serializers.BooleanField(required=False)
    certificate_download_url = serializers.CharField(required=False)
    micromasters_title = serializers.CharField(required=False)
    resume_course_run_url = serializers.CharField(required=False)


class CourseRunOverviewListSerializer(serializers.Serializer):
    """Every course run of the learner in the program, unpaginated."""

    course_runs = CourseRunOverviewSerializer(many=True)
