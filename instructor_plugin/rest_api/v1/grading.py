"""
Legacy grading endpoints, as thin adapters over the grading functions the v2 views use.

A problem is named by ``problem_to_reset`` and a learner by ``unique_student_identifier`` (enrolled, as on
v2); an unknown problem or learner answers the envelope's 404, a malformed problem key its 400.
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from ... import resolve
from ...backends.data import BlockData, UserData
from ...exceptions import InstructorError
from ...grading import (
    StateNotFound,
    delete_problem_state,
    get_grading_config_text,
    reset_learner_attempts,
    start_all_attempts_reset,
    start_rescore,
    start_score_override,
)
from ...permissions import BULK_GRADING, CAN_RESEARCH, GIVE_STUDENT_EXTENSION, OVERRIDE_GRADES, has_permission
from ..schema import InstructorAutoSchema, documented
from .base import LegacyAPIView

#: The original's ``task`` value once a background task is queued.
TASK_SUBMISSION_OK = "created"
ALL_STUDENTS = "All Students"


class ModuleDoesNotExist(InstructorError):
    """The learner holds no state on the problem (the original's 400 ``"Module does not exist."``)."""

    error_code = "module_does_not_exist"
    message = "Module does not exist."


class LegacyGradingConfigSerializer(serializers.Serializer):
    course_id = serializers.CharField()
    grading_config_summary = serializers.CharField(help_text="The grading policy, one line per grader.")


class GetGradingConfigView(LegacyAPIView):
    """
    The course's grading policy as readable text (the v2 ``grading-config`` text).

    ``POST .../instructor/api/get_grading_config`` -> ``200 {"course_id": "course-v1:...",
    "grading_config_summary": "Graders:\\n  Homework (HW): weight 30%, ..."}``
    """

    permission_name = CAN_RESEARCH
    schema = InstructorAutoSchema()

    @documented(request=None, responses={200: LegacyGradingConfigSerializer})
    def post(self, request, course_id):
        return Response(
            {"course_id": str(self.course_key), "grading_config_summary": get_grading_config_text(self.course_key)}
        )


class ProblemRequestSerializer(serializers.Serializer):
    problem_to_reset = serializers.CharField(max_length=1000, help_text="The problem's usage key.")
    unique_student_identifier = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255, help_text="A username or an email."
    )
    all_students = serializers.BooleanField(default=False)


class ResetStudentAttemptsRequestSerializer(ProblemRequestSerializer):
    delete_module = serializers.BooleanField(default=False)


class RescoreProblemRequestSerializer(ProblemRequestSerializer):
    only_if_higher = serializers.BooleanField(default=False)


class OverrideProblemScoreRequestSerializer(serializers.Serializer):
    problem_to_reset = serializers.CharField(max_length=1000)
    unique_student_identifier = serializers.CharField(max_length=255)
    score = serializers.FloatField(min_value=0, max_value=1e9)


class ProblemTaskSerializer(serializers.Serializer):
    problem_to_reset = serializers.CharField(help_text="The problem's usage key, as sent.")
    student = serializers.CharField(
        required=False, help_text='The learner as sent, or "All Students"; absent when every learner\'s is rescored.'
    )
    task = serializers.ChoiceField(
        choices=[TASK_SUBMISSION_OK], required=False, help_text="Present once a background task is queued."
    )


class _ProblemView(LegacyAPIView):
    """What the problem endpoints share: the problem, the learner, the instructor check for every learner."""

    schema = InstructorAutoSchema()

    def problem(self, text: str) -> BlockData:
        return resolve.block(self.course_key, text, resolve.PROBLEM)

    def learner(self, identifier: str) -> UserData:
        return resolve.learner(self.course_key, identifier.strip(), enrolled=True)

    def require_instructor(self) -> None:
        if not has_permission(self.course_access, BULK_GRADING):
            raise PermissionDenied("Requires instructor access.", "permission_denied")


class ResetStudentAttemptsView(_ProblemView):
    """
    Reset a learner's attempts (or delete their state) at once, or queue the reset of every learner's attempts.

    ``POST .../instructor/api/reset_student_attempts`` ``problem_to_reset=block-v1:...&unique_student_identifier=
    learner1`` (``&delete_module=true`` to delete the state) -> ``200 {"problem_to_reset": "block-v1:...",
    "student": "learner1"}``; ``all_students=true`` (instructors) -> ``200 {"problem_to_reset": "block-v1:...",
    "task": "created", "student": "All Students"}``. ``all_students`` with a learner or with ``delete_module``,
    or neither, is a 400; a learner without state a 400 ``"Module does not exist."``.
    """

    permission_name = GIVE_STUDENT_EXTENSION

    @documented(request=ResetStudentAttemptsRequestSerializer, responses={200: ProblemTaskSerializer})
    def post(self, request, course_id):
        body = ResetStudentAttemptsRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["all_students"]:
            self.require_instructor()
        identifier = data["unique_student_identifier"]
        if data["all_students"] and identifier:
            raise InstructorError(message="all_students and unique_student_identifier are mutually exclusive.")
        if data["all_students"] and data["delete_module"]:
            raise InstructorError(message="all_students and delete_module are mutually exclusive.")
        if not (data["all_students"] or identifier):
            raise InstructorError(message="Either unique_student_identifier or all_students is required.")
        problem = self.problem(data["problem_to_reset"])
        payload = {"problem_to_reset": data["problem_to_reset"]}
        if data["all_students"]:
            start_all_attempts_reset(request.user.pk, self.course_key, problem.usage_key)
            return Response({**payload, "task": TASK_SUBMISSION_OK, "student": ALL_STUDENTS})
        user = self.learner(identifier)
        operation = delete_problem_state if data["delete_module"] else reset_learner_attempts
        try:
            operation(request.user.pk, self.course_key, problem.usage_key, user)
        except StateNotFound:
            raise ModuleDoesNotExist(problem.usage_key, user.id) from None
        return Response({**payload, "student": identifier})


class RescoreProblemView(_ProblemView):
    """
    Queue the rescoring of a learner's answers, or of every learner's (instructors).

    ``POST .../instructor/api/rescore_problem`` ``problem_to_reset=block-v1:...&unique_student_identifier=learner1
    &only_if_higher=true`` -> ``200 {"problem_to_reset": "block-v1:...", "student": "learner1", "task": "created"}``;
    ``all_students=true`` -> ``200 {"problem_to_reset": "block-v1:...", "task": "created"}``. Neither is a 400
    ``"Missing query parameters."``, both a 400; one already running a 400.
    """

    permission_name = OVERRIDE_GRADES

    @documented(request=RescoreProblemRequestSerializer, responses={200: ProblemTaskSerializer})
    def post(self, request, course_id):
        body = RescoreProblemRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["all_students"]:
            self.require_instructor()
        identifier = data["unique_student_identifier"]
        if not (data["all_students"] or identifier):
            raise InstructorError(message="Missing query parameters.")
        if data["all_students"] and identifier:
            raise InstructorError(message="Cannot rescore with all_students and unique_student_identifier.")
        problem = self.problem(data["problem_to_reset"])
        payload = {"problem_to_reset": data["problem_to_reset"]}
        user = None if data["all_students"] else self.learner(identifier)
        if user is not None:
            payload["student"] = identifier
        try:
            start_rescore(request.user.pk, self.course_key, problem.usage_key, user, data["only_if_higher"])
        except StateNotFound:
            raise ModuleDoesNotExist(problem.usage_key, identifier) from None
        return Response({**payload, "task": TASK_SUBMISSION_OK})


class OverrideProblemScoreView(_ProblemView):
    """
    Queue the override of a learner's score on a problem.

    ``POST .../instructor/api/override_problem_score`` ``problem_to_reset=block-v1:...&unique_student_identifier=
    learner1&score=0.5`` -> ``200 {"problem_to_reset": "block-v1:...", "student": "learner1", "task": "created"}``;
    a score above the problem's maximum is a 400.
    """

    permission_name = OVERRIDE_GRADES

    @documented(request=OverrideProblemScoreRequestSerializer, responses={200: ProblemTaskSerializer})
    def post(self, request, course_id):
        body = OverrideProblemScoreRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        problem = self.problem(data["problem_to_reset"])
        user = self.learner(data["unique_student_identifier"])
        try:
            start_score_override(request.user.pk, self.course_key, problem.usage_key, user, data["score"])
        except StateNotFound:
            raise ModuleDoesNotExist(problem.usage_key, user.id) from None
        return Response(
            {
                "problem_to_reset": data["problem_to_reset"],
                "student": data["unique_student_identifier"],
                "task": TASK_SUBMISSION_OK,
            }
        )
