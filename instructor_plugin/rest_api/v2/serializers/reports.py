"""Serializers of the data-download (reports) endpoints."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from instructor_plugin.models import Report


class ReportDownloadSerializer(serializers.Serializer):
    """One report file: its name, the permission-checked URL it downloads from, when and what it is."""

    report_name = serializers.CharField(source="name")
    report_url = serializers.SerializerMethodField()
    date_generated = serializers.DateTimeField(source="created", format="%Y-%m-%dT%H:%M:%SZ")
    report_type = serializers.CharField()

    def get_report_url(self, report: Report) -> str:
        path = reverse(
            "instructor_api_v2:report_download", kwargs={"course_id": str(report.course_key), "report_id": report.pk}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportDownloadsSerializer(serializers.Serializer):
    """The course's reports, newest first."""

    downloads = ReportDownloadSerializer(many=True)


class GenerateReportRequestSerializer(serializers.Serializer):
    """What a generate request may carry; only ``problem_responses`` reads it."""

    problem_location = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True, default="")
    problem_types_filter = serializers.JSONField(required=False, default=None)


class GenerateReportResponseSerializer(serializers.Serializer):
    """The queued report task."""

    task_id = serializers.CharField()
    status_url = serializers.CharField()
    status = serializers.CharField()
