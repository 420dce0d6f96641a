"""Serializers of the scheduled bulk-email API, in the shape of Open edX's ``ScheduledBulkEmailSerializer``."""

from __future__ import annotations

from datetime import UTC

from rest_framework import serializers

from ...bulk_email import display_targets
from ...models import CourseEmail
from ...resolve import MAX_ID


class CourseEmailSerializer(serializers.Serializer):
    """The email a schedule sends; ``targets`` are display strings (``cohort-{name}``, ``track-{mode}``)."""

    id = serializers.IntegerField()
    subject = serializers.CharField()
    html_message = serializers.CharField()
    text_message = serializers.CharField()
    course_id = serializers.CharField(source="course_key")
    to_option = serializers.SerializerMethodField()
    sender = serializers.SerializerMethodField()
    targets = serializers.SerializerMethodField()

    def get_to_option(self, email: CourseEmail) -> str:
        return ""

    def get_sender(self, email: CourseEmail) -> str | None:
        return email.sender.username if email.sender else None

    def get_targets(self, email: CourseEmail) -> list[str]:
        return display_targets(email)


class ScheduledBulkEmailSerializer(serializers.Serializer):
    """One scheduled email: the schedule id, its task's pk, when it is due (UTC) and the email."""

    id = serializers.IntegerField()
    task = serializers.IntegerField(source="task_id")
    task_due = serializers.DateTimeField(source="due", default_timezone=UTC)
    course_email = CourseEmailSerializer(source="email")


class ScheduledEmailContentSerializer(serializers.Serializer):
    """New content of a scheduled email; ``message`` is HTML (the plain text is derived from it)."""

    id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    targets = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    subject = serializers.CharField(max_length=128, trim_whitespace=False)
    message = serializers.CharField(trim_whitespace=False)


class ScheduledBulkEmailUpdateSerializer(serializers.Serializer):
    """A new send time (naive is UTC, an offset is converted) and/or new content; both optional."""

    schedule = serializers.DateTimeField(required=False, default_timezone=UTC)
    email = ScheduledEmailContentSerializer(required=False)
