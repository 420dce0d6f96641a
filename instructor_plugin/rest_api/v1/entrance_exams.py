"""
Legacy entrance-exam endpoints, as thin adapters over :mod:`instructor_plugin.entrance_exams`.

A course without an entrance exam answers 400 ``"Course has no entrance exam section."``; a learner is
named by ``unique_student_identifier`` (a username or an email of a learner enrolled in the course).
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from ... import resolve
from ...backends.data import UserData
from ...entrance_exams import (
    allow_learner_to_skip,
    list_entrance_exam_tasks,
    start_exam_attempts_reset,
    start_exam_rescore,
    start_exam_state_deletion,
)
from ...exceptions import InstructorError
from ...permissions import (
    ALLOW_STUDENT_TO_BYPASS_ENTRANCE_EXAM,
    BULK_GRADING,
    GIVE_STUDENT_EXTENSION,
    RESCORE_EXAMS,
    SHOW_TASKS,
    has_permission,
)
from ..schema import InstructorAutoSchema, documented
from ..v2.serializers.tasks import InstructorTaskListSerializer
from .base import LegacyAPIView
from .grading import ALL_STUDENTS, TASK_SUBMISSION_OK

IDENTIFIER_HELP = "A username or an email."


class ResetEntranceExamRequestSerializer(serializers.Serializer):
    unique_student_identifier = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255, help_text=IDENTIFIER_HELP
    )
    all_students = serializers.BooleanField(default=False)
    delete_module = serializers.BooleanField(default=False)


class RescoreEntranceExamRequestSerializer(serializers.Serializer):
    unique_student_identifier = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255, help_text=IDENTIFIER_HELP
    )
    all_students = serializers.BooleanField(default=False)
    only_if_higher = serializers.BooleanField(default=False)


class EntranceExamTasksRequestSerializer(serializers.Serializer):
    unique_student_identifier = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255, help_text=IDENTIFIER_HELP
    )


class SkipEntranceExamRequestSerializer(serializers.Serializer):
    unique_student_identifier = serializers.CharField(max_length=255, help_text=IDENTIFIER_HELP)


class EntranceExamTaskSerializer(serializers.Serializer):
    student = serializers.CharField(help_text='The learner as sent, or "All Students".')
    task = serializers.ChoiceField(choices=[TASK_SUBMISSION_OK])


class SkipEntranceExamMessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class _EntranceExamView(LegacyAPIView):
    schema = InstructorAutoSchema()

    def learner(self, identifier: str) -> UserData | None:
        identifier = identifier.strip()
        return resolve.learner(self.course_key, identifier, enrolled=True) if identifier else None

    def require_instructor(self) -> None:
        if not has_permission(self.course_access, BULK_GRADING):
            raise PermissionDenied("Requires instructor access.", "permission_denied")


class ResetStudentAttemptsForEntranceExamView(_EntranceExamView):
    """
    Queue the reset of a learner's attempts on every entrance-exam problem, the deletion of their exam state,
    or (instructors) the reset of every learner's attempts.

    ``POST .../instructor/api/reset_student_attempts_for_entrance_exam`` ``unique_student_identifier=learner1``
    (``&delete_module=true`` to delete the state, instructors) -> ``200 {"student": "learner1", "task":
    "created"}``; ``all_students=true`` -> ``200 {"student": "All Students", "task": "created"}``. Neither, or
    ``all_students`` with a learner or with ``delete_module``, is a 400; the same task still running a 400.
    """

    permission_name = GIVE_STUDENT_EXTENSION

    @documented(request=ResetEntranceExamRequestSerializer, responses={200: EntranceExamTaskSerializer})
    def post(self, request, course_id):
        body = ResetEntranceExamRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["all_students"] or data["delete_module"]:
            self.require_instructor()
        user = self.learner(data["unique_student_identifier"])
        if data["all_students"] and user:
            raise InstructorError(message="all_students and unique_student_identifier are mutually exclusive.")
        if data["all_students"] and data["delete_module"]:
            raise InstructorError(message="all_students and delete_module are mutually exclusive.")
        if user is None and not data["all_students"]:
            raise InstructorError(message="Either unique_student_identifier or all_students is required.")
        if data["delete_module"] and user is not None:
            start_exam_state_deletion(request.user.pk, self.course_key, user)
        else:
            start_exam_attempts_reset(request.user.pk, self.course_key, user)
        student = data["unique_student_identifier"].strip() if user else ALL_STUDENTS
        return Response({"student": student, "task": TASK_SUBMISSION_OK})


class RescoreEntranceExamView(_EntranceExamView):
    """
    Queue the rescoring of a learner's answers on every entrance-exam problem, or of every learner's.

    ``POST .../instructor/api/rescore_entrance_exam`` ``unique_student_identifier=learner1&only_if_higher=true``
    -> ``200 {"student": "learner1", "task": "created"}``; ``all_students=true`` (or no learner, as the original)
    -> ``200 {"student": "All Students", "task": "created"}``. Both is a 400; the same task still running a 400.
    """

    permission_name = RESCORE_EXAMS

    @documented(request=RescoreEntranceExamRequestSerializer, responses={200: EntranceExamTaskSerializer})
    def post(self, request, course_id):
        body = RescoreEntranceExamRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = self.learner(data["unique_student_identifier"])
        if data["all_students"] and user:
            raise InstructorError(message="Cannot rescore with all_students and unique_student_identifier.")
        start_exam_rescore(request.user.pk, self.course_key, user, data["only_if_higher"])
        student = data["unique_student_identifier"].strip() if user else ALL_STUDENTS
        return Response({"student": student, "task": TASK_SUBMISSION_OK})


class ListEntranceExamInstructorTasksView(_EntranceExamView):
    """
    The latest tasks run on the entrance exam for every learner, or for one learner, newest first.

    ``POST .../instructor/api/list_entrance_exam_instructor_tasks`` (``unique_student_identifier=learner1``) ->
    ``200 {"tasks": [{"task_id": "6f1c...", "task_type": "rescore_entrance_exam", "task_state": "SUCCESS",
    "task_input": "{...}", "requester": "instructor", "created": "2026-12-01T10:00:00Z", "duration_sec": "1",
    "status": "Complete", "task_message": "Rescored 3 answers on 3 problems; 1 scores changed.", ...}]}``;
    an unknown learner is a 400 ``"Invalid student identifier"``.
    """

    permission_name = SHOW_TASKS

    @documented(request=EntranceExamTasksRequestSerializer, responses={200: InstructorTaskListSerializer})
    def post(self, request, course_id):
        body = EntranceExamTasksRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tasks = list_entrance_exam_tasks(self.course_key, body.validated_data["unique_student_identifier"].strip())
        return Response(InstructorTaskListSerializer({"tasks": tasks}).data)


class MarkStudentCanSkipEntranceExamView(_EntranceExamView):
    """
    Let a learner skip the course's entrance exam.

    ``POST .../instructor/api/mark_student_can_skip_entrance_exam`` ``unique_student_identifier=learner1`` ->
    ``200 {"message": "This student (learner1) will skip the entrance exam."}``, then ``"This student (learner1)
    is already allowed to skip the entrance exam."``; an unknown learner is the envelope's 404.
    """

    permission_name = ALLOW_STUDENT_TO_BYPASS_ENTRANCE_EXAM

    @documented(request=SkipEntranceExamRequestSerializer, responses={200: SkipEntranceExamMessageSerializer})
    def post(self, request, course_id):
        body = SkipEntranceExamRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        identifier = body.validated_data["unique_student_identifier"].strip()
        if allow_learner_to_skip(request.user.pk, self.course_key, identifier):
            message = f"This student ({identifier}) will skip the entrance exam."
        else:
            message = f"This student ({identifier}) is already allowed to skip the entrance exam."
        return Response({"message": message})
