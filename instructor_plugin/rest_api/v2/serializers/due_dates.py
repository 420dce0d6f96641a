"""Serializers of the due-date extension endpoints."""

from rest_framework import serializers

from instructor_plugin.due_dates import InvalidDueDate, parse_due_datetime


class ChangeDueDateRequestSerializer(serializers.Serializer):
    block_id = serializers.CharField(help_text="The usage key of a dated unit of the course.")
    due_datetime = serializers.CharField(
        help_text="ISO 8601; a naive date and time is taken as UTC, an aware one is converted to UTC."
    )
    email_or_username = serializers.CharField(max_length=255, help_text="An enrolled learner.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Stored as given.")

    def validate_due_datetime(self, value: str):
        try:
            return parse_due_datetime(value)
        except InvalidDueDate:
            raise serializers.ValidationError("The extension due date and time format is incorrect") from None


class DueDateMessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class GradedSubsectionSerializer(serializers.Serializer):
    display_name = serializers.CharField()
    subsection_id = serializers.CharField()


class GradedSubsectionsSerializer(serializers.Serializer):
    items = GradedSubsectionSerializer(many=True)


class UnitExtensionsQuerySerializer(serializers.Serializer):
    email_or_username = serializers.CharField(
        required=False, allow_blank=True, help_text="Substring of username or email (case-insensitive)."
    )
    block_id = serializers.CharField(required=False, allow_blank=True, help_text="Only the extensions on this unit.")


class UnitExtensionSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    full_name = serializers.CharField(source="user.full_name")
    email = serializers.EmailField(source="user.email")
    unit_title = serializers.SerializerMethodField()
    unit_location = serializers.CharField(source="usage_key")
    extended_due_date = serializers.DateTimeField(source="due")

    def get_unit_title(self, row) -> str:
        return row.display_name or str(row.usage_key)


class ResetDueDateRequestSerializer(serializers.Serializer):
    student = serializers.CharField(max_length=255, help_text="The learner's username or email.")
    url = serializers.CharField(help_text="The usage key of the unit.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
