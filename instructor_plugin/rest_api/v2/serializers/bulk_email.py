"""Serializers of the course-email endpoint."""

from __future__ import annotations

from datetime import UTC

from rest_framework import serializers


class SendEmailRequestSerializer(serializers.Serializer):
    """
    An email to send now, or at ``schedule`` (ISO 8601; naive is UTC, an offset is converted to UTC).

    ``message`` is the HTML body (``body`` is accepted for it); targets are ``myself``, ``staff``,
    ``learners``, ``cohort:<name>`` and ``track:<mode>``.
    """

    subject = serializers.CharField(max_length=128, trim_whitespace=False)
    message = serializers.CharField(required=False, trim_whitespace=False)
    body = serializers.CharField(required=False, trim_whitespace=False, write_only=True)
    targets = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    schedule = serializers.DateTimeField(required=False, allow_null=True, default_timezone=UTC)

    def validate(self, attrs: dict) -> dict:
        message = attrs.pop("message", None) or attrs.pop("body", None)
        attrs.pop("body", None)
        if not message:
            raise serializers.ValidationError({"message": ["This field is required."]})
        return {**attrs, "message": message}


class SendEmailResponseSerializer(serializers.Serializer):
    """The queued (or scheduled) email task."""

    task_id = serializers.CharField()
    status_url = serializers.CharField()
    status = serializers.CharField()
    email_id = serializers.IntegerField()
    schedule = serializers.DateTimeField(allow_null=True)
