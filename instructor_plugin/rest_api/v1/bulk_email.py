"""
Legacy course-email endpoints: send (now or scheduled), and the lists of email tasks and of sent emails.

Sending records the same email and task as ``POST /api/instructor/v2/courses/{id}/emails``.
"""

from __future__ import annotations

import json
from datetime import UTC

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from ...bulk_email import list_email_tasks, list_sent_emails, long_display_targets, send_course_email
from ...permissions import EMAIL
from ..schema import InstructorAutoSchema, documented
from ..v2.serializers.tasks import InstructorTaskListSerializer, InstructorTaskSerializer
from .base import NO_BODY, LegacyAPIView


class SendToField(serializers.CharField):
    """The recipient groups as a JSON list in a string: ``["myself", "cohort:Blue"]``."""

    default_error_messages = {"not_a_list": 'Must be a JSON list of targets, e.g. ["learners"].'}

    def to_internal_value(self, data) -> list[str]:  # type: ignore[override]
        try:
            targets = json.loads(super().to_internal_value(data))
        except (ValueError, RecursionError):
            self.fail("not_a_list")
        if not isinstance(targets, list) or not all(isinstance(target, str) for target in targets):
            self.fail("not_a_list")
        return targets


class LegacySendEmailRequestSerializer(serializers.Serializer):
    send_to = SendToField(
        max_length=10_000, help_text='A JSON list: "myself", "staff", "learners", "cohort:<name>", "track:<mode>".'
    )
    subject = serializers.CharField(max_length=128, trim_whitespace=False)
    message = serializers.CharField(trim_whitespace=False, max_length=1_000_000)
    schedule = serializers.DateTimeField(required=False, allow_null=True, default_timezone=UTC)


class SendEmailView(LegacyAPIView):
    """
    Send an email to recipient groups of the course, now or at ``schedule`` (ISO 8601, UTC when naive).

    ``POST .../instructor/api/send_email`` ``send_to=["learners","cohort:Blue"]&subject=Week 2
    &message=<p>Hello</p>&schedule=2027-01-10T09:00:00`` -> ``200 {"course_id": "course-v1:...", "success": true}``;
    no targets, an unknown target, cohort or track, or a schedule in the past are 400s.
    """

    permission_name = EMAIL
    schema = InstructorAutoSchema()

    @documented(
        request=LegacySendEmailRequestSerializer,
        responses={
            200: inline_serializer(
                "LegacyEmailSent", {"course_id": serializers.CharField(), "success": serializers.BooleanField()}
            )
        },
    )
    def post(self, request, course_id):
        body = LegacySendEmailRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        send_course_email(
            self.course_key, request.user.pk, data["subject"], data["message"], data["send_to"], data.get("schedule")
        )
        return Response({"course_id": str(self.course_key), "success": True})


class ListBackgroundEmailTasksView(LegacyAPIView):
    """
    The course's email tasks, newest first, as the task list shows tasks.

    ``POST .../instructor/api/list_background_email_tasks`` -> ``200 {"tasks": [{"task_id": "6f1c...",
    "task_type": "bulk_course_email", "task_state": "SUCCESS", "task_input": "{\\"email_id\\": 7, ...}",
    "requester": "instructor", "created": "2026-12-01T10:30:00Z", "duration_sec": "2", "status": "Complete",
    "task_message": "Sent to 11 of 11 recipients (0 failed, 0 already sent).", "task_output": "{...}"}]}``
    """

    permission_name = EMAIL
    schema = InstructorAutoSchema()

    @documented(request=NO_BODY, responses={200: InstructorTaskListSerializer})
    def post(self, request, course_id):
        return Response({"tasks": InstructorTaskSerializer(list_email_tasks(self.course_key), many=True).data})


def _number_sent(output: dict | None) -> str:
    sent, failed = (output or {}).get("sent", 0), (output or {}).get("failed", 0)
    text = f"{sent} sent"
    return f"{text}, {failed} failed" if failed else text


SENT_EMAILS_RESPONSE = inline_serializer(
    "LegacySentEmails",
    {
        "emails": inline_serializer(
            "LegacySentEmail",
            {
                "created": serializers.DateTimeField(help_text="When it was sent, or is due."),
                "sent_to": serializers.ListField(child=serializers.CharField()),
                "requester": serializers.CharField(allow_blank=True),
                "email": inline_serializer(
                    "LegacySentEmailContent",
                    {
                        "subject": serializers.CharField(),
                        "html_message": serializers.CharField(),
                        "id": serializers.CharField(),
                    },
                ),
                "number_sent": serializers.CharField(),
            },
            many=True,
        )
    },
)


class ListEmailContentView(LegacyAPIView):
    """
    The course's emails, newest first: when sent (or due), to whom, by whom, what, and how many were sent.

    ``POST .../instructor/api/list_email_content`` -> ``200 {"emails": [{"created": "2026-12-01T10:30:00Z",
    "sent_to": ["All students", "Cohort: Blue"], "requester": "instructor", "email": {"subject": "Week 2",
    "html_message": "<p>Hello</p>", "id": "7"}, "number_sent": "11 sent, 1 failed"}]}``
    """

    permission_name = EMAIL
    schema = InstructorAutoSchema()

    @documented(request=NO_BODY, responses={200: SENT_EMAILS_RESPONSE})
    def post(self, request, course_id):
        created = serializers.DateTimeField()
        emails = [
            {
                "created": created.to_representation(sent.due or sent.email.created),
                "sent_to": long_display_targets(sent.email),
                "requester": sent.task.requester.username if sent.task.requester else "",
                "email": {
                    "subject": sent.email.subject,
                    "html_message": sent.email.html_message,
                    "id": str(sent.email.pk),
                },
                "number_sent": _number_sent(sent.task.output),
            }
            for sent in list_sent_emails(self.course_key)
        ]
        return Response({"emails": emails})
