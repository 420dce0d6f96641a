"""The OpenAPI shapes of the legacy enrollment, access and learner-data answers (:mod:`.enrollment`)."""

from drf_spectacular.utils import PolymorphicProxySerializer, inline_serializer
from rest_framework import serializers

from ..v2.serializers.enrollments import EnrollmentStateSerializer


class LegacyEnrollmentResultSerializer(serializers.Serializer):
    """One identifier of ``students_update_enrollment``: its states and transition, or why it failed."""

    identifier = serializers.CharField()
    success = serializers.BooleanField()
    before = EnrollmentStateSerializer(required=False)
    after = EnrollmentStateSerializer(required=False)
    state_transition = serializers.CharField(required=False, help_text="``from unenrolled to enrolled``...")
    invalid_identifier = serializers.BooleanField(required=False)
    error = serializers.BooleanField(required=False)
    error_message = serializers.CharField(required=False)


class LegacyEnrollmentUpdateSerializer(serializers.Serializer):
    """The rows of a synchronous change (``results``), or the task of an asynchronous one."""

    action = serializers.ChoiceField(choices=["enroll", "unenroll"])
    auto_enroll = serializers.BooleanField()
    results = LegacyEnrollmentResultSerializer(many=True, required=False)
    async_processing = serializers.BooleanField(required=False)
    task_id = serializers.CharField(required=False)
    task_state = serializers.CharField(required=False)
    message = serializers.CharField(required=False)
    total_students = serializers.IntegerField(required=False)
    error = serializers.CharField(required=False, help_text="An enrollment task of the course is still running.")


class LegacyBetaTesterResultSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    error = serializers.BooleanField()
    userDoesNotExist = serializers.BooleanField()  # noqa: N815 (the original's key)
    is_active = serializers.BooleanField(allow_null=True)


class LegacyBetaTestersUpdateSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["add", "remove"])
    results = LegacyBetaTesterResultSerializer(many=True)


class ModifyAccessOutcomeSerializer(serializers.Serializer):
    """``success: "yes"``, or one of the flags saying why nothing changed."""

    unique_student_identifier = serializers.CharField()
    rolename = serializers.CharField(required=False)
    action = serializers.ChoiceField(choices=["allow", "revoke"], required=False)
    success = serializers.ChoiceField(choices=["yes"], required=False)
    userDoesNotExist = serializers.BooleanField(required=False)  # noqa: N815 (the original's key)
    inactiveUser = serializers.BooleanField(required=False)  # noqa: N815 (the original's key)
    removingSelfAsInstructor = serializers.BooleanField(required=False)  # noqa: N815 (the original's key)


_NAMES = {
    "username": {"type": "string"},
    "email": {"type": "string"},
    "first_name": {"type": "string"},
    "last_name": {"type": "string"},
}


def _keyed_by_role(member_properties: dict, properties: dict) -> dict:
    """An object whose key named after the asked role holds its members (the other keys are ``properties``)."""
    member = {"type": "object", "required": sorted(member_properties), "properties": member_properties}
    return {
        "type": "object",
        "required": sorted(properties),
        "properties": properties,
        "additionalProperties": {"type": "array", "items": member, "description": "The role's members."},
    }


_PAGE = {
    "count": {"type": "integer"},
    "num_pages": {"type": "integer"},
    "current_page": {"type": "integer"},
}

#: ``list_course_role_members``: ``{"course_id", "<rolename>": [members], "count", "num_pages", "current_page"}``.
ROLE_MEMBERS_PAGE = _keyed_by_role(_NAMES, {"course_id": {"type": "string"}, **_PAGE})

#: ``list_forum_members``: ``{"course_id", "<rolename>": [members], "division_scheme"}``.
FORUM_MEMBERS = _keyed_by_role(
    {**_NAMES, "group_name": {"type": "string", "nullable": True}},
    {"course_id": {"type": "string"}, "division_scheme": {"type": "string"}},
)

ENROLLMENTS_PAGE = inline_serializer(
    "LegacyCourseEnrollmentsPage",
    {
        "course_id": serializers.CharField(),
        "enrollments": inline_serializer(
            "LegacyEnrolledLearner",
            {
                "username": serializers.CharField(),
                "email": serializers.CharField(),
                "first_name": serializers.CharField(allow_blank=True),
                "last_name": serializers.CharField(allow_blank=True),
            },
            many=True,
        ),
        "count": serializers.IntegerField(),
        "num_pages": serializers.IntegerField(),
        "current_page": serializers.IntegerField(),
    },
)

PROGRESS_URL = inline_serializer(
    "LearnerProgressUrl", {"course_id": serializers.CharField(), "progress_url": serializers.CharField()}
)

#: A learner-data report queued: ``{"status": "The ... report is being created. ..."}``.
REPORT_QUEUED = inline_serializer("LearnerDataReportQueued", {"status": serializers.CharField()})

STUDENTS_FEATURES = inline_serializer(
    "EnrolledStudentsFeatures",
    {
        "course_id": serializers.CharField(),
        "students": serializers.ListField(
            child=serializers.DictField(), help_text="One object per learner, keyed by ``queried_features``."
        ),
        "students_count": serializers.IntegerField(),
        "queried_features": serializers.ListField(child=serializers.CharField()),
        "feature_names": serializers.DictField(child=serializers.CharField()),
        "available_features": serializers.ListField(child=serializers.CharField()),
    },
)

#: ``get_students_features``: the profiles, or (``csv=true``) the report queued.
STUDENTS_FEATURES_OR_REPORT = PolymorphicProxySerializer(
    component_name="EnrolledStudentsFeaturesOrReport",
    serializers=[STUDENTS_FEATURES, REPORT_QUEUED],
    resource_type_field_name=None,
)

_REGISTRATION_ENTRY = inline_serializer(
    "RegistrationMessage",
    {
        "username": serializers.CharField(allow_blank=True),
        "email": serializers.CharField(allow_blank=True),
        "response": serializers.CharField(),
    },
    many=True,
)

REGISTRATION_OUTCOME = inline_serializer(
    "RegistrationOutcome",
    {"row_errors": _REGISTRATION_ENTRY, "general_errors": _REGISTRATION_ENTRY, "warnings": _REGISTRATION_ENTRY},
)

REGISTRATION_UPLOAD = inline_serializer(
    "RegistrationUpload",
    {
        "students_list": serializers.FileField(
            required=False, help_text="CSV rows: email, username, full name, country[, cohort, course mode]."
        ),
        "email-students": serializers.CharField(
            required=False, allow_blank=True, help_text="Present (any value): send the account-creation message."
        ),
    },
)

#: The body of an endpoint that reads none: any object, in any of the media types the legacy views parse.
NO_FIELDS = {
    media_type: {"type": "object", "description": "No field is read."}
    for media_type in ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
}

FORUM_ROLE_CHANGED = inline_serializer(
    "ForumRoleChanged", {"course_id": serializers.CharField(), "action": serializers.ChoiceField(["allow", "revoke"])}
)
