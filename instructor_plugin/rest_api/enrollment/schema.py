"""The OpenAPI shapes of the enrollment API's bodies (seed 002), for :func:`~..schema.documented`."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from ..schema import ERROR_ENVELOPE

COURSE_MODE = inline_serializer(
    "EnrollmentCourseMode",
    {
        "slug": serializers.CharField(),
        "name": serializers.CharField(),
        "min_price": serializers.IntegerField(),
        "suggested_prices": serializers.CharField(allow_blank=True),
        "currency": serializers.CharField(),
        "expiration_datetime": serializers.DateTimeField(allow_null=True),
        "description": serializers.CharField(allow_null=True),
        "sku": serializers.CharField(allow_null=True),
        "bulk_sku": serializers.CharField(allow_null=True),
    },
)

COURSE_DETAILS = inline_serializer(
    "EnrollmentCourseDetails",
    {
        "course_id": serializers.CharField(),
        "course_name": serializers.CharField(allow_blank=True),
        "enrollment_start": serializers.DateTimeField(allow_null=True),
        "enrollment_end": serializers.DateTimeField(allow_null=True),
        "course_start": serializers.DateTimeField(allow_null=True),
        "course_end": serializers.DateTimeField(allow_null=True),
        "invite_only": serializers.BooleanField(),
        "pacing_type": serializers.ChoiceField(choices=["Instructor Paced", "Self Paced"]),
        "course_modes": COURSE_MODE.__class__(many=True),
    },
)

ENROLLMENT = inline_serializer(
    "CourseEnrollment",
    {
        "created": serializers.DateTimeField(allow_null=True),
        "mode": serializers.CharField(),
        "is_active": serializers.BooleanField(),
        "user": serializers.CharField(),
        "course_details": COURSE_DETAILS,
    },
)

#: ``GET enrollment/{cid}`` answers ``null`` when there is no enrollment (the component is ``ENROLLMENT``'s).
NULLABLE_ENROLLMENT = {"allOf": [{"$ref": "#/components/schemas/CourseEnrollment"}], "nullable": True}

ENROLLMENT_ROW = inline_serializer(
    "CourseEnrollmentRow",
    {
        "created": serializers.DateTimeField(allow_null=True),
        "mode": serializers.CharField(),
        "is_active": serializers.BooleanField(),
        "user": serializers.CharField(),
        "course_id": serializers.CharField(),
    },
)

ENROLLMENTS_PAGE = inline_serializer(
    "CourseEnrollmentsPage",
    {
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": ENROLLMENT_ROW.__class__(many=True),
    },
)

ENROLLMENT_ATTRIBUTE = inline_serializer(
    "EnrollmentAttribute",
    {"namespace": serializers.CharField(), "name": serializers.CharField(), "value": serializers.CharField()},
)

ENROLL_REQUEST = inline_serializer(
    "EnrollRequest",
    {
        "course_details": inline_serializer("EnrollRequestCourse", {"course_id": serializers.CharField()}),
        "user": serializers.CharField(required=False, help_text="Default: the caller. Others: staff or API key."),
        "email": serializers.EmailField(required=False, help_text="Staff or API key: the user of this email."),
        "mode": serializers.CharField(required=False, help_text="Other than audit or honor: staff or API key."),
        "is_active": serializers.BooleanField(required=False),
        "force_enrollment": serializers.BooleanField(required=False),
        "enrollment_attributes": ENROLLMENT_ATTRIBUTE.__class__(many=True, required=False),
        "cohort": serializers.CharField(required=False),
        "email_opt_in": serializers.BooleanField(required=False),
        "enterprise_uuid": serializers.UUIDField(required=False),
        "linked_enterprise_customer": serializers.UUIDField(
            required=False, help_text="API key only, when enterprise integration is on."
        ),
    },
)

UNENROLL_REQUEST = inline_serializer("UnenrollRequest", {"username": serializers.CharField()})

ROLES = inline_serializer(
    "EnrollmentUserRoles",
    {
        "roles": inline_serializer(
            "EnrollmentUserRole",
            {
                "org": serializers.CharField(),
                "course_id": serializers.CharField(allow_blank=True),
                "role": serializers.CharField(),
            },
            many=True,
        ),
        "is_staff": serializers.BooleanField(),
    },
)

ALLOWED = inline_serializer(
    "CourseEnrollmentAllowed",
    {
        "email": serializers.CharField(),
        "course_id": serializers.CharField(),
        "auto_enroll": serializers.BooleanField(),
        "user": serializers.IntegerField(allow_null=True),
        "created": serializers.DateTimeField(allow_null=True),
    },
)

ALLOWED_REQUEST = inline_serializer(
    "CourseEnrollmentAllowedRequest",
    {
        "email": serializers.CharField(),
        "course_id": serializers.CharField(),
        "auto_enroll": serializers.BooleanField(required=False, default=False),
    },
)

ALLOWED_DELETE_REQUEST = inline_serializer(
    "CourseEnrollmentAllowedDeleteRequest",
    {"email": serializers.CharField(), "course_id": serializers.CharField()},
)

#: Every throttled operation may answer 429 (40 requests a minute, 120 for global staff, by default).
THROTTLED = {429: ERROR_ENVELOPE}

#: ``unenroll/``: the organizations of the courses left.
ORGS_LEFT = {"type": "array", "items": {"type": "string"}}


def query(name: str, description: str, kind: type | OpenApiTypes = str) -> OpenApiParameter:
    """An optional query parameter."""
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description)
