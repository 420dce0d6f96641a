"""The problem look-up, the grading configuration, and the grading operations on one problem."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiTypes
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from instructor_plugin import resolve
from instructor_plugin.backends.data import BlockData, UserData
from instructor_plugin.grading import (
    delete_problem_state,
    get_grading_config_text,
    get_problem_detail,
    reset_learner_attempts,
    start_all_attempts_reset,
    start_rescore,
    start_score_override,
)
from instructor_plugin.models import InstructorTask
from instructor_plugin.permissions import (
    BULK_GRADING,
    GIVE_STUDENT_EXTENSION,
    OVERRIDE_GRADES,
    VIEW_DASHBOARD,
    has_permission,
)
from instructor_plugin.rest_api.errors import BadRequest
from instructor_plugin.rest_api.schema import documented
from instructor_plugin.rest_api.tasks import accepted
from instructor_plugin.rest_api.v2.serializers.grading import (
    AsyncOperationResultSerializer,
    LearnerParameterSerializer,
    ProblemQuerySerializer,
    ProblemSerializer,
    RescoreRequestSerializer,
    ScoreOverrideRequestSerializer,
    SyncOperationResultSerializer,
)

from .base import InstructorV2APIView


class ProblemView(InstructorV2APIView):
    """
    A problem of the course with its breadcrumbs, and a learner's score and attempts on it.

    ``GET .../problems/block-v1:OpenedX+DemoX+Demo_Course+type@problem+block@hw1_q1?email_or_username=learner1``
    -> ``200 {"id": "block-v1:...+block@hw1_q1", "name": "Question 1", "breadcrumbs": [{"display_name":
    "Open edX Demo Course", "usage_key": null}, ..., {"display_name": "Question 1", "usage_key": "block-v1:..."}],
    "current_score": {"score": 1.0, "total": 1.0}, "attempts": {"current": 2, "total": 3}}``;
    a malformed key is a 400, a block of another course a 404.
    """

    permission_name = VIEW_DASHBOARD

    @documented(parameters=[ProblemQuerySerializer], responses={200: ProblemSerializer}, summary="Look up a problem")
    def get(self, request, course_id, location):
        query = ProblemQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        detail = get_problem_detail(self.course_key, location, query.validated_data.get("email_or_username"))
        return Response(ProblemSerializer(detail).data)


class GradingConfigView(InstructorV2APIView):
    """
    The course's grading policy as readable text, answered as a JSON string (the MFE shows it in a text box).

    ``GET .../grading-config`` -> ``200 "Graders:\\n  Homework (HW): weight 30%, at least 3, 1 dropped\\n..."``
    """

    permission_name = VIEW_DASHBOARD

    @documented(responses={200: OpenApiTypes.STR}, summary="Grading configuration")
    def get(self, request, course_id):
        return Response(get_grading_config_text(self.course_key))


@method_decorator(never_cache, name="dispatch")
class _ProblemOperationView(InstructorV2APIView):
    """A grading operation on ``{problem}``, for the learner in query or body ``learner`` or for everyone."""

    #: Validates the operation's input: the query's parameters and the body's fields (the query's win).
    input_serializer: type[serializers.Serializer] = LearnerParameterSerializer

    def problem(self) -> BlockData:
        return resolve.block(self.course_key, self.kwargs["problem"], resolve.PROBLEM)

    def operation_input(self) -> dict:
        body = self.request.data
        data = (
            {**{key: body[key] for key in body}, **self.request.query_params.dict()}
            if isinstance(body, Mapping)
            else body
        )
        serializer = self.input_serializer(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def learner(self, identifier: str) -> UserData:
        """The enrolled learner named by ``identifier``, which is required."""
        if not identifier:
            raise BadRequest("The learner parameter is required.", "learner_required")
        return resolve.learner(self.course_key, identifier, enrolled=True)

    def learner_or_everyone(self, identifier: str) -> UserData | None:
        """The learner named, or ``None`` for every learner (a bulk operation, for instructors only)."""
        if identifier:
            return self.learner(identifier)
        if not has_permission(self.course_access, BULK_GRADING):
            raise PermissionDenied("Instructor access required for bulk operations.", "permission_denied")
        return None

    @staticmethod
    def accepted(task: InstructorTask, problem: BlockData, user: UserData | None) -> Response:
        scope = {"learners": user.username if user else "all", "problem_location": str(problem.usage_key)}
        return accepted(task, scope=scope)


class ResetAttemptsView(_ProblemOperationView):
    """
    Reset a learner's attempts on the problem (at once), or every learner's (instructors, in the background).

    ``POST .../block-v1:...+block@hw1_q1/grading/attempts/reset`` form ``learner=learner1`` ->
    ``200 {"success": true, "learner": "learner1", "problem_location": "block-v1:...", "score": 1.0,
    "previous_score": 1.0, "message": "Attempts reset successfully"}``; without ``learner`` ->
    ``202 {"task_id": "...", "status_url": "/api/instructor/v2/courses/.../tasks/...",
    "scope": {"learners": "all", "problem_location": "block-v1:..."}}``.
    """

    permission_name = GIVE_STUDENT_EXTENSION

    @documented(
        request=LearnerParameterSerializer,
        responses={200: SyncOperationResultSerializer, 202: AsyncOperationResultSerializer},
        errors=(409,),
        summary="Reset problem attempts",
    )
    def post(self, request, course_id, problem):
        block = self.problem()
        user = self.learner_or_everyone(self.operation_input()["learner"])
        if user is None:
            task = start_all_attempts_reset(request.user.pk, self.course_key, block.usage_key)
            return self.accepted(task, block, user)
        result = reset_learner_attempts(request.user.pk, self.course_key, block.usage_key, user)
        return Response(SyncOperationResultSerializer(result).data)


class DeleteStateView(_ProblemOperationView):
    """
    Delete a learner's state and score on the problem; their course grade is recomputed.

    ``DELETE .../block-v1:...+block@hw1_q1/grading/state`` form ``learner=learner1`` ->
    ``200 {"success": true, "learner": "learner1", "problem_location": "block-v1:...", "score": null,
    "previous_score": 1.0, "message": "State deleted successfully"}``
    """

    permission_name = GIVE_STUDENT_EXTENSION

    @documented(
        request=LearnerParameterSerializer,
        responses={200: SyncOperationResultSerializer},
        summary="Delete a learner's problem state",
    )
    def delete(self, request, course_id, problem):
        block = self.problem()
        user = self.learner(self.operation_input()["learner"])
        result = delete_problem_state(request.user.pk, self.course_key, block.usage_key, user)
        return Response(SyncOperationResultSerializer(result).data)


class RescoreView(_ProblemOperationView):
    """
    Grade a learner's saved answers again, or every learner's (instructors), in the background.

    ``POST .../block-v1:...+block@hw1_q1/grading/scores/rescore`` form ``only_if_higher=true&learner=learner1`` ->
    ``202 {"task_id": "...", "status_url": "/api/instructor/v2/courses/.../tasks/...",
    "scope": {"learners": "learner1", "problem_location": "block-v1:..."}}``
    """

    permission_name = OVERRIDE_GRADES
    input_serializer = RescoreRequestSerializer

    @documented(
        request=RescoreRequestSerializer,
        responses={202: AsyncOperationResultSerializer},
        errors=(409,),
        summary="Rescore a problem",
    )
    def post(self, request, course_id, problem):
        block = self.problem()
        data = self.operation_input()
        user = self.learner_or_everyone(data["learner"])
        task = start_rescore(request.user.pk, self.course_key, block.usage_key, user, data["only_if_higher"])
        return self.accepted(task, block, user)


class ScoreOverrideView(_ProblemOperationView):
    """
    Replace a learner's score on the problem, in the background.

    ``PUT .../block-v1:...+block@hw1_q1/grading/scores`` form ``learner=learner1&new_score=0.5`` ->
    ``202 {"task_id": "...", "status_url": "/api/instructor/v2/courses/.../tasks/...",
    "scope": {"learners": "learner1", "problem_location": "block-v1:..."}}``; a score above the
    problem's maximum is a 400.
    """

    permission_name = OVERRIDE_GRADES
    input_serializer = ScoreOverrideRequestSerializer

    @documented(
        request=ScoreOverrideRequestSerializer,
        responses={202: AsyncOperationResultSerializer},
        errors=(409,),
        summary="Override a learner's score",
    )
    def put(self, request, course_id, problem):
        block = self.problem()
        data = self.operation_input()
        user = self.learner(data["learner"])
        score = data["score"]
        task = start_score_override(request.user.pk, self.course_key, block.usage_key, user, score)
        return self.accepted(task, block, user)
