"""
``/api/instructor/v1/``: the original's first API for MFEs, as thin adapters over the functions the v2 views use.

Three operations, at the original's paths (the course id after the resource, not before it): the course's
task list, its report files, and the request of a problem responses report. They are DRF views in the
original too (JWT or session; CSRF on the POST), so they are described in the OpenAPI document.
"""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from rest_framework import serializers
from rest_framework.response import Response

from ...grading import find_instructor_tasks
from ...permissions import CAN_RESEARCH, SHOW_TASKS
from ...reports import start_report
from ..schema import documented
from ..v2.serializers.tasks import InstructorTaskListQuerySerializer, InstructorTaskListSerializer
from ..views import CourseAPIView
from .base import SUCCESS_MESSAGE_TEMPLATE, legacy_exception_handler
from .reports import ProblemResponsesReportStatusSerializer, ReportLinksSerializer, report_links

#: How many locations one problem responses report may name, and how many block types it may filter on.
MAX_PROBLEM_LOCATIONS = 100
MAX_PROBLEM_TYPES = 50


@method_decorator(never_cache, name="dispatch")
class InstructorV1APIView(CourseAPIView):
    """A ``/api/instructor/v1/`` view: the course checks of every endpoint, a task already running is a 400."""

    def get_exception_handler(self):
        return legacy_exception_handler


class ReportLinksQuerySerializer(serializers.Serializer):
    report_name = serializers.CharField(required=False, max_length=1000, help_text="Only the report of this name.")


class ProblemResponsesReportRequestSerializer(serializers.Serializer):
    problem_locations = serializers.ListField(
        child=serializers.CharField(max_length=1000),
        allow_empty=False,
        max_length=MAX_PROBLEM_LOCATIONS,
        help_text="Usage keys of problems or of blocks holding problems (a section, a subsection, the course...).",
    )
    problem_types_filter = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=MAX_PROBLEM_TYPES,
        help_text="Only the blocks of these types (e.g. problem, poll); all scored blocks when left out.",
    )


class InstructorTasksView(InstructorV1APIView):
    """
    The course's pending and running tasks, or the task history of a problem (and learner): the legacy
    ``list_instructor_tasks`` and v2 ``instructor_tasks`` list.

    ``GET /api/instructor/v1/tasks/course-v1:OpenedX+DemoX+Demo_Course?problem_location_str=block-v1:...`` ->
    ``200 {"tasks": [{"task_id": "6f1c...", "task_type": "rescore_problem", "task_state": "SUCCESS", "status":
    "Complete", "task_input": "{...}", "requester": "instructor", "created": "2026-12-01T10:00:00Z",
    "duration_sec": "3", "task_message": "Rescored 1 of 1 learners.", "task_output": "{...}"}]}``
    """

    permission_name = SHOW_TASKS

    @documented(
        parameters=[InstructorTaskListQuerySerializer],
        responses={200: InstructorTaskListSerializer},
        summary="Instructor tasks of the course (v1)",
    )
    def get(self, request, course_id):
        query = InstructorTaskListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        tasks = find_instructor_tasks(
            self.course_key,
            query.validated_data.get("problem_location_str", "").strip(),
            query.validated_data.get("unique_student_identifier", "").strip(),
        )
        return Response(InstructorTaskListSerializer({"tasks": tasks}).data)


class ReportDownloadsView(InstructorV1APIView):
    """
    The course's report files, newest first, optionally only the one named ``report_name``.

    ``GET /api/instructor/v1/reports/course-v1:OpenedX+DemoX+Demo_Course`` -> ``200 {"downloads": [{"name":
    "OpenedX_DemoX_Demo_Course_grade_2026-12-01-103000.csv", "url": "http://lms/api/instructor/v2/courses/.../
    reports/7/download", "link": "<a href=\\"http://lms/...\\">OpenedX_DemoX_Demo_Course_grade_...csv</a>"}]}``
    """

    permission_name = CAN_RESEARCH

    @documented(
        parameters=[ReportLinksQuerySerializer],
        responses={200: ReportLinksSerializer},
        summary="Report files of the course (v1)",
    )
    def get(self, request, course_id):
        query = ReportLinksQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response({"downloads": report_links(request, self.course_key, query.validated_data.get("report_name"))})


class ProblemResponsesReportView(InstructorV1APIView):
    """
    Queue the report of the learners' answers under one or more problems or sections.

    ``POST /api/instructor/v1/reports/course-v1:OpenedX+DemoX+Demo_Course/generate/problem_responses``
    ``{"problem_locations": ["block-v1:...+type@chapter+block@introduction"], "problem_types_filter": ["problem"]}``
    -> ``200 {"status": "The problem responses report is being created. To view the status of the report, see
    Pending Tasks below.", "task_id": "6f1c..."}``; a malformed location is a 400, one not in the course a 404,
    a problem responses report still running a 400.
    """

    permission_name = CAN_RESEARCH

    @documented(
        request=ProblemResponsesReportRequestSerializer,
        responses={200: ProblemResponsesReportStatusSerializer},
        summary="Generate a problem responses report (v1)",
    )
    def post(self, request, course_id):
        body = ProblemResponsesReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        options = {
            "problem_location": ",".join(body.validated_data["problem_locations"]),
            "problem_types_filter": body.validated_data.get("problem_types_filter") or None,
        }
        task = start_report(self.course_key, "problem_responses", request.user.pk, options)
        status = SUCCESS_MESSAGE_TEMPLATE.format(report_type="problem responses")
        return Response({"status": status, "task_id": str(task.task_id)})
