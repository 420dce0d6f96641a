"""Legacy endpoints: POST only, CSRF-protected, answering the shapes the MFE reads."""

from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from ...due_dates import reset_due_date
from ...enrollment import get_enrollment_status
from ...gradebook import legacy_gradebook_page
from ...grading import find_instructor_tasks
from ...permissions import CAN_ENROLL, GIVE_STUDENT_EXTENSION, OVERRIDE_GRADES, SHOW_TASKS
from ..schema import documented
from ..v2.serializers.due_dates import ResetDueDateRequestSerializer
from ..v2.serializers.tasks import InstructorTaskListQuerySerializer, InstructorTaskListSerializer
from ..views import CourseAPIView


class EnrollmentStatusRequestSerializer(serializers.Serializer):
    unique_student_identifier = serializers.CharField(max_length=255, help_text="A username or an email.")


class StudentEnrollmentStatusView(CourseAPIView):
    """
    A sentence describing one learner's enrollment.

    ``POST /courses/course-v1:OpenedX+DemoX+Demo_Course/instructor/api/get_student_enrollment_status``
    ``{"unique_student_identifier": "learner1"}`` -> ``200 {"enrollment_status":
    "Enrollment status for learner1: active"}`` (or ``inactive``, ``pending``, ``never enrolled``).
    """

    permission_name = CAN_ENROLL

    @documented(
        request=EnrollmentStatusRequestSerializer,
        responses={200: inline_serializer("EnrollmentStatus", {"enrollment_status": serializers.CharField()})},
    )
    def post(self, request, course_id):
        body = EnrollmentStatusRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        status = get_enrollment_status(self.course_key, body.validated_data["unique_student_identifier"])
        return Response({"enrollment_status": status})


class ListInstructorTasksView(CourseAPIView):
    """
    The course's pending and running tasks (the MFE's Pending Tasks panel), or a problem's task history.

    ``POST /courses/course-v1:OpenedX+DemoX+Demo_Course/instructor/api/list_instructor_tasks`` (no body) ->
    ``200 {"tasks": [{"task_id": "6f1c...", "task_type": "grade_report", "task_state": "PROGRESS", ...}]}``;
    ``problem_location_str`` and ``unique_student_identifier`` in the body narrow it as on the v2 endpoint.
    """

    permission_name = SHOW_TASKS

    @documented(request=InstructorTaskListQuerySerializer, responses={200: InstructorTaskListSerializer})
    def post(self, request, course_id):
        body = InstructorTaskListQuerySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tasks = find_instructor_tasks(
            self.course_key,
            body.validated_data.get("problem_location_str", "").strip(),
            body.validated_data.get("unique_student_identifier", "").strip(),
        )
        return Response(InstructorTaskListSerializer({"tasks": tasks}).data)


@method_decorator(never_cache, name="dispatch")
class ResetDueDateView(CourseAPIView):
    """
    Remove a learner's due-date extension on a unit (and the dated blocks inside it), answered as a JSON string.

    ``POST /courses/course-v1:OpenedX+DemoX+Demo_Course/instructor/api/reset_due_date``
    ``{"student": "learner1", "url": "block-v1:...+type@sequential+block@homework_1", "reason": "Recovered"}`` ->
    ``200 "Successfully reset due date for student Learner 1 for Homework 1: Getting started (block-v1:...)
    to 2026-11-21 23:59"``; errors use the envelope (a malformed ``url`` 400, a unit not in the course 404).
    """

    permission_name = GIVE_STUDENT_EXTENSION

    @documented(request=ResetDueDateRequestSerializer, responses={200: OpenApiTypes.STR})
    def post(self, request, course_id):
        body = ResetDueDateRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        message = reset_due_date(request.user.pk, self.course_key, data["url"], data["student"], data["reason"])
        return Response(message)


@extend_schema(exclude=True)  # an HTML page, not part of the API schema
@method_decorator(never_cache, name="dispatch")
class LegacyGradebookView(CourseAPIView):
    """
    The legacy staff gradebook: an HTML page of 20 learners (by username) with their grade per section and total.

    ``GET /courses/course-v1:OpenedX+DemoX+Demo_Course/instructor/api/gradebook?offset=20`` -> ``200``
    ``text/html``: a table "Username, HW 01, HW 02, HW Avg, ..., Total" with percents, and links to the
    previous and next pages (``?offset=``, or the original's ``.../gradebook/20``; a bad offset shows the first
    page). Course staff only (401/403 JSON).
    """

    permission_name = OVERRIDE_GRADES

    def get(self, request, course_id, offset: int | None = None):
        offset_text = str(offset) if offset is not None else request.query_params.get("offset", "")
        context = legacy_gradebook_page(self.course, offset_text)
        return render(
            request,
            "instructor_plugin/legacy_gradebook.html",
            {**context, "course": self.course, "course_id": str(self.course_key)},
        )
