"""
Legacy data-download endpoints: the report list and the report requests, over the functions the v2 reports use.

Each request queues the same report task as ``POST /api/instructor/v2/courses/{id}/reports/{type}/generate`` and
answers the original's "task started" status; a report of the same type still running is a 400.
"""

from __future__ import annotations

from django.utils.html import format_html
from opaque_keys.edx.keys import CourseKey
from rest_framework import serializers
from rest_framework.response import Response

from ...permissions import CAN_RESEARCH, ENROLLMENT_REPORT, EXAM_RESULTS
from ...reports import list_reports, start_legacy_report, start_report
from ..schema import InstructorAutoSchema, documented
from ..v2.serializers.reports import GenerateReportRequestSerializer, ReportDownloadSerializer
from .base import SUCCESS_MESSAGE_TEMPLATE, LegacyAPIView


class ListReportDownloadsRequestSerializer(serializers.Serializer):
    report_name = serializers.CharField(required=False, max_length=1000, help_text="Only the report of this name.")


class ReportLinkSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The report file's name.")
    url = serializers.CharField(help_text="Where the file downloads from (course staff and researchers only).")
    link = serializers.CharField(help_text="An HTML anchor to ``url`` naming the file.")


class ReportLinksSerializer(serializers.Serializer):
    downloads = ReportLinkSerializer(many=True)


class ReportRequestStatusSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="The report request's status, for people.")


class ProblemResponsesReportStatusSerializer(ReportRequestStatusSerializer):
    task_id = serializers.UUIDField(help_text="The report task; its state is at the v2 tasks endpoint.")


class ListReportDownloadsView(LegacyAPIView):
    """
    The course's report files, newest first, optionally only the one named ``report_name``.

    ``POST .../instructor/api/list_report_downloads`` -> ``200 {"downloads": [{"name":
    "TestX_T101_2026_grade_2026-12-01-1030.csv", "url": "http://lms/api/instructor/v2/courses/.../reports/7/download",
    "link": "<a href=\\"http://lms/...\\">TestX_T101_2026_grade_2026-12-01-1030.csv</a>"}]}``
    """

    permission_name = CAN_RESEARCH
    schema = InstructorAutoSchema()

    @documented(request=ListReportDownloadsRequestSerializer, responses={200: ReportLinksSerializer})
    def post(self, request, course_id):
        body = ListReportDownloadsRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response({"downloads": report_links(request, self.course_key, body.validated_data.get("report_name"))})


def report_links(request, course_key: CourseKey, report_name: str | None) -> list[dict]:
    """The course's report files as the original lists them (``name``, ``url``, ``link``), optionally only one."""
    reports = [report for report in list_reports(course_key) if report_name is None or report.name == report_name]
    rows = ReportDownloadSerializer(reports, many=True, context={"request": request}).data
    return [
        {
            "name": row["report_name"],
            "url": row["report_url"],
            "link": format_html('<a href="{}">{}</a>', row["report_url"], row["report_name"]),
        }
        for row in rows
    ]


class _ReportRequestView(LegacyAPIView):
    """Queue the report ``report_type`` and answer the original's status naming it ``title``."""

    permission_name = CAN_RESEARCH
    report_type: str
    title: str

    schema = InstructorAutoSchema()

    def status_message(self) -> str:
        return SUCCESS_MESSAGE_TEMPLATE.format(report_type=self.title)

    @documented(request=None, responses={200: ReportRequestStatusSerializer})
    def post(self, request, course_id):
        start_report(self.course_key, self.report_type, request.user.pk, {})
        return Response({"status": self.status_message()})


class CalculateGradesCsvView(_ReportRequestView):
    """
    Queue the grade report.

    ``POST .../instructor/api/calculate_grades_csv`` -> ``200 {"status": "The grade report is being created.
    To view the status of the report, see Pending Tasks below."}``
    """

    report_type = "grade"
    title = "grade"


class ProblemGradeReportView(_ReportRequestView):
    """
    Queue the problem grade report.

    ``POST .../instructor/api/problem_grade_report`` -> ``200 {"status": "The problem grade report is being
    created. To view the status of the report, see Pending Tasks below."}``
    """

    report_type = "problem_grade"
    title = "problem grade"


class GetStudentsWhoMayEnrollView(_ReportRequestView):
    """
    Queue the report of the invited learners who have not enrolled yet (the pending enrollments).

    ``POST .../instructor/api/get_students_who_may_enroll`` -> ``200 {"status": "The enrollment report is being
    created. To view the status of the report, see Pending Tasks below."}``
    """

    report_type = "pending_enrollments"
    title = "enrollment"


class GetInactiveEnrolledStudentsView(_ReportRequestView):
    """
    Queue the report of the enrolled learners whose account is not activated (the pending activations).

    ``POST .../instructor/api/get_enrolled_students_with_inactive_account`` -> ``200 {"status": "The inactive
    enrollment report is being created. To view the status of the report, see Pending Tasks below."}``
    """

    report_type = "pending_activations"
    title = "inactive enrollment"


class ExportOra2DataView(_ReportRequestView):
    """
    Queue the open-response data report.

    ``POST .../instructor/api/export_ora2_data`` -> ``200 {"status": "The ORA data report is being created.
    To view the status of the report, see Pending Tasks below."}``
    """

    report_type = "ora2_data"
    title = "ORA data"


class ExportOra2SummaryView(_ReportRequestView):
    """
    Queue the open-response summary report.

    ``POST .../instructor/api/export_ora2_summary`` -> ``200 {"status": "The ORA summary report is being created.
    To view the status of the report, see Pending Tasks below."}``
    """

    report_type = "ora2_summary"
    title = "ORA summary"


class ExportOra2SubmissionFilesView(_ReportRequestView):
    """
    Queue the archive of the open-response submission files.

    ``POST .../instructor/api/export_ora2_submission_files`` -> ``200 {"status": "Attachments archive is being
    created."}``
    """

    report_type = "ora2_submission_files"
    title = "ORA submission files"

    def status_message(self) -> str:
        return "Attachments archive is being created."


class GetProblemResponsesView(LegacyAPIView):
    """
    Queue the report of the learners' answers under one problem or section.

    ``POST .../instructor/api/get_problem_responses`` ``problem_location=block-v1:...+type@problem+block@q1``
    (``problem_types_filter`` optional) -> ``200 {"status": "The problem responses report is being created.
    To view the status of the report, see Pending Tasks below.", "task_id": "6f1c..."}``; no location or a
    malformed one is a 400, one not in the course a 404.
    """

    permission_name = CAN_RESEARCH
    schema = InstructorAutoSchema()

    @documented(request=GenerateReportRequestSerializer, responses={200: ProblemResponsesReportStatusSerializer})
    def post(self, request, course_id):
        options = GenerateReportRequestSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        task = start_report(self.course_key, "problem_responses", request.user.pk, options.validated_data)
        status = SUCCESS_MESSAGE_TEMPLATE.format(report_type="problem responses")
        return Response({"status": status, "task_id": str(task.task_id)})


class GetProctoredExamResultsView(LegacyAPIView):
    """
    Queue the report of every attempt at the course's proctored exams (with the learner's track and times).

    ``POST .../instructor/api/get_proctored_exam_results`` -> ``200 {"status": "The proctored exam results report
    is being created. To view the status of the report, see Pending Tasks below."}``; one still running is a 400.
    """

    permission_name = EXAM_RESULTS
    schema = InstructorAutoSchema()

    @documented(request=None, responses={200: ReportRequestStatusSerializer})
    def post(self, request, course_id):
        start_legacy_report(self.course_key, "proctored_exam_results", request.user.pk)
        return Response({"status": SUCCESS_MESSAGE_TEMPLATE.format(report_type="proctored exam results")})


class GetCourseSurveyResultsView(LegacyAPIView):
    """
    Queue the report of the learners' answers to the course survey (one row per learner, one column per field).

    ``POST .../instructor/api/get_course_survey_results`` -> ``200 {"status": "The survey report is being created.
    To view the status of the report, see Pending Tasks below."}``; one still running is a 400.
    """

    permission_name = ENROLLMENT_REPORT
    schema = InstructorAutoSchema()

    @documented(request=None, responses={200: ReportRequestStatusSerializer})
    def post(self, request, course_id):
        start_legacy_report(self.course_key, "course_survey_results", request.user.pk)
        return Response({"status": SUCCESS_MESSAGE_TEMPLATE.format(report_type="survey")})
