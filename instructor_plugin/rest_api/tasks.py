"""How endpoints answer work they hand to a background task."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import status
from rest_framework.response import Response

from ..models import InstructorTask


def task_status_path(task: InstructorTask) -> str:
    """The path a client polls for the task's state."""
    return reverse(
        "instructor_api_v2:task_status", kwargs={"course_id": str(task.course_key), "task_id": str(task.task_id)}
    )


def accepted(task: InstructorTask, **extra: object) -> Response:
    """``202 {"task_id", "status_url", **extra}``."""
    body = {"task_id": str(task.task_id), "status_url": task_status_path(task), **extra}
    return Response(body, status=status.HTTP_202_ACCEPTED)
