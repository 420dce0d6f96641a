"""The certificate endpoints: the issued list and history, the switch, (re)generation, exceptions, invalidations."""

from __future__ import annotations

from django.db import transaction
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from instructor_plugin.backends.data import CertificateFilter
from instructor_plugin.certificates import (
    ExceptionRow,
    add_exceptions,
    invalidate_certificates,
    is_generation_enabled,
    list_generation_history,
    list_issued_certificates,
    read_exceptions_upload,
    remove_exception,
    remove_invalidation,
    set_generation_enabled,
    start_generation,
)
from instructor_plugin.permissions import (
    CERTIFICATE_EXCEPTION_VIEW,
    CERTIFICATE_INVALIDATION_VIEW,
    ENABLE_CERTIFICATE_GENERATION,
    START_CERTIFICATE_REGENERATION,
    VIEW_ISSUED_CERTIFICATES,
)
from instructor_plugin.rest_api.pagination import BackendPagination
from instructor_plugin.rest_api.parsers import LimitedFormParser
from instructor_plugin.rest_api.schema import documented
from instructor_plugin.rest_api.tasks import accepted
from instructor_plugin.rest_api.v2.serializers.certificates import (
    CertificateBulkUploadSerializer,
    CertificateConfigSerializer,
    CertificateGenerationHistorySerializer,
    CertificateInvalidationRemovedSerializer,
    CertificateLearnerRequestSerializer,
    CertificateLearnersRequestSerializer,
    CertificateLearnersResultSerializer,
    CertificateMessageSerializer,
    CertificateRegenerateRequestSerializer,
    CertificateTaskAcceptedSerializer,
    IssuedCertificateSerializer,
    IssuedCertificatesQuerySerializer,
)

from .base import InstructorV2APIView


class IssuedCertificatesView(InstructorV2APIView):
    """
    The course's certificates with their special cases, ordered by username, paginated.

    ``GET .../certificates/issued?filter=granted_exceptions&search=learner&page=1&page_size=25`` ->
    ``200 {"count": 1, "num_pages": 1, "current_page": 1, "start": 0, "next": null, "previous": null,
    "results": [{"username": "learner3", "email": "learner3@example.com", "enrollment_track": "verified",
    "certificate_status": "downloadable", "special_case": "exception", "exception_granted":
    "2026-12-01T10:30:00Z", "exception_notes": "Medical leave", "invalidated_by": null,
    "invalidation_date": null, "invalidation_note": ""}]}``
    """

    permission_name = VIEW_ISSUED_CERTIFICATES
    pagination_class = BackendPagination

    @documented(parameters=[IssuedCertificatesQuerySerializer], responses={200: IssuedCertificateSerializer(many=True)})
    def get(self, request, course_id):
        query = IssuedCertificatesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = CertificateFilter(
            status_filter=query.validated_data["filter"], search=query.validated_data["search"] or None
        )
        paginator = self.pagination_class()
        page = paginator.paginate(request, lambda window: list_issued_certificates(self.course_key, filters, window))
        return paginator.get_paginated_response(IssuedCertificateSerializer(page.items, many=True).data)


class CertificateGenerationHistoryView(InstructorV2APIView):
    """
    The course's certificate (re)generations, newest first, paginated.

    ``GET .../certificates/generation_history`` -> ``200 {"count": 1, "num_pages": 1, "current_page": 1,
    "start": 0, "next": null, "previous": null, "results": [{"task_name": "Regenerated",
    "date": "2026-12-01T10:30:00Z", "details": "Learners with status: downloadable"}]}``
    """

    permission_name = VIEW_ISSUED_CERTIFICATES
    pagination_class = BackendPagination

    @documented(responses={200: CertificateGenerationHistorySerializer(many=True)})
    def get(self, request, course_id):
        paginator = self.pagination_class()
        page = paginator.paginate(request, lambda window: list_generation_history(self.course_key, window))
        return paginator.get_paginated_response(CertificateGenerationHistorySerializer(page.items, many=True).data)


@method_decorator(never_cache, name="dispatch")
class RegenerateCertificatesView(InstructorV2APIView):
    """
    (Re)generate certificates in the background: for learners whose certificate has one of ``statuses``,
    or for a ``student_set`` (``all``, ``allowlisted``, ``allowlisted_not_generated``).

    ``POST .../certificates/regenerate`` ``{"statuses": ["notpassing", "unavailable"]}`` ->
    ``202 {"task_id": "6f1c...", "status_url": "/api/instructor/v2/courses/.../tasks/6f1c...",
    "message": "Certificate regeneration task has been started"}``; 409 while one is running.
    """

    permission_name = START_CERTIFICATE_REGENERATION

    @documented(
        request=CertificateRegenerateRequestSerializer,
        responses={202: CertificateTaskAcceptedSerializer},
        errors=(409,),
    )
    def post(self, request, course_id):
        body = CertificateRegenerateRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = start_generation(
            self.course_key,
            request.user.id,
            statuses=body.validated_data["statuses"],
            student_set=body.validated_data["student_set"],
        )
        return accepted(task, message="Certificate regeneration task has been started")


class CertificateConfigView(InstructorV2APIView):
    """
    Whether certificate generation is on for the course.

    ``GET .../certificates/config`` -> ``200 {"enabled": true}``
    """

    permission_name = VIEW_ISSUED_CERTIFICATES

    @documented(responses={200: CertificateConfigSerializer})
    def get(self, request, course_id):
        return Response({"enabled": is_generation_enabled(self.course_key)})


@method_decorator(never_cache, name="dispatch")
class ToggleCertificateGenerationView(InstructorV2APIView):
    """
    Turn certificate generation on or off.

    ``POST .../certificates/toggle_generation`` ``{"enabled": false}`` -> ``200 {"enabled": false}``
    """

    permission_name = ENABLE_CERTIFICATE_GENERATION

    @documented(request=CertificateConfigSerializer, responses={200: CertificateConfigSerializer})
    def post(self, request, course_id):
        body = CertificateConfigSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        set_generation_enabled(self.course_key, body.validated_data["enabled"])
        return Response({"enabled": body.validated_data["enabled"]})


@method_decorator(never_cache, name="dispatch")
class CertificateExceptionsView(InstructorV2APIView):
    """
    Grant learners a certificate exception (the allowlist), or remove one.

    ``POST .../certificates/exceptions`` ``{"learners": ["learner1", "nobody"], "notes": "Medical leave"}`` ->
    ``200 {"success": ["learner1"], "errors": [{"learner": "nobody", "message":
    "User matching query does not exist."}]}``

    ``DELETE .../certificates/exceptions`` ``{"username": "learner1"}`` ->
    ``200 {"message": "Certificate exception removed successfully"}``; 404 ``certificate_exception_not_found``
    when the learner has none.
    """

    permission_name = CERTIFICATE_EXCEPTION_VIEW

    @documented(request=CertificateLearnersRequestSerializer, responses={200: CertificateLearnersResultSerializer})
    def post(self, request, course_id):
        body = CertificateLearnersRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notes = body.validated_data["notes"]
        rows = [ExceptionRow(line=0, learner=learner, notes=notes) for learner in body.validated_data["learners"]]
        with transaction.atomic():
            return Response(add_exceptions(self.course_key, rows, request.user.id))

    @documented(request=CertificateLearnerRequestSerializer, responses={200: CertificateMessageSerializer})
    def delete(self, request, course_id):
        body = CertificateLearnerRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            remove_exception(self.course_key, body.validated_data["username"])
        return Response({"message": "Certificate exception removed successfully"})


@method_decorator(never_cache, name="dispatch")
class BulkCertificateExceptionsView(InstructorV2APIView):
    """
    Grant exceptions from a CSV upload (multipart ``file``): username or email, then optional notes,
    an optional header row. A learner's problem is an error row with its ``line``.

    ``POST .../certificates/exceptions/bulk`` (``file=exceptions.csv``: ``username,notes\\nlearner1,Late\\n``) ->
    ``200 {"success": ["learner1"], "errors": [{"learner": "nobody", "message":
    "User matching query does not exist.", "line": 3}]}``. 400 without a file, for a file not named
    ``*.csv``, for an empty or malformed file (the message names the line); 413 above
    ``MAX_CERTIFICATE_EXCEPTIONS_UPLOAD_BYTES``.
    """

    permission_name = CERTIFICATE_EXCEPTION_VIEW
    parser_classes = (MultiPartParser, LimitedFormParser)

    @documented(
        request={"multipart/form-data": CertificateBulkUploadSerializer},
        responses={200: CertificateLearnersResultSerializer},
        errors=(413,),
    )
    def post(self, request, course_id):
        body = CertificateBulkUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = read_exceptions_upload(body.validated_data.get("file"))
        with transaction.atomic():
            return Response(add_exceptions(self.course_key, rows, request.user.id))


@method_decorator(never_cache, name="dispatch")
class CertificateInvalidationsView(InstructorV2APIView):
    """
    Invalidate learners' certificates, or lift an invalidation (which regenerates the certificate in the background).

    ``POST .../certificates/invalidations`` ``{"learners": ["learner3"], "notes": "Plagiarism"}`` ->
    ``200 {"success": ["learner3"], "errors": []}``

    ``DELETE .../certificates/invalidations`` ``{"username": "learner3"}`` ->
    ``200 {"message": "Certificate invalidation removed successfully", "task_id": "6f1c..."}``;
    404 ``certificate_not_found`` or ``certificate_invalidation_not_found``.
    """

    permission_name = CERTIFICATE_INVALIDATION_VIEW

    @documented(request=CertificateLearnersRequestSerializer, responses={200: CertificateLearnersResultSerializer})
    def post(self, request, course_id):
        body = CertificateLearnersRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with transaction.atomic():
            return Response(invalidate_certificates(self.course_key, data["learners"], data["notes"], request.user.id))

    @documented(request=CertificateLearnerRequestSerializer, responses={200: CertificateInvalidationRemovedSerializer})
    def delete(self, request, course_id):
        body = CertificateLearnerRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = remove_invalidation(self.course_key, body.validated_data["username"], request.user.id)
        return Response(
            {
                "message": "Certificate invalidation removed successfully",
                "task_id": str(task.task_id) if task else None,
            }
        )
