"""
Grades REST v1: course grades, grading policy, the gradebook, bulk overrides, grading info, subsection overrides.

Errors keep the original's status and ``error_code`` inside the plugin's envelope.
"""

from __future__ import annotations

from django.utils.module_loading import import_string
from drf_spectacular.utils import OpenApiParameter
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey
from rest_framework import status
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.permissions import BasePermission, IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ... import gradebook, resolve
from ...access import get_course_access
from ...backends.data import UserData
from ...conf import plugin_setting
from ...permissions import OVERRIDE_GRADES, HasCoursePermission, has_permission
from ..enrollment.views import EnrollmentUserThrottle
from ..errors import exception_handler
from ..parsers import ArrayJSONParser
from ..schema import InstructorAutoSchema, documented
from ..views import CourseAPIView, CourseResolved
from .pagination import CursorPagination
from .schema import (
    COURSE_GRADES_RESPONSE,
    CURSOR_PARAMETERS,
    GRADEBOOK_RESPONSE,
    URI_TOO_LONG,
    BulkUpdateItemSerializer,
    BulkUpdateResultSerializer,
    GradingInfoSerializer,
    GradingPolicyEntrySerializer,
    SectionGradesPageSerializer,
    SubmissionHistoryPageSerializer,
    SubsectionGradeSerializer,
)
from .serializers import GradebookQuerySerializer, SectionBreakdownQuerySerializer, SubsectionQuerySerializer

#: Course author access (course or org staff or instructor, global staff): what the gradebook asks.
AUTHOR_ACCESS = OVERRIDE_GRADES


class WritableGradebookEnabled(BasePermission):
    """
    The ``grades.writable_gradebook`` flag is on, else 403 ``feature_not_enabled``.

    Checked as the original does: after the course is found (404 first) and before the caller's course
    access (so a learner asking while the flag is off is told the feature is off).
    """

    def has_permission(self, request, view) -> bool:
        gradebook.check_writable_gradebook()
        return True


def _actor(user) -> UserData:
    return UserData(id=user.pk, username=user.username, email=user.email)


class CourseGradesView(CourseAPIView):
    """
    Course grades: one learner's (``?username=``, an array of one) or, for global staff, every active learner's.

    ``GET /api/grades/v1/courses/course-v1:OpenedX+DemoX+Demo_Course/?username=learner1`` -> ``200
    [{"username": "learner1", "email": "learner1@example.com", "course_id": "course-v1:...", "passed": true,
    "percent": 0.93, "letter_grade": "A"}]`` (``email`` only for ``masters`` learners).
    ``GET /api/grades/v1/courses/?course_id=course-v1:...`` -> ``200 {"next": "...?cursor=...", "previous": null,
    "results": [...]}``. Another user's grade without global staff -> 403; unknown course -> 404.
    """

    permission_classes = (IsAuthenticated,)

    @documented(
        responses={200: COURSE_GRADES_RESPONSE, **URI_TOO_LONG},
        parameters=[OpenApiParameter("username", str, description="One learner: an array of one."), *CURSOR_PARAMETERS],
        summary="Course grades",
        operation_id="grades_v1_course_grades",
        tags=["grades v1"],
    )
    def get(self, request, course_id=None):
        course = resolve.course(course_id or request.query_params.get("course_id", ""))
        username = request.query_params.get("username")
        if username:
            if not (request.user.is_staff or username == request.user.username):
                raise PermissionDenied("You may only see your own grades.", "user_mismatch")
            return Response([gradebook.learner_course_grade(course.course_key, username)])
        if not request.user.is_staff:
            raise PermissionDenied("Only global staff may list every learner's grades.", "permission_denied")
        paginator = CursorPagination()
        page, results = gradebook.list_course_grades(course.course_key, paginator.cursor(request))
        return paginator.get_paginated_response(page, results)


class CourseGradesByQueryView(CourseGradesView):
    """Course grades of the course named by ``?course_id=`` (``GET /api/grades/v1/courses/?course_id=...``)."""

    @documented(
        responses={200: COURSE_GRADES_RESPONSE, **URI_TOO_LONG},
        parameters=[
            OpenApiParameter("course_id", str, required=True, description="The course."),
            OpenApiParameter("username", str, description="One learner: an array of one."),
            *CURSOR_PARAMETERS,
        ],
        summary="Course grades (course in the query)",
        operation_id="grades_v1_course_grades_by_query",
        tags=["grades v1"],
    )
    def get(self, request, course_id=None):
        return super().get(request)


class CourseGradingPolicyView(CourseAPIView):
    """
    The grading policy's assignment types (course staff).

    ``GET /api/grades/v1/policy/courses/course-v1:OpenedX+DemoX+Demo_Course/`` -> ``200 [{"assignment_type":
    "Homework", "count": 3, "dropped": 1, "weight": 0.3}, ...]``
    """

    permission_name = AUTHOR_ACCESS

    @documented(responses={200: GradingPolicyEntrySerializer(many=True)}, summary="Grading policy", tags=["grades v1"])
    def get(self, request, course_id):
        return Response(gradebook.grading_policy(self.course))


class GradebookView(CourseAPIView):
    """
    One learner's gradebook entry (``?username=``) or a cursor page of them, filtered (course staff, flag on).

    ``GET /api/grades/v1/gradebook/course-v1:...Demo_Course/?page_size=25&excluded_course_roles=all&cohort_id=1``
    -> ``200 {"next": "...", "previous": null, "total_users_count": 50, "filtered_users_count": 25, "results":
    [{"user_id": 9, "username": "learner1", "email": "", "percent": 0.5, "section_breakdown": [{"attempted": true,
    "category": "Homework", "label": "HW 01", "module_id": "block-v1:...", "percent": 1.0, "score_earned": 2.0,
    "score_possible": 2.0, "subsection_name": "Homework 1"}]}]}``. Filters: ``user_contains``,
    ``username_contains``, ``cohort_id``, ``enrollment_mode``, ``assignment`` with ``assignment_grade_min/max``,
    ``course_grade_min/max`` (percents), ``excluded_course_roles``. Flag off -> 403 ``feature_not_enabled``.
    """

    permission_name = AUTHOR_ACCESS
    permission_classes = (CourseResolved, WritableGradebookEnabled, HasCoursePermission)

    @documented(
        responses={200: GRADEBOOK_RESPONSE, **URI_TOO_LONG},
        parameters=[GradebookQuerySerializer, *CURSOR_PARAMETERS],
        summary="Gradebook",
        tags=["grades v1"],
    )
    def get(self, request, course_id):
        query = GradebookQuerySerializer.read(request.query_params)
        username = query.validated_data.get("username")
        if username:
            return Response(gradebook.learner_entry(self.course, username))
        paginator = CursorPagination()
        page, results, total, filtered = gradebook.list_gradebook(
            self.course, query.to_filter(), paginator.cursor(request)
        )
        return paginator.get_paginated_response(page, results, total_users_count=total, filtered_users_count=filtered)


class GradebookBulkUpdateView(CourseAPIView):
    """
    Override subsection grades for many (learner, subsection) pairs, with per-item results (course staff, flag on).

    ``POST /api/grades/v1/gradebook/course-v1:...Demo_Course/bulk-update`` ``[{"user_id": 9, "usage_id":
    "block-v1:...+type@sequential+block@hw1", "grade": {"earned_graded_override": "2", "comment": "late"}}]``
    -> ``202 [{"user_id": 9, "usage_id": "block-v1:...", "success": true, "reason": null}]``; any failed item
    -> ``422`` with every item's result. Grades frozen -> 403 ``grades_frozen``.
    """

    permission_name = AUTHOR_ACCESS
    permission_classes = (CourseResolved, WritableGradebookEnabled, HasCoursePermission)
    parser_classes = (ArrayJSONParser,)

    @documented(
        request=BulkUpdateItemSerializer(many=True),
        responses={202: BulkUpdateResultSerializer(many=True), 422: BulkUpdateResultSerializer(many=True)},
        errors=(413,),
        summary="Override subsection grades",
        tags=["grades v1"],
    )
    def post(self, request, course_id):
        results, all_succeeded = gradebook.bulk_update(self.course, request.data, _actor(request.user))
        return Response(
            results, status=status.HTTP_202_ACCEPTED if all_succeeded else status.HTTP_422_UNPROCESSABLE_ENTITY
        )


class GradingInfoView(CourseAPIView):
    """
    Assignment types and subsections of the course, for the gradebook's columns (course staff).

    ``GET /api/grades/v1/gradebook/course-v1:...Demo_Course/grading-info?graded_only=true`` -> ``200
    {"assignment_types": {"Homework": {"type": "Homework", "short_label": "HW", "min_count": 3, "drop_count": 1,
    "weight": 0.3}}, "subsections": [{"assignment_type": "Homework", "display_name": "Homework 1", "graded": true,
    "short_label": "HW 01", "module_id": "block-v1:..."}], "grade_cutoffs": {"A": 0.85}, "grades_frozen": false,
    "can_see_bulk_management": true}``
    """

    permission_name = AUTHOR_ACCESS

    @documented(
        responses={200: GradingInfoSerializer},
        parameters=[OpenApiParameter("graded_only", str, description="`true`: graded subsections only.")],
        summary="Gradebook grading info",
        tags=["grades v1"],
    )
    def get(self, request, course_id):
        graded_only = request.query_params.get("graded_only", "").lower() in ("true", "1", "yes")
        return Response(gradebook.grading_info(self.course, graded_only))


class SubsectionGradeView(CourseAPIView):
    """
    A learner's original grade on a subsection, its override and the override's history (course staff of its course).

    ``GET /api/grades/v1/subsection/block-v1:...+type@sequential+block@hw1/?user_id=9&history_record_limit=5``
    -> ``200 {"success": true, "subsection_id": "block-v1:...", "user_id": 9, "course_id": "course-v1:...",
    "original_grade": {"earned_all": 1.0, "possible_all": 2.0, "earned_graded": 1.0, "possible_graded": 2.0},
    "override": {"earned_all_override": 2.0, ...}, "history": [{"history_date": "...", "history_user": "instructor",
    "override_reason": "late", "earned_graded_override": 2.0, ...}]}``. Bad key -> 404 ``invalid_usage_key``;
    bad ``user_id`` -> 404 ``invalid_user_id``.
    """

    permission_classes = (IsAuthenticated,)

    @documented(
        responses={200: SubsectionGradeSerializer, **URI_TOO_LONG},
        parameters=[
            OpenApiParameter("user_id", int, required=True, description="The learner."),
            OpenApiParameter("history_record_limit", int, description="The newest records only (a bad one: 0)."),
        ],
        summary="A learner's subsection grade, override and history",
        tags=["grades v1"],
    )
    def get(self, request, subsection_id):
        try:
            usage_key = UsageKey.from_string(subsection_id)
        except InvalidKeyError:
            raise NotFound(f"Invalid UsageKey: {subsection_id}", "invalid_usage_key") from None
        course = resolve.course(usage_key.course_key)
        if not has_permission(get_course_access(request.user, course.course_key), AUTHOR_ACCESS):
            raise PermissionDenied("The requesting user does not have course author permissions.", "user_permissions")
        query = SubsectionQuerySerializer(data={"user_id": request.query_params.get("user_id")})
        if not query.is_valid():
            raise NotFound("user_id is not integer.", "invalid_user_id")
        limit_text = request.query_params.get("history_record_limit")
        try:
            limit = None if limit_text is None else max(int(limit_text), 0)
        except ValueError:
            limit = 0
        return Response(gradebook.subsection_detail(usage_key, query.validated_data["user_id"], limit))


class GlobalStaffAPIView(APIView):
    """A grades v1 view for global staff only (401 anonymous, 403 anyone else), with the plugin's auth and errors."""

    permission_classes = (IsAdminUser,)
    schema = InstructorAutoSchema()

    def get_authenticators(self):
        return [import_string(path)() for path in plugin_setting("AUTHENTICATION_CLASSES")]

    def get_exception_handler(self):
        return exception_handler


class SectionGradesBreakdownView(GlobalStaffAPIView):
    """
    Course grades with each learner's section summary, over active enrollments of one or every course (global staff).

    ``GET /api/grades/v1/section_grades_breakdown/?course_id=course-v1:OpenedX+DemoX+Demo_Course&username=a,b``
    -> ``200 {"next": "...?cursor=...", "previous": null, "results": [{"course_id": "course-v1:...", "username":
    "a", "passed": false, "current_grade": 42, "section_breakdown": [{"percent": 0.5, "label": "HW 01", "detail":
    "Homework 1 - Homework 1 - 50.00% (1/2)", "category": "Homework"}, {"percent": 0.5, "label": "HW Avg",
    "detail": "Homework Average = 50.00%", "category": "Homework", "prominent": true}]}]}``. A bad course id or
    username, or more than 100 usernames -> 400 with ``field_errors``; an unknown course -> 200 with no results.
    """

    @documented(
        responses={200: SectionGradesPageSerializer, **URI_TOO_LONG},
        parameters=[SectionBreakdownQuerySerializer, *CURSOR_PARAMETERS],
        summary="Section grades breakdown",
        tags=["grades v1"],
    )
    def get(self, request):
        query = SectionBreakdownQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        paginator = CursorPagination(key=lambda item: item.id)
        page, results = gradebook.list_section_breakdowns(
            query.validated_data.get("course_id"), query.validated_data.get("username") or [], paginator.cursor(request)
        )
        return paginator.get_paginated_response(page, results)


class SubmissionHistoryView(GlobalStaffAPIView):
    """
    Every active learner's submissions on the course's scored problems, a page of learners at a time (global staff).

    ``GET /api/grades/v1/submission_history/course-v1:OpenedX+DemoX+Demo_Course/?username=learner1`` -> ``200
    {"next": null, "previous": null, "results": [{"course_id": "course-v1:...", "course_name": "Demo Course",
    "user": "learner1", "problems": [{"location": "block-v1:...+type@problem+block@q1", "name": "Question 1",
    "data": "", "submission_history": [{"state": {"attempts": 1, "student_answers": {...}}, "grade": 1.0,
    "max_grade": 2.0}]}]}]}``. Bad course id -> 400 ``invalid_course_key``; throttled as the enrollment API.
    """

    throttle_classes = (EnrollmentUserThrottle,)

    @documented(
        responses={200: SubmissionHistoryPageSerializer, **URI_TOO_LONG},
        errors=(429,),
        parameters=[OpenApiParameter("username", str, description="One learner only."), *CURSOR_PARAMETERS],
        summary="Submission history",
        tags=["grades v1"],
    )
    def get(self, request, course_id):
        try:
            course_key = CourseKey.from_string(course_id)
        except InvalidKeyError:
            raise ParseError("The provided course key cannot be parsed.", "invalid_course_key") from None
        course = resolve.course(course_key)
        paginator = CursorPagination(key=lambda item: item.id)
        page, results = gradebook.list_submission_history(
            course, request.query_params.get("username") or None, paginator.cursor(request)
        )
        return paginator.get_paginated_response(page, results)
