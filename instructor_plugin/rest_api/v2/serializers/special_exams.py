"""Serializers of the special-exam and proctoring-settings endpoints."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from instructor_plugin.backends.data import SpecialExamData
from instructor_plugin.resolve import MAX_ID
from instructor_plugin.rest_api.fields import AbsentAwareBooleanField
from instructor_plugin.special_exams import ALLOWANCE_TYPES, exam_type

#: The most learners, and exams, one allowance request may name.
MAX_LEARNERS = 1000
MAX_EXAMS = 100
MAX_IDENTIFIER_LENGTH = 255


class SpecialExamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course_id = serializers.CharField(source="course_key")
    content_id = serializers.CharField()
    exam_name = serializers.CharField()
    time_limit_mins = serializers.IntegerField(allow_null=True)
    due_date = serializers.DateTimeField(allow_null=True)
    exam_type = serializers.SerializerMethodField(help_text="practice, proctored or timed.")
    is_proctored = serializers.BooleanField()
    is_practice_exam = serializers.BooleanField()
    is_active = serializers.BooleanField()
    hide_after_due = serializers.BooleanField()
    backend = serializers.CharField(allow_null=True)

    def get_exam_type(self, exam: SpecialExamData) -> str:
        return exam_type(exam)


class SpecialExamsQuerySerializer(serializers.Serializer):
    exam_type = serializers.CharField(
        required=False, allow_blank=True, help_text="proctored, practice or timed (any case); anything else: all."
    )


class ExamUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()


class ExamAttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = ExamUserSerializer()
    exam_id = serializers.IntegerField(source="exam.id")
    exam_name = serializers.CharField(source="exam.exam_name")
    exam_type = serializers.SerializerMethodField()
    status = serializers.CharField()
    start_time = serializers.DateTimeField(source="started_at", allow_null=True)
    end_time = serializers.DateTimeField(source="completed_at", allow_null=True)
    allowed_time_limit_mins = serializers.IntegerField(allow_null=True)
    ready_to_resume = serializers.BooleanField()

    def get_exam_type(self, attempt) -> str:
        return exam_type(attempt.exam)


class ExamAllowanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created = serializers.DateTimeField(allow_null=True)
    modified = serializers.DateTimeField(allow_null=True)
    user = ExamUserSerializer()
    key = serializers.CharField(help_text="The allowance type.")
    value = serializers.CharField()
    proctored_exam = SpecialExamSerializer(source="exam")


class ExamListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, help_text="Substring of the username or email (case-insensitive)."
    )
    ordering = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="A column, ``-`` first for descending: user.username, user.email, exam_name "
        "(proctored_exam.exam_name), exam_type, time_limit, allowed_time_limit_mins, start_time, end_time, "
        "status, allowance_type (key), value. Other names are ignored (username order).",
    )


def _validate_value(allowance_type: str, value: str) -> None:
    if allowance_type == "additional_time_granted" and not (value.isdigit() and int(value) > 0):
        raise serializers.ValidationError({"value": ["Additional time must be a whole number of minutes above 0."]})
    if allowance_type == "time_multiplier":
        try:
            multiplier = Decimal(value)
        except InvalidOperation:
            multiplier = None
        if multiplier is None or not multiplier.is_finite() or multiplier <= 1:
            raise serializers.ValidationError({"value": ["A time multiplier must be a number above 1."]})


class AllowanceRequestSerializer(serializers.Serializer):
    user_ids = serializers.ListField(
        child=serializers.CharField(max_length=255),
        max_length=MAX_LEARNERS,
        help_text="Usernames or emails.",
    )
    allowance_type = serializers.ChoiceField(choices=ALLOWANCE_TYPES)
    value = serializers.CharField(
        max_length=255,
        help_text="Minutes for additional_time_granted, a number above 1 for time_multiplier, text otherwise.",
    )

    def validate(self, attrs):
        _validate_value(attrs["allowance_type"], attrs["value"])
        return attrs


class BulkAllowanceRequestSerializer(AllowanceRequestSerializer):
    exam_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=MAX_EXAMS
    )
    exam_type = serializers.CharField(required=False, allow_blank=True, help_text="Sent by the MFE; ignored.")


@extend_schema_field(OpenApiTypes.STR, component_name="LearnerReference")
class LearnerReferenceField(serializers.Field):
    """A user id (a JSON integer) or a username or email (a string)."""

    default_error_messages = {"invalid": "Expected a user id or a username or email."}

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool) and 0 < data <= MAX_ID:
            return data
        if isinstance(data, str) and data.strip() and len(data) <= MAX_IDENTIFIER_LENGTH:
            return data.strip()
        self.fail("invalid")

    def to_representation(self, value):
        return value


class RemoveAllowanceRequestSerializer(serializers.Serializer):
    user_ids = serializers.ListField(
        child=LearnerReferenceField(), max_length=MAX_LEARNERS, help_text="User ids, or usernames or emails."
    )
    allowance_type = serializers.ChoiceField(choices=ALLOWANCE_TYPES)
    exam_id = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Sent by the MFE; the path's exam is used."
    )


class AllowanceRowSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    exam_id = serializers.IntegerField()
    success = serializers.BooleanField()
    error = serializers.CharField(required=False)


class BulkAllowanceResponseSerializer(serializers.Serializer):
    allowance_type = serializers.CharField()
    value = serializers.CharField()
    results = AllowanceRowSerializer(many=True)


class AllowanceResponseSerializer(serializers.Serializer):
    allowance_type = serializers.CharField()
    results = AllowanceRowSerializer(many=True)


class ResetAttemptResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()


class ProctoringSettingsSerializer(serializers.Serializer):
    proctoring_provider = serializers.CharField(allow_null=True)
    proctoring_escalation_email = serializers.CharField(allow_null=True)
    create_zendesk_tickets = serializers.BooleanField()
    enable_proctored_exams = serializers.BooleanField()
    supports_onboarding = serializers.BooleanField(help_text="The provider has an onboarding exam.")
    review_dashboard_available = serializers.BooleanField(help_text="The provider offers a review dashboard.")


class ProctoringSettingsUpdateSerializer(serializers.Serializer):
    proctoring_escalation_email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    create_zendesk_tickets = AbsentAwareBooleanField(required=False)
    enable_proctored_exams = AbsentAwareBooleanField(required=False)
