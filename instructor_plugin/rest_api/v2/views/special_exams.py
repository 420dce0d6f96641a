"""The special-exam endpoints: exams, learners' attempts and allowances, and the course's proctoring settings."""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from rest_framework.response import Response

from instructor_plugin.permissions import EDIT_PROCTORING_SETTINGS, EXAM_RESULTS, VIEW_DASHBOARD
from instructor_plugin.rest_api.pagination import BackendPagination
from instructor_plugin.rest_api.schema import documented
from instructor_plugin.rest_api.v2.serializers.special_exams import (
    AllowanceRequestSerializer,
    AllowanceResponseSerializer,
    BulkAllowanceRequestSerializer,
    BulkAllowanceResponseSerializer,
    ExamAllowanceSerializer,
    ExamAttemptSerializer,
    ExamListQuerySerializer,
    ProctoringSettingsSerializer,
    ProctoringSettingsUpdateSerializer,
    RemoveAllowanceRequestSerializer,
    ResetAttemptResponseSerializer,
    SpecialExamSerializer,
    SpecialExamsQuerySerializer,
)
from instructor_plugin.special_exams import (
    add_allowances,
    get_exam,
    list_allowances,
    list_attempts,
    list_exams,
    proctoring_settings,
    remove_allowances,
    reset_attempts,
    update_proctoring_settings,
)

from .base import InstructorV2APIView


class SpecialExamView(InstructorV2APIView):
    """An endpoint of the Special Exams tab: course staff."""

    permission_name = EXAM_RESULTS

    def validated_query(self, request, serializer_class) -> dict:
        query = serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data


class SpecialExamsListView(SpecialExamView):
    """
    The course's timed, proctored and practice exams, by id: a bare array, as the MFE expects.

    ``GET .../special_exams?exam_type=proctored`` -> ``200 [{"id": 2,
    "course_id": "course-v1:OpenedX+DemoX+Demo_Course", "content_id": "block-v1:...+type@sequential+block@final_exam",
    "exam_name": "Final Exam (proctored)",
    "time_limit_mins": 120, "due_date": "2027-01-26T00:00:00Z", "exam_type": "proctored", "is_proctored": true,
    "is_practice_exam": false, "is_active": true, "hide_after_due": false, "backend": "lti_external"}]``
    """

    @documented(parameters=[SpecialExamsQuerySerializer], responses={200: SpecialExamSerializer(many=True)})
    def get(self, request, course_id):
        exams = list_exams(self.course_key, self.validated_query(request, SpecialExamsQuerySerializer).get("exam_type"))
        return Response(SpecialExamSerializer(exams, many=True).data)


class SpecialExamDetailView(SpecialExamView):
    """
    One exam of the course; an exam of another course is a 404.

    ``GET .../special_exams/2`` -> ``200 {"id": 2, "exam_name": "Final Exam (proctored)", "exam_type": "proctored",
    ...}``
    """

    @documented(responses={200: SpecialExamSerializer})
    def get(self, request, course_id, exam_id):
        return Response(SpecialExamSerializer(get_exam(self.course_key, exam_id)).data)


class CourseExamAttemptsView(SpecialExamView):
    """
    Learners' attempts at the course's exams, searched and ordered, one page at a time.

    ``GET .../special_exams/attempts?search=learner1&ordering=-start_time&page=1&page_size=25`` -> ``200 {"count": 1,
    "num_pages": 1, "current_page": 1, "start": 0, "next": null, "previous": null, "results": [{"id": 7,
    "user": {"id": 12, "username": "learner1", "email": "learner1@example.com"}, "exam_id": 2,
    "exam_name": "Final Exam (proctored)", "exam_type": "proctored", "status": "error",
    "start_time": "2026-11-30T09:00:00Z", "end_time": null, "allowed_time_limit_mins": 120,
    "ready_to_resume": false}]}``
    """

    pagination_class = BackendPagination

    @documented(parameters=[ExamListQuerySerializer], responses={200: ExamAttemptSerializer(many=True)})
    def get(self, request, course_id):
        return self.attempts(request)

    def attempts(self, request, exam_id: str | None = None):
        query = self.validated_query(request, ExamListQuerySerializer)
        paginator = self.pagination_class()
        page = paginator.paginate(
            request,
            lambda window: list_attempts(
                self.course_key, window, query.get("search"), query.get("ordering"), exam_id=exam_id
            ),
        )
        return paginator.get_paginated_response(ExamAttemptSerializer(page.items, many=True).data)


class SpecialExamAttemptsView(CourseExamAttemptsView):
    """
    Learners' attempts at one exam of the course, as ``special_exams/attempts`` lists them; another course's is a 404.

    ``GET .../special_exams/2/attempts?ordering=status`` -> ``200 {"count": 3, ..., "results": [...]}``
    """

    @documented(
        parameters=[ExamListQuerySerializer],
        responses={200: ExamAttemptSerializer(many=True)},
        operation_id="courses_special_exams_exam_attempts_list",
    )
    def get(self, request, course_id, exam_id):
        return self.attempts(request, exam_id)


@method_decorator(never_cache, name="dispatch")
class ResetExamAttemptView(SpecialExamView):
    """
    Remove every attempt of a learner (username or email) at an exam, so they may take it again; no body.

    ``POST .../special_exams/2/reset/learner1`` -> ``200 {"success": true, "message": "Exam attempt reset for user
    learner1"}``; an unknown learner or a learner without an attempt is a 404 (``learner_not_found``,
    ``attempt_not_found``).
    """

    @documented(
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: ResetAttemptResponseSerializer},
    )
    def post(self, request, course_id, exam_id, username):
        message = reset_attempts(request.user.pk, self.course_key, exam_id, username)
        return Response({"success": True, "message": message})


@method_decorator(never_cache, name="dispatch")
class CourseAllowancesView(SpecialExamView):
    """
    The allowances of the course's learners (GET, paginated), and giving learners one on several exams (POST).

    ``GET .../special_exams/allowances?search=learner&ordering=proctored_exam.exam_name`` -> ``200 {"count": 1, ...,
    "results": [{"id": 3, "created": "...", "modified": "...", "user": {"id": 12, "username": "learner1",
    "email": "learner1@example.com"}, "key": "additional_time_granted", "value": "30",
    "proctored_exam": {"id": 2, "exam_name": "Final Exam (proctored)", "exam_type": "proctored", ...}}]}``

    ``POST`` ``{"user_ids": ["learner1", "nobody@example.com"], "exam_ids": [1, 2], "exam_type": "timed",
    "allowance_type": "additional_time_granted", "value": "30"}`` -> ``200 {"allowance_type":
    "additional_time_granted", "value": "30", "results": [{"identifier": "learner1", "exam_id": 1, "success": true},
    {"identifier": "nobody@example.com", "exam_id": 1, "success": false, "error": "User not found"}, ...]}``. A learner
    holds one allowance per exam: this replaces the one they held. An exam of another course is a 404, nothing written.
    """

    pagination_class = BackendPagination

    @documented(parameters=[ExamListQuerySerializer], responses={200: ExamAllowanceSerializer(many=True)})
    def get(self, request, course_id):
        query = self.validated_query(request, ExamListQuerySerializer)
        paginator = self.pagination_class()
        page = paginator.paginate(
            request, lambda window: list_allowances(self.course_key, window, query.get("search"), query.get("ordering"))
        )
        return paginator.get_paginated_response(ExamAllowanceSerializer(page.items, many=True).data)

    @documented(request=BulkAllowanceRequestSerializer, responses={200: BulkAllowanceResponseSerializer})
    def post(self, request, course_id):
        body = BulkAllowanceRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        rows = add_allowances(
            self.course_key, data["exam_ids"], data["user_ids"], data["allowance_type"], data["value"]
        )
        result = {"allowance_type": data["allowance_type"], "value": data["value"], "results": rows}
        return Response(BulkAllowanceResponseSerializer(result).data)


@method_decorator(never_cache, name="dispatch")
class ExamAllowanceView(SpecialExamView):
    """
    Give learners an allowance on one exam (POST), or remove theirs (DELETE).

    ``POST .../special_exams/2/allowance`` ``{"user_ids": ["learner1"], "allowance_type": "time_multiplier",
    "value": "1.5"}`` -> ``200 {"allowance_type": "time_multiplier", "results": [{"identifier": "learner1",
    "exam_id": 2, "success": true}]}``

    ``DELETE .../special_exams/2/allowance`` ``{"exam_id": 2, "user_ids": [12], "allowance_type": "time_multiplier"}``
    (user ids, as the MFE sends them, or usernames or emails) -> ``200 {"allowance_type": "time_multiplier",
    "results": [{"identifier": "12", "exam_id": 2, "success": true}]}``; a learner without that allowance is a row
    with ``"success": false``.
    """

    @documented(request=AllowanceRequestSerializer, responses={200: AllowanceResponseSerializer})
    def post(self, request, course_id, exam_id):
        body = AllowanceRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        exam = get_exam(self.course_key, exam_id)
        rows = add_allowances(self.course_key, [exam.id], data["user_ids"], data["allowance_type"], data["value"])
        return Response(AllowanceResponseSerializer({"allowance_type": data["allowance_type"], "results": rows}).data)

    @documented(request=RemoveAllowanceRequestSerializer, responses={200: AllowanceResponseSerializer})
    def delete(self, request, course_id, exam_id):
        body = RemoveAllowanceRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        rows = remove_allowances(self.course_key, exam_id, data["user_ids"], data["allowance_type"])
        return Response(AllowanceResponseSerializer({"allowance_type": data["allowance_type"], "results": rows}).data)


@method_decorator(never_cache, name="dispatch")
class ProctoringSettingsView(InstructorV2APIView):
    """
    The course's proctoring settings (GET: the dashboard's roles), and changing them (PATCH: course staff).

    ``GET .../proctoring_settings`` -> ``200 {"proctoring_provider": "lti_external", "proctoring_escalation_email":
    "proctoring@example.com", "create_zendesk_tickets": false, "enable_proctored_exams": true,
    "supports_onboarding": false, "review_dashboard_available": false}``

    ``PATCH`` ``{"proctoring_escalation_email": "help@example.com", "enable_proctored_exams": false}`` -> ``200``
    with the settings; ``proctoring_provider`` and unknown keys are ignored.
    """

    def get_permission_name(self) -> str:
        return VIEW_DASHBOARD if self.request.method in ("GET", "HEAD", "OPTIONS") else EDIT_PROCTORING_SETTINGS

    @documented(responses={200: ProctoringSettingsSerializer})
    def get(self, request, course_id):
        return Response(ProctoringSettingsSerializer(proctoring_settings(self.course)).data)

    @documented(request=ProctoringSettingsUpdateSerializer, responses={200: ProctoringSettingsSerializer})
    def patch(self, request, course_id):
        body = ProctoringSettingsUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        return Response(ProctoringSettingsSerializer(update_proctoring_settings(self.course, body.validated_data)).data)
