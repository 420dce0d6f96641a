"""Request and response bodies of the program enrollments API, field for field as the original's."""

from __future__ import annotations

from rest_framework import serializers

from ...backends.data import ProgramCourseEnrollmentData, ProgramEnrollmentData


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
