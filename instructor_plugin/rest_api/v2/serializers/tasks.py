"""Serializers of the background-task endpoints."""

from __future__ import annotations

import json

from rest_framework import serializers

from instructor_plugin.instructor_tasks import task_message
from instructor_plugin.models import InstructorTask

#: Our states as Celery names them, for the legacy task list the MFE's Pending Tasks panel reads.
CELERY_STATES = {
    InstructorTask.PENDING: "PENDING",
    InstructorTask.RUNNING: "PROGRESS",
    InstructorTask.COMPLETED: "SUCCESS",
    InstructorTask.FAILED: "FAILURE",
}


class TaskStatusSerializer(serializers.Serializer):
    """One task's state, progress, result and error; missing parts are ``null``."""

    task_id = serializers.CharField()
    task_type = serializers.CharField()
    state = serializers.ChoiceField(choices=[state for state, _ in InstructorTask.STATES])
    progress = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="created")
    updated_at = serializers.DateTimeField(source="updated")

    def get_progress(self, task: InstructorTask) -> dict | None:
        if task.progress_total is None:
            return None
        return {"current": task.progress_current, "total": task.progress_total}

    def get_result(self, task: InstructorTask) -> dict | None:
        if task.state != InstructorTask.COMPLETED:
            return None
        return {"success": True, "message": task_message(task), **(task.output or {})}

    def get_error(self, task: InstructorTask) -> dict | None:
        if task.state != InstructorTask.FAILED:
            return None
        return {"code": "TASK_FAILED", "message": task.error or "Task failed"}


class InstructorTaskSerializer(serializers.Serializer):
    """A task as the MFE's Pending Tasks panel reads it (Open edX's task features)."""

    task_id = serializers.CharField()
    task_type = serializers.CharField()
    task_state = serializers.SerializerMethodField()
    task_input = serializers.SerializerMethodField()
    requester = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    duration_sec = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    task_message = serializers.SerializerMethodField()
    task_output = serializers.SerializerMethodField()

    def get_task_state(self, task: InstructorTask) -> str:
        return CELERY_STATES[task.state]

    def get_task_input(self, task: InstructorTask) -> str:
        return json.dumps(task.task_input)

    def get_requester(self, task: InstructorTask) -> str:
        return task.requester.username if task.requester else ""

    def get_duration_sec(self, task: InstructorTask) -> str:
        duration_ms = (task.output or {}).get("duration_ms")
        return str(int(duration_ms / 1000)) if duration_ms is not None else "unknown"

    def get_status(self, task: InstructorTask) -> str:
        return "Complete" if task.state == InstructorTask.COMPLETED else "Incomplete"

    def get_task_message(self, task: InstructorTask) -> str:
        return task_message(task)

    def get_task_output(self, task: InstructorTask) -> str | None:
        return json.dumps(task.output) if task.output is not None else None


class InstructorTaskListSerializer(serializers.Serializer):
    tasks = InstructorTaskSerializer(many=True)


class InstructorTaskListQuerySerializer(serializers.Serializer):
    problem_location_str = serializers.CharField(required=False, allow_blank=True, help_text="A problem usage key.")
    unique_student_identifier = serializers.CharField(
        required=False, allow_blank=True, help_text="A username or email; needs problem_location_str."
    )


class TaskResultSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    user_id = serializers.IntegerField(allow_null=True)
    succeeded = serializers.BooleanField()
    message = serializers.CharField(allow_blank=True)
    detail = serializers.JSONField(allow_null=True)


class TaskResultsQuerySerializer(serializers.Serializer):
    succeeded = serializers.BooleanField(required=False, allow_null=True, default=None)


class AsyncOperationSerializer(serializers.Serializer):
    """The 202 answer of every endpoint that starts a background task."""

    task_id = serializers.CharField()
    status_url = serializers.CharField(help_text="Poll this for the task's state.")
    message = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    scope = serializers.DictField(required=False)
