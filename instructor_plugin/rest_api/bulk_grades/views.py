"""
The bulk-grades CSV API: grades download (the gradebook's filters), upload of overrides, history, interventions.

Course staff (the gradebook's course author access) only. Downloads stream CSV whose cells are
neutralised against formulas; errors use the plugin's envelope.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.http import JsonResponse, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.parsers import MultiPartParser

from ... import bulk_grades
from ...backends.data import UserData
from ...permissions import OVERRIDE_GRADES
from ..grades.schema import URI_TOO_LONG
from ..parsers import LimitedFormParser
from ..schema import documented
from ..views import CourseAPIView
from .serializers import (
    CsvFiltersSerializer,
    GradeImportStatusSerializer,
    GradesUploadSerializer,
    ImportHistorySerializer,
)

#: A CSV download: the file, or the error envelope.
CSV_RESPONSE = {(200, "text/csv"): OpenApiTypes.STR, **URI_TOO_LONG}


def _csv_response(lines: Iterator[str], course_id: str, suffix: str = "") -> StreamingHttpResponse:
    stamp = timezone.now().replace(tzinfo=None).isoformat()
    name = "-".join(part for part in (course_id, suffix, stamp) if part)
    safe = name.replace('"', "").replace("\\", "")
    response = StreamingHttpResponse(lines, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{safe}.csv"'
    return response


class BulkGradesView(CourseAPIView):
    """A view of the bulk-grades API: course staff of the course in the URL."""

    permission_name = OVERRIDE_GRADES


class GradeImportExportView(BulkGradesView):
    """
    Download the gradebook as CSV, download an import's per-row results, or upload overrides as CSV.

    ``GET /api/bulk_grades/course/course-v1:OpenedX+DemoX+Demo_Course/?track=masters&cohort=Blue&assignment=
    block-v1:...&assignmentGradeMin=50&courseGradeMax=80&assignmentType=Homework&excludedCourseRoles=all`` ->
    ``200 text/csv`` ``user_id,username,student_key,course_id,track,cohort,name-hw1,grade-hw1,original_grade-hw1,
    previous_override-hw1,new_override-hw1,...``. ``GET ...?error_id=12`` -> the rows of import 12 with ``status``
    and ``error`` columns (404 when it is not this course's).
    ``POST`` multipart ``csv`` (that file with ``new_override-`` cells) -> ``200 {"total": 2, "processed": 1,
    "saved": 0, "error_rows": [], "error_messages": [], "percentage": "0.0%", "can_commit": true,
    "saved_error_id": null, "result_id": "6f1c...", "waiting": true}`` while a background task applies it (its
    final status, ``"saved": 1, "waiting": false``, when it already finished); ``POST`` ``result_id=6f1c...``
    asks again (404 for another course's). Any bad row -> nothing applied, ``error_messages`` and
    ``error_rows`` say why and ``saved_error_id`` names the results to download. Over
    ``MAX_BULK_GRADES_CSV_UPLOAD_BYTES`` -> 413; grades frozen -> 403 ``grades_frozen``.
    """

    parser_classes = (MultiPartParser, LimitedFormParser)

    @documented(
        responses=CSV_RESPONSE,
        parameters=[
            CsvFiltersSerializer,
            OpenApiParameter("error_id", str, description="An import whose per-row results to download instead."),
        ],
        summary="Download grades as CSV",
        tags=["bulk grades"],
    )
    def get(self, request, course_id):
        error_id = request.query_params.get("error_id", "")
        if error_id:
            lines = bulk_grades.export_results(self.course_key, error_id)
            return _csv_response(lines, str(self.course_key), "graded-results")
        filters = CsvFiltersSerializer.read(request.query_params)
        return _csv_response(bulk_grades.export_grades(self.course, filters), str(self.course_key))

    @documented(
        request={"multipart/form-data": GradesUploadSerializer},
        responses={200: GradeImportStatusSerializer},
        errors=(413,),
        summary="Import grade overrides from CSV",
        tags=["bulk grades"],
    )
    def post(self, request, course_id):
        body = GradesUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if "result_id" in body.validated_data:
            return JsonResponse(bulk_grades.import_status(self.course_key, body.validated_data["result_id"]))
        actor = UserData(id=request.user.pk, username=request.user.username, email=request.user.email)
        return JsonResponse(bulk_grades.import_grades(self.course, body.validated_data["csv"], actor))


class GradeImportHistoryView(BulkGradesView):
    """
    The course's applied grade imports, newest first.

    ``GET /api/bulk_grades/course/course-v1:OpenedX+DemoX+Demo_Course/history/`` -> ``200 [{"id": 12,
    "class_name": "bulk_grades.api.GradeCSVProcessor", "unique_id": "course-v1:...", "operation": "commit",
    "user": "instructor", "modified": "2026-05-01T10:00:00Z", "original_filename": "grades.csv", "data":
    {"total_rows": 3, "processed_rows": 2, "saved_rows": 2}}]``
    """

    @documented(responses={200: ImportHistorySerializer(many=True)}, summary="Grade imports", tags=["bulk grades"])
    def get(self, request, course_id):
        return JsonResponse(bulk_grades.import_history(self.course_key), safe=False)


class InterventionsExportView(BulkGradesView):
    """
    The intervention report of ``masters`` learners as CSV, with the download's filters.

    ``GET /api/bulk_grades/course/course-v1:OpenedX+DemoX+Demo_Course/intervention/?courseGradeMax=60`` ->
    ``200 text/csv`` ``user_id,username,email,student_key,full_name,course_id,track,cohort,number of videos
    overall,...,date last active,name-hw1,grade-hw1,...,course grade letter,course grade numeric`` (the
    engagement columns are 0: the plugin has no learner-analytics source).
    """

    @documented(
        responses=CSV_RESPONSE,
        parameters=[CsvFiltersSerializer],
        summary="Download the intervention report as CSV",
        tags=["bulk grades"],
    )
    def get(self, request, course_id):
        filters = CsvFiltersSerializer.read(request.query_params)
        lines = bulk_grades.export_interventions(self.course, filters)
        return _csv_response(lines, str(self.course_key), "intervention")
