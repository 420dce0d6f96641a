"""
The OpenAPI schema of the plugin, correct whatever the host's ``DEFAULT_SCHEMA_CLASS`` is.

drf-spectacular's method-level ``extend_schema`` builds on the host's default schema
class, and an LMS keeps DRF's own there; :func:`documented` pins :class:`InstructorAutoSchema`
instead. The authentication extensions describe edx-drf-extensions' JWT and session
authentication.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers

from .. import __version__

SCHEMA_SETTINGS = {
    "TITLE": "Instructor API v2",
    "DESCRIPTION": "The back end of the Open edX instructor dashboard.",
    "VERSION": __version__,
    "SCHEMA_PATH_PREFIX": "/api/instructor/v2/",
    # Request bodies get components of their own, in which a field that refuses "" says
    # ``minLength: 1``: what a client may send is what the server accepts.
    "COMPONENT_SPLIT_REQUEST": True,
    # A list serializer is an array whatever the status (grades v1's bulk-update answers its per-item
    # results as an array with 422 too).
    "ENABLE_LIST_MECHANICS_ON_NON_2XX": True,
    # One name for the course-team roles, whether a body names one (``role``) or several (``roles``), one
    # for the certificate statuses, whichever field (``statuses``, ``certificate_statuses``) lists them, and
    # one for each ``action`` choice set, shared by a v2 body and its legacy counterpart.
    "ENUM_NAME_OVERRIDES": {
        "TeamRoleEnum": "instructor_plugin.access.TEAM_ROLE_ORDER",
        "CertificateStatusEnum": "instructor_plugin.certificates.CERTIFICATE_STATUSES",
        "EnrollmentActionEnum": ["enroll", "unenroll"],
        "BetaTesterActionEnum": ["add", "remove"],
        "AccessActionEnum": ["allow", "revoke"],
    },
}


class InstructorAutoSchema(AutoSchema):
    """
    drf-spectacular's ``AutoSchema``, where a request list field that refuses ``[]`` says ``minItems: 1``.

    With request components split off, ``FooRequestSerializer`` is the component ``FooRequest``
    (drf-spectacular would add a second ``Request``).
    """

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        if direction == "request" and spectacular_settings.COMPONENT_SPLIT_REQUEST:
            return name.removesuffix("Serializer").removesuffix("Request")
        return name

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        refuses_empty = isinstance(field, serializers.ListField | serializers.ListSerializer) and not field.allow_empty
        if direction == "request" and refuses_empty and schema.get("type") == "array":
            schema.setdefault("minItems", 1)
        return schema


class DeleteWithBodyAutoSchema(InstructorAutoSchema):
    """
    The schema of a DELETE that takes a body, which drf-spectacular keeps to POST, PUT and PATCH.

    The MFE sends one to revoke team roles and to remove certificate exceptions and
    invalidations, exam allowances and a learner's problem state.
    """

    def _get_request_body(self, direction="request"):
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


ERROR_ENVELOPE = inline_serializer(
    "ErrorEnvelope",
    {
        "error": serializers.CharField(help_text="A message for a person."),
        "error_code": serializers.CharField(help_text="A stable snake_case code."),
        "detail": serializers.CharField(),
        "developer_message": serializers.CharField(),
        "field_errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="Validation failures only: messages per field.",
        ),
    },
)

#: The errors every course endpoint may answer.
COMMON_ERRORS = {400: ERROR_ENVELOPE, 401: ERROR_ENVELOPE, 403: ERROR_ENVELOPE, 404: ERROR_ENVELOPE}


def documented(*, responses: dict, errors: tuple[int, ...] = (), **schema):
    """
    ``extend_schema`` on a view method, based on :class:`InstructorAutoSchema` (or, for a DELETE
    that declares its ``request``, :class:`DeleteWithBodyAutoSchema`).

    The common error responses are added to ``responses``, with any extra ``errors`` statuses.
    """

    def decorate(method):
        takes_body = method.__name__ == "delete" and "request" in schema
        method.schema = DeleteWithBodyAutoSchema if takes_body else InstructorAutoSchema
        all_responses = {**COMMON_ERRORS, **dict.fromkeys(errors, ERROR_ENVELOPE), **responses}
        return extend_schema(responses=all_responses, **schema)(method)

    return decorate


class JwtAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "edx_rest_framework_extensions.auth.jwt.authentication.JwtAuthentication"
    match_subclasses = True
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "`JWT <token>`"}


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "edx_rest_framework_extensions.auth.session.authentication.SessionAuthenticationAllowInactiveUser"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class InstructorSchemaView(SpectacularAPIView):
    """The OpenAPI 3 document of every plugin endpoint."""

    schema = None
    urlconf = "instructor_plugin.urls"
    custom_settings = SCHEMA_SETTINGS


class InstructorDocsView(SpectacularSwaggerView):
    """A Swagger UI page over :class:`InstructorSchemaView`."""

    schema = None
    url_name = "instructor_api_v2:schema"
