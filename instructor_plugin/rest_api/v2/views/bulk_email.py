"""Sending a course email to recipient groups, now or at a set time."""

from __future__ import annotations

from datetime import UTC

from rest_framework.fields import DateTimeField

from instructor_plugin.bulk_email import send_course_email
from instructor_plugin.permissions import EMAIL
from instructor_plugin.rest_api.schema import documented
from instructor_plugin.rest_api.tasks import accepted
from instructor_plugin.rest_api.v2.serializers.bulk_email import (
    SendEmailRequestSerializer,
    SendEmailResponseSerializer,
)

from .base import InstructorV2APIView


class CourseEmailsView(InstructorV2APIView):
    """
    Send an email to recipient groups of the course, now or at ``schedule``.

    ``POST .../emails`` ``{"subject": "Week 2", "message": "<p>Hello</p>", "targets": ["learners",
    "cohort:Blue"], "schedule": "2027-01-10T09:00:00+02:00"}`` -> ``202 {"task_id": "6f1c...",
    "status_url": "/api/instructor/v2/courses/.../tasks/6f1c...", "status": "The email is scheduled.",
    "email_id": 7, "schedule": "2027-01-10T07:00:00Z"}``. Without ``schedule`` the task is queued at once.
    A time in the past (``schedule_in_past``), no targets (``no_targets``), an unknown target, cohort or
    track (``unknown_target``, ``unknown_cohort``, ``unknown_track``) are 400s.
    """

    permission_name = EMAIL

    @documented(
        request=SendEmailRequestSerializer,
        responses={202: SendEmailResponseSerializer},
        errors=(400,),
        summary="Send or schedule a course email",
    )
    def post(self, request, course_id):
        body = SendEmailRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        schedule = data.get("schedule")
        task = send_course_email(
            self.course_key, request.user.pk, data["subject"], data["message"], data["targets"], schedule
        )
        status = "The email is scheduled." if schedule else "The email is being sent."
        due = DateTimeField(default_timezone=UTC).to_representation(schedule) if schedule else None
        return accepted(task, status=status, email_id=task.task_input["email_id"], schedule=due)
