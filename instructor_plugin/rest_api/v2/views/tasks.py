"""The background-task endpoints: one task's status and results, and the course's task list."""

from __future__ import annotations

from rest_framework.response import Response

from instructor_plugin import resolve
from instructor_plugin.grading import find_instructor_tasks
from instructor_plugin.instructor_tasks import list_task_results
from instructor_plugin.models import InstructorTask
from instructor_plugin.permissions import SHOW_TASKS, has_permission
from instructor_plugin.rest_api.pagination import BackendPagination
from instructor_plugin.rest_api.schema import documented
from instructor_plugin.rest_api.v2.serializers.tasks import (
    InstructorTaskListQuerySerializer,
    InstructorTaskListSerializer,
    TaskResultSerializer,
    TaskResultsQuerySerializer,
    TaskStatusSerializer,
)
from instructor_plugin.rest_api.views import CourseResolved

from .base import InstructorV2APIView


class _TaskView(InstructorV2APIView):
    """A view of one task: open to holders of ``instructor.show_tasks`` and to the task's requester."""

    permission_classes = (CourseResolved,)

    def get_task(self, task_id: str) -> InstructorTask:
        sees_all = has_permission(self.course_access, SHOW_TASKS)
        return resolve.task(self.course_key, task_id, requester_id=None if sees_all else self.request.user.pk)


class TaskStatusView(_TaskView):
    """
    Where one background task stands.

    ``GET .../tasks/6f1c...`` -> ``200 {"task_id": "6f1c...", "task_type": "rescore_problem", "state": "running",
    "progress": {"current": 200, "total": 1000}, "result": null, "error": null,
    "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T10:00:05Z"}``; a completed task carries
    ``result {"success": true, "message": "...", "succeeded": 998, "failed": 2, ...}``, a failed one
    ``error {"code": "TASK_FAILED", "message": "..."}``.
    """

    @documented(responses={200: TaskStatusSerializer}, summary="Background task status")
    def get(self, request, course_id, task_id):
        return Response(TaskStatusSerializer(self.get_task(task_id)).data)


class TaskResultsView(_TaskView):
    """
    What a task did per learner or identifier, in the order it did it, paginated.

    ``GET .../tasks/6f1c.../results?succeeded=false`` -> ``200 {"count": 2, ..., "results": [{"identifier":
    "learner7", "user_id": 12, "succeeded": false, "message": "No state found for this learner and problem",
    "detail": null}]}``
    """

    pagination_class = BackendPagination

    @documented(parameters=[TaskResultsQuerySerializer], responses={200: TaskResultSerializer(many=True)})
    def get(self, request, course_id, task_id):
        task = self.get_task(task_id)
        query = TaskResultsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = self.pagination_class()
        page = paginator.paginate(
            request, lambda window: list_task_results(task, query.validated_data["succeeded"], window)
        )
        return paginator.get_paginated_response(TaskResultSerializer(page.items, many=True).data)


class InstructorTaskListView(InstructorV2APIView):
    """
    The course's pending and running tasks, or the task history of a problem (and learner).

    ``GET .../instructor_tasks?problem_location_str=block-v1:...@q1&unique_student_identifier=learner1`` ->
    ``200 {"tasks": [{"task_id": "6f1c...", "task_type": "rescore_problem", "task_state": "SUCCESS",
    "task_input": "{...}", "requester": "instructor", "created": "2026-12-01T10:00:00Z", "duration_sec": "3",
    "status": "Complete", "task_message": "Rescored 1 of 1 learners.", "task_output": "{...}"}]}``
    """

    permission_name = SHOW_TASKS

    @documented(parameters=[InstructorTaskListQuerySerializer], responses={200: InstructorTaskListSerializer})
    def get(self, request, course_id):
        query = InstructorTaskListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        tasks = find_instructor_tasks(
            self.course_key,
            query.validated_data.get("problem_location_str", "").strip(),
            query.validated_data.get("unique_student_identifier", "").strip(),
        )
        return Response(InstructorTaskListSerializer({"tasks": tasks}).data)
