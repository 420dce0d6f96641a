"""Serializers of the enrollment and beta-tester endpoints."""

from rest_framework import serializers

from instructor_plugin.batch_enrollment import ENROLL, UNENROLL
from instructor_plugin.conf import plugin_setting


class IdentifierListField(serializers.ListField):
    """A non-empty list of usernames or emails, at most as long as the plugin setting ``limit_setting`` says."""

    def __init__(self, limit_setting: str = "MAX_SYNC_ENROLLMENT_IDENTIFIERS", **kwargs):
        super().__init__(child=serializers.CharField(max_length=255), allow_empty=False, **kwargs)
        self.limit_setting = limit_setting

    def to_internal_value(self, data):
        identifiers = super().to_internal_value(data)
        limit = plugin_setting(self.limit_setting)
        if len(identifiers) > limit:
            raise serializers.ValidationError(f"At most {limit} identifiers per request.")
        return identifiers


class EnrollmentListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, help_text="Substring of username, email or name (case-insensitive)."
    )
    is_beta_tester = serializers.BooleanField(required=False, allow_null=True, default=None)


class EnrolledLearnerSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    full_name = serializers.CharField(source="user.full_name")
    email = serializers.EmailField(source="user.email")
    mode = serializers.CharField()
    is_beta_tester = serializers.BooleanField()


class EnrollmentModifyRequestSerializer(serializers.Serializer):
    identifier = IdentifierListField(
        limit_setting="MAX_ENROLLMENT_IDENTIFIERS",
        help_text="Usernames or emails. More than MAX_SYNC_ENROLLMENT_IDENTIFIERS run as a background task.",
    )
    action = serializers.ChoiceField(choices=[ENROLL, UNENROLL])
    auto_enroll = serializers.BooleanField(default=False)
    email_students = serializers.BooleanField(default=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    background = serializers.BooleanField(
        default=False, help_text="Run as a background task (202) whatever the list's length."
    )


class EnrollmentBatchAcceptedSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    status_url = serializers.CharField()
    action = serializers.CharField()
    auto_enroll = serializers.BooleanField()
    total_students = serializers.IntegerField()
    message = serializers.CharField()


class EnrollmentStateSerializer(serializers.Serializer):
    user = serializers.BooleanField()
    enrollment = serializers.BooleanField()
    allowed = serializers.BooleanField()
    auto_enroll = serializers.BooleanField()


class EnrollmentModifyResultSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    before = EnrollmentStateSerializer(required=False)
    after = EnrollmentStateSerializer(required=False)
    state_transition = serializers.CharField(required=False)
    invalid_identifier = serializers.BooleanField(required=False)
    error = serializers.BooleanField(required=False)
    error_message = serializers.CharField(required=False)


class EnrollmentModifyResponseSerializer(serializers.Serializer):
    action = serializers.CharField()
    auto_enroll = serializers.BooleanField()
    results = EnrollmentModifyResultSerializer(many=True)


class BetaTesterModifyRequestSerializer(serializers.Serializer):
    identifier = IdentifierListField()
    action = serializers.ChoiceField(choices=["add", "remove"])
    email_students = serializers.BooleanField(default=False)
    auto_enroll = serializers.BooleanField(default=False, help_text="Also enroll added testers not yet enrolled.")


class MemberChangeResultSerializer(serializers.Serializer):
    """One row of a bulk beta-tester or course-team change."""

    identifier = serializers.CharField()
    error = serializers.BooleanField()
    user_does_not_exist = serializers.BooleanField()
    is_active = serializers.BooleanField(allow_null=True)
    error_message = serializers.CharField(required=False)


class BetaTesterModifyResponseSerializer(serializers.Serializer):
    action = serializers.CharField()
    results = MemberChangeResultSerializer(many=True)
