"""
Legacy certificate endpoints: the generation switch, (re)generation, exceptions (single and CSV), invalidations.

Each calls the functions of :mod:`instructor_plugin.certificates` the v2 certificate views call, and answers
the original's bodies and messages. A refusal the original words as ``{"message": ...}`` (or
``{"success": false, "message": ...}``) keeps those keys beside the envelope's.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from ...certificates import (
    ALREADY_ALLOWLISTED,
    AMBIGUOUS,
    CERTIFICATE_STATUSES,
    HAS_INVALIDATION,
    NOT_ENROLLED,
    NOT_FOUND,
    CertificateCaseNotFound,
    ExceptionRow,
    add_exceptions,
    get_certificate_case,
    invalidate_certificates,
    learner_certificate_state,
    remove_exception,
    remove_invalidation,
    set_generation_enabled,
    start_generation,
)
from ...conf import plugin_setting
from ...permissions import (
    CERTIFICATE_EXCEPTION_VIEW,
    CERTIFICATE_INVALIDATION_VIEW,
    ENABLE_CERTIFICATE_GENERATION,
    GENERATE_BULK_CERTIFICATE_EXCEPTIONS,
    GENERATE_CERTIFICATE_EXCEPTIONS,
    START_CERTIFICATE_GENERATION,
    START_CERTIFICATE_REGENERATION,
    VIEW_ISSUED_CERTIFICATES,
)
from ...reports import csv_body, write_csv
from ..parsers import LimitedFormParser, ObjectJSONParser
from ..schema import InstructorAutoSchema, documented
from .base import NO_BODY, LegacyAPIView

GENERATION_STARTED = (
    "Certificate generation task for all students of this course has been started. "
    'You can view the status of the generation task in the "Pending Tasks" section.'
)
REGENERATION_STARTED = (
    'Certificate regeneration task has been started. You can view the status of the generation task in the "Pending '
    'Tasks" section.'
)
NOT_IN_LMS = "{user} does not exist in the LMS. Please check your spelling and retry."
#: The original's sentence for each reason the domain refuses an exception.
EXCEPTION_REFUSALS = {
    NOT_FOUND: NOT_IN_LMS,
    AMBIGUOUS: NOT_IN_LMS,
    NOT_ENROLLED: "Student {user} is not enrolled in this course. Please check your spelling and retry.",
    HAS_INVALIDATION: (
        "Student {user} is already on the certificate invalidation list and cannot be added to the certificate "
        "exception list."
    ),
    ALREADY_ALLOWLISTED: "Student (username/email={user}) already in certificate exception list.",
}
#: The bulk upload's ``row_errors`` key for each reason the domain refuses an exception.
BULK_ROW_ERROR_KEYS = {
    NOT_FOUND: "user_not_exist",
    AMBIGUOUS: "user_not_exist",
    ALREADY_ALLOWLISTED: "user_already_allowlisted",
    NOT_ENROLLED: "user_not_enrolled",
    HAS_INVALIDATION: "user_on_certificate_invalidation_list",
}
#: Cells of a bulk upload's row: the username or email, and the notes.
BULK_ROW_CELLS = 2
BULK_ROW_ERROR_ORDER = ("data_format_error", *dict.fromkeys(BULK_ROW_ERROR_KEYS.values()))


def refusal(message: str, error_code: str, **original: object) -> Response:
    """A 400 with the original's keys (``message`` and any others given) and the envelope's."""
    envelope = {"error": message, "error_code": error_code, "detail": message, "developer_message": message}
    return Response({**original, "message": message, **envelope}, status=status.HTTP_400_BAD_REQUEST)


def _day(value) -> str | None:
    return value.strftime("%B %d, %Y") if value else None


def _toggle(request, course_key) -> HttpResponseRedirect:
    set_generation_enabled(course_key, request.data.get("certificates-enabled", "false") in ("true", True))
    return HttpResponseRedirect(f"/courses/{course_key}/instructor#view-certificates")


def _generation_payload(request, course_key) -> dict:
    task = start_generation(course_key, request.user.pk)
    return {"message": GENERATION_STARTED, "task_id": str(task.task_id)}


class CertificateStatusesSerializer(serializers.Serializer):
    certificate_statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=CERTIFICATE_STATUSES), allow_empty=False, max_length=50
    )


class CertificateGenerationSwitchSerializer(serializers.Serializer):
    """Form: ``certificates-enabled``, ``true`` to turn generation on, anything else (or nothing) to turn it off."""

    def get_fields(self):
        return {"certificates-enabled": serializers.CharField(required=False, help_text="``true`` turns it on.")}


class CertificateTaskRequestSerializer(serializers.Serializer):
    """The body of ``certificate_task/{action}``: what ``toggle`` or ``regenerate`` reads (``generate`` reads none)."""

    def get_fields(self):
        return {
            "certificates-enabled": serializers.CharField(required=False, help_text="toggle: ``true`` turns it on."),
            "certificate_statuses": serializers.ListField(
                child=serializers.ChoiceField(choices=CERTIFICATE_STATUSES),
                required=False,
                max_length=50,
                help_text="regenerate (required): the statuses whose certificates are regenerated.",
            ),
        }


#: A 302 back to the dashboard's certificates section.
TO_THE_DASHBOARD = OpenApiResponse(description="Redirect to ``/courses/{course_id}/instructor#view-certificates``.")
GENERATION_STARTED_RESPONSE = inline_serializer(
    "LegacyCertificateGenerationStarted", {"message": serializers.CharField(), "task_id": serializers.UUIDField()}
)
REGENERATION_STARTED_RESPONSE = inline_serializer(
    "LegacyCertificateRegenerationStarted", {"message": serializers.CharField(), "success": serializers.BooleanField()}
)
GENERATION_FOR_ALLOWLIST_RESPONSE = inline_serializer(
    "LegacyAllowlistGenerationStarted", {"success": serializers.BooleanField(), "message": serializers.CharField()}
)
CERTIFICATE_TASK_STARTED_RESPONSE = inline_serializer(
    "LegacyCertificateTaskStarted",
    {
        "message": serializers.CharField(),
        "task_id": serializers.UUIDField(required=False, help_text="generate"),
        "success": serializers.BooleanField(required=False, help_text="regenerate"),
    },
)


class EnableCertificateGenerationView(LegacyAPIView):
    """
    Turn certificate generation on (``certificates-enabled=true``) or off, then back to the dashboard.

    ``POST .../instructor/api/enable_certificate_generation`` ``certificates-enabled=true`` -> ``302`` to
    ``/courses/{course_id}/instructor#view-certificates``.
    """

    permission_name = ENABLE_CERTIFICATE_GENERATION
    schema = InstructorAutoSchema()

    @documented(request=CertificateGenerationSwitchSerializer, responses={302: TO_THE_DASHBOARD})
    def post(self, request, course_id):
        return _toggle(request, self.course_key)


class StartCertificateGenerationView(LegacyAPIView):
    """
    Generate certificates for every enrolled learner, in the background.

    ``POST .../instructor/api/start_certificate_generation`` -> ``200 {"message": "Certificate generation task
    for all students of this course has been started. ...", "task_id": "6f1c..."}``; one running is a 400.
    """

    permission_name = START_CERTIFICATE_GENERATION
    schema = InstructorAutoSchema()

    @documented(request=NO_BODY, responses={200: GENERATION_STARTED_RESPONSE})
    def post(self, request, course_id):
        return Response(_generation_payload(request, self.course_key))


class StartCertificateRegenerationView(LegacyAPIView):
    """
    Regenerate the certificates whose status is one of ``certificate_statuses``, in the background.

    ``POST .../instructor/api/start_certificate_regeneration`` ``{"certificate_statuses": ["notpassing"]}`` ->
    ``200 {"message": "Certificate regeneration task has been started. ...", "success": true}``; no statuses or
    an unknown one is ``400 {"message": "Please select certificate statuses from the list only."}``.
    """

    permission_name = START_CERTIFICATE_REGENERATION
    refusal_message = "Please select certificate statuses from the list only."
    schema = InstructorAutoSchema()

    @documented(request=CertificateStatusesSerializer, responses={200: REGENERATION_STARTED_RESPONSE})
    def post(self, request, course_id):
        body = CertificateStatusesSerializer(data=request.data)
        if not body.is_valid():
            return refusal(self.refusal_message, "validation_error")
        start_generation(self.course_key, request.user.pk, statuses=body.validated_data["certificate_statuses"])
        return Response({"message": REGENERATION_STARTED, "success": True})


class CertificateTaskView(LegacyAPIView):
    """
    One door to the three certificate tasks: ``toggle``, ``generate`` and ``regenerate``, each with its permission.

    ``POST .../instructor/api/certificate_task/generate`` -> as ``start_certificate_generation``;
    ``.../certificate_task/regenerate`` ``{"certificate_statuses": [...]}`` -> as ``start_certificate_regeneration``;
    ``.../certificate_task/toggle`` -> as ``enable_certificate_generation``; another action is a 403, as the
    original's permission refuses it before the view runs.
    """

    PERMISSIONS = {
        "toggle": ENABLE_CERTIFICATE_GENERATION,
        "generate": START_CERTIFICATE_GENERATION,
        "regenerate": START_CERTIFICATE_REGENERATION,
    }

    schema = InstructorAutoSchema()

    def get_permission_name(self) -> str:
        return self.PERMISSIONS.get(self.kwargs["action"], "")

    @documented(
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(PERMISSIONS))],
        request=CertificateTaskRequestSerializer,
        responses={200: CERTIFICATE_TASK_STARTED_RESPONSE, 302: TO_THE_DASHBOARD},
    )
    def post(self, request, course_id, action):
        if action == "toggle":
            return _toggle(request, self.course_key)
        if action == "generate":
            return Response(_generation_payload(request, self.course_key))
        body = CertificateStatusesSerializer(data=request.data)
        if not body.is_valid():
            message = 'Please select certificate statuses that lie with in "certificate_statuses" entry in POST data.'
            return refusal(message, "validation_error")
        start_generation(self.course_key, request.user.pk, statuses=body.validated_data["certificate_statuses"])
        return Response({"message": REGENERATION_STARTED, "success": True})


class GenerateCertificateExceptionsView(LegacyAPIView):
    """
    Generate certificates for the allowlisted learners: ``all`` of them, or the ``new`` ones without a certificate.

    ``POST .../instructor/api/generate_certificate_exceptions/new`` -> ``200 {"success": true, "message":
    "Certificate generation started for students on the allowlist."}``; another word is
    ``400 {"success": false, "message": "Invalid data, generate_for must be \\"new\\" or \\"all\\"."}``.
    """

    permission_name = GENERATE_CERTIFICATE_EXCEPTIONS
    STUDENT_SETS = {"all": "allowlisted", "new": "allowlisted_not_generated"}
    schema = InstructorAutoSchema()

    @documented(
        parameters=[OpenApiParameter("generate_for", str, OpenApiParameter.PATH, enum=list(STUDENT_SETS))],
        request=NO_BODY,
        responses={200: GENERATION_FOR_ALLOWLIST_RESPONSE},
    )
    def post(self, request, course_id, generate_for):
        student_set = self.STUDENT_SETS.get(generate_for)
        if student_set is None:
            return refusal('Invalid data, generate_for must be "new" or "all".', "validation_error", success=False)
        start_generation(self.course_key, request.user.pk, student_set=student_set)
        return Response({"success": True, "message": "Certificate generation started for students on the allowlist."})


class CertificateExceptionRequestSerializer(serializers.Serializer):
    user_name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    user_email = serializers.CharField(required=False, allow_blank=True, max_length=255)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)

    def validate(self, attrs: dict) -> dict:
        learner = (attrs.get("user_name") or attrs.get("user_email") or "").strip()
        if not learner:
            raise serializers.ValidationError({"user": ["This field is required."]})
        return {"learner": learner, "notes": attrs["notes"]}


def _json_sent_as_form(data):
    """
    The body, or the JSON object the legacy dashboard sends as the only key of a form body (its DELETE does).

    ``{"user_name": "learner1"}`` posted as ``application/x-www-form-urlencoded`` reads as one key with an
    empty value; anything else is returned unchanged.
    """
    if isinstance(data, QueryDict) and len(data) == 1:
        (key,) = data.keys()
        try:
            decoded = json.loads(key)
        except ValueError:
            return data
        if isinstance(decoded, dict):
            return decoded
    return data


#: A learner's new allowlist entry; the learner's fields are null only when the learner vanished meanwhile.
CERTIFICATE_EXCEPTION_RESPONSE = inline_serializer(
    "LegacyCertificateException",
    {
        "user_email": serializers.EmailField(allow_null=True),
        "user_name": serializers.CharField(),
        "user_id": serializers.IntegerField(allow_null=True),
        "certificate_generated": serializers.CharField(allow_null=True, help_text="Always null."),
        "created": serializers.CharField(allow_null=True, help_text='The day, e.g. "December 01, 2026".'),
    },
)
#: The JSON body, or (as the legacy dashboard sends it) that JSON as the only key of a form.
CERTIFICATE_EXCEPTION_BODY = {
    "application/json": CertificateExceptionRequestSerializer,
    "application/x-www-form-urlencoded": CertificateExceptionRequestSerializer,
}


class CertificateExceptionView(LegacyAPIView):
    """
    Put one learner on the certificate allowlist (POST) or take them off it (DELETE); the body is JSON.

    ``POST .../instructor/api/certificate_exception_view/`` ``{"user_name": "learner1", "notes": "Medical leave"}``
    -> ``200 {"user_email": "learner1@example.com", "user_name": "learner1", "user_id": 7,
    "certificate_generated": null, "created": "December 01, 2026"}``; an unknown, unenrolled, invalidated or
    already allowlisted learner is ``400 {"success": false, "message": "..."}``.

    ``DELETE`` the same body -> ``204``; a learner without an exception is a 400.
    """

    permission_name = CERTIFICATE_EXCEPTION_VIEW
    schema = InstructorAutoSchema()

    def _body(self, request) -> dict | Response:
        body = CertificateExceptionRequestSerializer(data=_json_sent_as_form(request.data))
        if not body.is_valid():
            message = "Student username/email field is required and can not be empty."
            return refusal(message, "validation_error", success=False)
        return body.validated_data

    @documented(request=CERTIFICATE_EXCEPTION_BODY, responses={200: CERTIFICATE_EXCEPTION_RESPONSE})
    def post(self, request, course_id):
        data = self._body(request)
        if isinstance(data, Response):
            return data
        learner = data["learner"]
        with transaction.atomic():
            outcome = add_exceptions(self.course_key, [ExceptionRow(0, learner, data["notes"])], request.user.pk)
        if outcome["errors"]:
            reason = outcome["errors"][0]["message"]
            return refusal(
                EXCEPTION_REFUSALS[reason].format(user=learner), "certificate_exception_refused", success=False
            )
        state = learner_certificate_state(self.course_key, learner)
        user = state.user if state else None
        case = get_certificate_case(self.course_key, user.username, "granted_exceptions") if user else None
        return Response(
            {
                "user_email": user.email if user else None,
                "user_name": user.username if user else learner,
                "user_id": user.id if user else None,
                "certificate_generated": None,
                "created": _day(case.exception_granted if case else None),
            }
        )

    @documented(request=CERTIFICATE_EXCEPTION_BODY, responses={204: None})
    def delete(self, request, course_id):
        data = self._body(request)
        if isinstance(data, Response):
            return data
        if learner_certificate_state(self.course_key, data["learner"]) is None:
            return refusal(NOT_IN_LMS.format(user=data["learner"]), "user_not_found", success=False)
        try:
            with transaction.atomic():
                remove_exception(self.course_key, data["learner"])
        except CertificateCaseNotFound:
            message = (
                f"Error occurred removing the allowlist entry for student {data['learner']}. Please refresh the page "
                "and try again"
            )
            return refusal(message, "certificate_exception_not_found", success=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BulkExceptionsUploadSerializer(serializers.Serializer):
    students_list = serializers.FileField(required=False)


def _read_bulk_rows(upload) -> tuple[list[ExceptionRow], list[str], list[tuple[str, int]]]:
    """The well-formed rows (exactly learner and notes), the general errors, the (learner, row) of malformed rows."""
    if upload is None:
        return [], ["File is not attached."], []
    if not (upload.name or "").endswith(".csv"):
        return [], ["Make sure that the file you upload is in CSV format with no extraneous characters or rows."], []
    if upload.size > plugin_setting("MAX_CERTIFICATE_EXCEPTIONS_UPLOAD_BYTES"):
        return [], ["Could not read uploaded file."], []
    try:
        lines = upload.read().decode("utf-8-sig").splitlines()
        records = list(csv.reader(io.StringIO("\n".join(lines))))
    except (UnicodeDecodeError, csv.Error):
        return [], ["Could not read uploaded file."], []
    rows, malformed = [], []
    for number, record in enumerate(records, 1):
        if len(record) == BULK_ROW_CELLS and record[0].strip():
            rows.append(ExceptionRow(line=number, learner=record[0].strip(), notes=record[1]))
        elif record:
            malformed.append((record[0], number))
    return rows, [], malformed


BULK_EXCEPTIONS_RESPONSE = inline_serializer(
    "LegacyBulkCertificateExceptions",
    {
        "general_errors": serializers.ListField(child=serializers.CharField()),
        "row_errors": inline_serializer(
            "LegacyBulkCertificateExceptionRowErrors",
            {key: serializers.ListField(child=serializers.CharField()) for key in BULK_ROW_ERROR_ORDER},
        ),
        "success": serializers.ListField(
            child=serializers.CharField(), help_text='e.g. "user \\"learner1\\" in row# 1"'
        ),
    },
)


class GenerateBulkCertificateExceptionsView(LegacyAPIView):
    """
    Allowlist the learners of a CSV (multipart ``students_list``): each row exactly a username or email and notes.

    ``POST .../instructor/api/generate_bulk_certificate_exceptions`` (``learner1,Late\\nnobody,x\\n``) ->
    ``200 {"general_errors": [], "row_errors": {"data_format_error": [], "user_not_exist":
    ["user \\"nobody\\" in row# 2"], "user_already_allowlisted": [], "user_not_enrolled": [],
    "user_on_certificate_invalidation_list": []}, "success": ["user \\"learner1\\" in row# 1"]}``.
    A missing, non-CSV or unreadable file is a ``general_errors`` entry.
    """

    permission_name = GENERATE_BULK_CERTIFICATE_EXCEPTIONS
    parser_classes = (MultiPartParser, LimitedFormParser, ObjectJSONParser)
    schema = InstructorAutoSchema()

    @documented(
        request={"multipart/form-data": BulkExceptionsUploadSerializer},
        responses={200: BULK_EXCEPTIONS_RESPONSE},
        errors=(413,),
    )
    def post(self, request, course_id):
        upload = BulkExceptionsUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        rows, general_errors, malformed = _read_bulk_rows(upload.validated_data.get("students_list"))
        row_errors: dict[str, list[str]] = {key: [] for key in BULK_ROW_ERROR_ORDER}
        row_errors["data_format_error"] = [f'user "{learner}" in row# {line}' for learner, line in malformed]
        success = []
        if rows:
            line_of = {row.learner: row.line for row in rows}
            with transaction.atomic():
                outcome = add_exceptions(self.course_key, rows, request.user.pk)
            for error in outcome["errors"]:
                key = BULK_ROW_ERROR_KEYS[error["message"]]
                row_errors[key].append(f'user "{error["learner"]}" in row# {error["line"]}')
            success = [f'user "{learner}" in row# {line_of[learner]}' for learner in outcome["success"]]
        return Response({"general_errors": general_errors, "row_errors": row_errors, "success": success})


class CertificateInvalidationRequestSerializer(serializers.Serializer):
    user = serializers.CharField(max_length=255)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


CERTIFICATE_INVALIDATION_RESPONSE = inline_serializer(
    "LegacyCertificateInvalidation",
    {
        "user": serializers.CharField(),
        "invalidated_by": serializers.CharField(),
        "created": serializers.CharField(allow_null=True, help_text='The day, e.g. "December 01, 2026".'),
        "notes": serializers.CharField(allow_blank=True),
    },
)


class CertificateInvalidationView(LegacyAPIView):
    """
    Invalidate one learner's certificate (POST), or lift the invalidation and regenerate it (DELETE).

    ``POST .../instructor/api/certificate_invalidation_view/`` ``{"user": "learner3", "notes": "Plagiarism"}`` ->
    ``200 {"user": "learner3", "invalidated_by": "instructor", "created": "December 01, 2026", "notes":
    "Plagiarism"}``; an unknown learner, one without a valid certificate, an allowlisted one or one already
    invalidated is ``400 {"message": "..."}``.

    ``DELETE`` ``{"user": "learner3"}`` -> ``204``; no certificate or no invalidation is a 400.
    """

    permission_name = CERTIFICATE_INVALIDATION_VIEW
    schema = InstructorAutoSchema()

    def _learner(self, request):
        body = CertificateInvalidationRequestSerializer(data=request.data)
        if not body.is_valid():
            message = (
                "Student username/email field is required and can not be empty. Kindly fill in username/email and "
                'then press "Invalidate Certificate" button.'
            )
            return None, None, refusal(message, "validation_error")
        data = body.validated_data
        state = learner_certificate_state(self.course_key, data["user"])
        if state is None:
            return None, None, refusal(NOT_IN_LMS.format(user=data["user"]), "user_not_found")
        if state.certificate_status is None or state.certificate_status in ("deleted", "deleting"):
            message = (
                f"The student {state.user.username} does not have certificate for the course "
                f"{self.course_key.course}. Kindly verify student username/email and the selected course are "
                "correct and try again."
            )
            return None, None, refusal(message, "certificate_not_found")
        return data, state, None

    @documented(request=CertificateInvalidationRequestSerializer, responses={200: CERTIFICATE_INVALIDATION_RESPONSE})
    def post(self, request, course_id):
        data, state, refused = self._learner(request)
        if refused:
            return refused
        username = state.user.username
        if state.allowlisted:
            message = (
                f"The student {username} appears on the Certificate Exception list in course {self.course_key}. "
                "Please remove them from the Certificate Exception list before attempting to invalidate their "
                "certificate."
            )
            return refusal(message, "certificate_exception_exists")
        if state.invalidated:
            message = f"Certificate of {username} has already been invalidated. Please check your spelling and retry."
            return refusal(message, "certificate_already_invalidated")
        with transaction.atomic():
            outcome = invalidate_certificates(self.course_key, [username], data["notes"], request.user.pk)
        if outcome["errors"]:
            message = (
                f"Certificate for student {username} is already invalid, kindly verify that certificate was "
                "generated for this student and then proceed."
            )
            return refusal(message, "certificate_invalid")
        case = get_certificate_case(self.course_key, username, "invalidated")
        return Response(
            {
                "user": username,
                "invalidated_by": request.user.username,
                "created": _day(case.invalidation_date if case else None),
                "notes": data["notes"],
            }
        )

    @documented(request=CertificateInvalidationRequestSerializer, responses={204: None})
    def delete(self, request, course_id):
        _data, state, refused = self._learner(request)
        if refused:
            return refused
        try:
            remove_invalidation(self.course_key, state.user.username, request.user.pk)
        except CertificateCaseNotFound as error:
            if error.error_code != "certificate_invalidation_not_found":
                raise
            message = "Certificate Invalidation does not exist, Please refresh the page and try again."
            return refusal(message, "certificate_invalidation_not_found")
        return Response(status=status.HTTP_204_NO_CONTENT)


#: The issued-certificates summary's columns, as the original names and titles them.
ISSUED_FEATURES = {
    "course_id": "CourseID",
    "mode": "Certificate Type",
    "total_issued_certificate": "Total Certificates Issued",
    "report_run_date": "Date Report Run",
}


ISSUED_CERTIFICATES_RESPONSE = inline_serializer(
    "LegacyIssuedCertificates",
    {
        "certificates": inline_serializer(
            "LegacyIssuedCertificatesRow",
            {
                "course_id": serializers.CharField(),
                "mode": serializers.CharField(),
                "total_issued_certificate": serializers.IntegerField(),
                "report_run_date": serializers.CharField(),
            },
            many=True,
        ),
        "queried_features": serializers.ListField(child=serializers.CharField()),
        "feature_names": serializers.DictField(child=serializers.CharField()),
    },
)
ISSUED_CERTIFICATES_SCHEMA: dict[str, Any] = {
    "parameters": [
        OpenApiParameter(
            "csv", str, OpenApiParameter.QUERY, description="``true``: the summary as ``issued_certificates.csv``."
        )
    ],
    "responses": {
        (200, "application/json"): ISSUED_CERTIFICATES_RESPONSE,
        (200, "text/csv"): OpenApiTypes.STR,
    },
}


class GetIssuedCertificatesView(LegacyAPIView):
    """
    How many certificates were issued per certificate type, as JSON or (``?csv=true``) as a CSV download.

    ``GET`` or ``POST .../instructor/api/get_issued_certificates/`` -> ``200 {"certificates": [{"course_id":
    "course-v1:...", "mode": "verified", "total_issued_certificate": 3, "report_run_date": "December 01, 2026"}],
    "queried_features": ["course_id", "mode", "total_issued_certificate", "report_run_date"], "feature_names":
    {"course_id": "CourseID", ...}}``; with ``?csv=true`` ``issued_certificates.csv`` with the titles as header.
    """

    permission_name = VIEW_ISSUED_CERTIFICATES
    schema = InstructorAutoSchema()

    @documented(**ISSUED_CERTIFICATES_SCHEMA)
    def get(self, request, course_id):
        table = csv_body("issued_certificates", self.course_key)
        if request.query_params.get("csv", "false").lower() == "true":
            content = io.BytesIO()
            write_csv(content, table)
            response = HttpResponse(content.getvalue(), content_type="text/csv")
            response["Content-Disposition"] = 'attachment; filename="issued_certificates.csv"'
            return response
        features = list(ISSUED_FEATURES)
        certificates = [dict(zip(features, row, strict=True)) for row in table.rows]
        return Response({"certificates": certificates, "queried_features": features, "feature_names": ISSUED_FEATURES})

    @documented(request=NO_BODY, **ISSUED_CERTIFICATES_SCHEMA)
    def post(self, request, course_id):
        return self.get(request, course_id)
