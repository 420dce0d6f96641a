"""The data-download endpoints: the course's report files, generating one, and downloading one."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from instructor_plugin import resolve
from instructor_plugin.permissions import CAN_RESEARCH, ENROLLMENT_REPORT, VIEW_ISSUED_CERTIFICATES
from instructor_plugin.reports import REPORT_TYPES, list_reports, open_report, start_report
from instructor_plugin.rest_api.schema import documented
from instructor_plugin.rest_api.tasks import accepted
from instructor_plugin.rest_api.v2.serializers.reports import (
    GenerateReportRequestSerializer,
    GenerateReportResponseSerializer,
    ReportDownloadsSerializer,
)

from .base import InstructorV2APIView

#: What report files are stored as: CSV, and ZIP for the open-response submission files.
REPORT_MEDIA_TYPES = ("text/csv", "application/zip")


class ReportDownloadsView(InstructorV2APIView):
    """
    The course's report files, newest first (not paginated).

    ``GET .../reports`` -> ``200 {"downloads": [{"report_name":
    "OpenedX_DemoX_Demo_Course_grade_2026-12-01-103000.csv", "report_url":
    "http://lms/api/instructor/v2/courses/course-v1:OpenedX+DemoX+Demo_Course/reports/7/download",
    "date_generated": "2026-12-01T10:30:00Z", "report_type": "grade"}]}``
    """

    permission_name = ENROLLMENT_REPORT

    @documented(responses={200: ReportDownloadsSerializer}, summary="Report files of the course")
    def get(self, request, course_id):
        body = {"downloads": list_reports(self.course_key)}
        return Response(ReportDownloadsSerializer(body, context={"request": request}).data)


class GenerateReportView(InstructorV2APIView):
    """
    Queue a report of one of the eleven types; the file appears in ``GET .../reports`` when the task ends.

    ``POST .../reports/problem_responses/generate``
    ``{"problem_location": "block-v1:OpenedX+DemoX+Demo_Course+type@problem+block@hw1_q1"}`` ->
    ``202 {"task_id": "6f1c...", "status_url": "/api/instructor/v2/courses/.../tasks/6f1c...",
    "status": "The problem responses report is being created."}``. An unknown type is a 400
    ``"Invalid report type: x"``; a report of the same type still running is a 409 naming its task.
    """

    def get_permission_name(self) -> str:
        if self.kwargs.get("report_type") == "issued_certificates":
            return VIEW_ISSUED_CERTIFICATES
        return CAN_RESEARCH

    @documented(
        request=GenerateReportRequestSerializer,
        responses={202: GenerateReportResponseSerializer},
        errors=(400, 409),
        summary="Generate a report",
        parameters=[OpenApiParameter("report_type", str, OpenApiParameter.PATH, enum=sorted(REPORT_TYPES))],
    )
    def post(self, request, course_id, report_type):
        options = GenerateReportRequestSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        task = start_report(self.course_key, report_type, request.user.pk, options.validated_data)
        return accepted(task, status=REPORT_TYPES[report_type])


class ReportDownloadView(InstructorV2APIView):
    """
    The bytes of one report file of the course, as an attachment.

    ``GET .../reports/7/download`` -> ``200`` ``Content-Type: text/csv``,
    ``Content-Disposition: attachment; filename="OpenedX_DemoX_Demo_Course_grade_2026-12-01-103000.csv"``;
    a report of another course, or whose file is gone, is a 404.
    """

    permission_name = ENROLLMENT_REPORT

    @documented(
        responses={(200, media_type): OpenApiTypes.BINARY for media_type in REPORT_MEDIA_TYPES},
        summary="Download a report",
    )
    def get(self, request, course_id, report_id):
        report = resolve.report(self.course_key, report_id)
        content = open_report(report)
        return FileResponse(content, as_attachment=True, filename=report.name, content_type=report.content_type)
