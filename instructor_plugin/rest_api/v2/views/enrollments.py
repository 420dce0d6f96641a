"""The enrollment list, enrollment changes and beta-tester changes."""

from django.db import transaction
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from rest_framework.response import Response

from instructor_plugin.backends.data import EnrollmentFilter
from instructor_plugin.batch_enrollment import process_student_enrollment_batch, start_enrollment_batch_task
from instructor_plugin.beta_testers import modify_beta_testers
from instructor_plugin.conf import plugin_setting
from instructor_plugin.enrollment import list_enrolled_learners
from instructor_plugin.permissions import CAN_BETATEST, CAN_ENROLL, VIEW_ENROLLMENTS
from instructor_plugin.rest_api.pagination import BackendPagination
from instructor_plugin.rest_api.schema import documented
from instructor_plugin.rest_api.tasks import accepted
from instructor_plugin.rest_api.v2.serializers.enrollments import (
    BetaTesterModifyRequestSerializer,
    BetaTesterModifyResponseSerializer,
    EnrolledLearnerSerializer,
    EnrollmentBatchAcceptedSerializer,
    EnrollmentListQuerySerializer,
    EnrollmentModifyRequestSerializer,
    EnrollmentModifyResponseSerializer,
)

from .base import InstructorV2APIView


class EnrollmentsPagination(BackendPagination):
    extra_fields = {"course_id": {"type": "string"}}


class CourseEnrollmentsView(InstructorV2APIView):
    """
    Active enrollments of the course, ordered by username, paginated.

    ``GET .../enrollments?search=learner1&is_beta_tester=false&page=1&page_size=25`` ->
    ``200 {"count": 11, "num_pages": 1, "current_page": 1, "start": 0, "next": null, "previous": null,
    "course_id": "course-v1:OpenedX+DemoX+Demo_Course", "results": [{"username": "learner1",
    "full_name": "Learner 1", "email": "learner1@example.com", "mode": "audit", "is_beta_tester": false}]}``
    """

    permission_name = VIEW_ENROLLMENTS
    pagination_class = EnrollmentsPagination

    @documented(parameters=[EnrollmentListQuerySerializer], responses={200: EnrolledLearnerSerializer(many=True)})
    def get(self, request, course_id):
        query = EnrollmentListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = EnrollmentFilter(**query.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate(request, lambda window: list_enrolled_learners(self.course_key, filters, window))
        data = EnrolledLearnerSerializer(page.items, many=True).data
        return paginator.get_paginated_response(data, course_id=course_id)


@method_decorator(never_cache, name="dispatch")
class EnrollmentModifyView(InstructorV2APIView):
    """
    Enroll or unenroll learners by username or email; unknown emails become allowed to enroll.

    The whole list commits at once (each identifier in its own savepoint), and messages go
    out after the commit. A list longer than ``MAX_SYNC_ENROLLMENT_IDENTIFIERS``, or one sent with
    ``"background": true``, runs as a background task instead: ``202 {"task_id", "status_url",
    "action", "auto_enroll", "total_students", "message"}``, its per-identifier rows at
    ``tasks/{task_id}/results``.

    ``POST .../enrollments/modify`` ``{"identifier": ["learner1", "new@example.com"], "action": "enroll",
    "auto_enroll": true, "email_students": true, "reason": "Late registration"}`` ->
    ``200 {"action": "enroll", "auto_enroll": true, "results": [{"identifier": "learner1",
    "before": {"user": true, "enrollment": false, "allowed": false, "auto_enroll": false},
    "after": {"user": true, "enrollment": true, "allowed": false, "auto_enroll": false},
    "state_transition": "from unenrolled to enrolled"}, {"identifier": "nobody", "invalid_identifier": true,
    "error_message": "..."}]}``
    """

    permission_name = CAN_ENROLL

    @documented(
        request=EnrollmentModifyRequestSerializer,
        responses={200: EnrollmentModifyResponseSerializer, 202: EnrollmentBatchAcceptedSerializer},
        errors=(409,),
    )
    def post(self, request, course_id):
        body = EnrollmentModifyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        identifiers = body.validated_data["identifier"]
        if body.validated_data["background"] or len(identifiers) > plugin_setting("MAX_SYNC_ENROLLMENT_IDENTIFIERS"):
            return self._start_task(request, body.validated_data)
        with transaction.atomic():
            outcome = process_student_enrollment_batch(
                request.user,
                self.course_key,
                body.validated_data["action"],
                body.validated_data["identifier"],
                auto_enroll=body.validated_data["auto_enroll"],
                email_students=body.validated_data["email_students"],
                reason=body.validated_data["reason"],
                secure=request.is_secure(),
            )
        return Response(EnrollmentModifyResponseSerializer(outcome).data)

    def _start_task(self, request, data: dict):
        task = start_enrollment_batch_task(
            request.user,
            self.course_key,
            data["action"],
            data["identifier"],
            auto_enroll=data["auto_enroll"],
            email_students=data["email_students"],
            reason=data["reason"],
            secure=request.is_secure(),
        )
        total = len(data["identifier"])
        return accepted(
            task,
            action=data["action"],
            auto_enroll=data["auto_enroll"],
            total_students=total,
            message=f"The {data['action']} of {total} identifiers is running in the background.",
        )


@method_decorator(never_cache, name="dispatch")
class BetaTesterModifyView(InstructorV2APIView):
    """
    Add or remove beta testers.

    ``POST .../beta_testers/modify`` ``{"identifier": ["learner2"], "action": "add", "auto_enroll": true,
    "email_students": false}`` -> ``200 {"action": "add", "results": [{"identifier": "learner2",
    "error": false, "user_does_not_exist": false, "is_active": true}]}``
    """

    permission_name = CAN_BETATEST

    @documented(request=BetaTesterModifyRequestSerializer, responses={200: BetaTesterModifyResponseSerializer})
    def post(self, request, course_id):
        body = BetaTesterModifyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        results = modify_beta_testers(
            self.course_key,
            body.validated_data["identifier"],
            body.validated_data["action"],
            email_students=body.validated_data["email_students"],
            auto_enroll=body.validated_data["auto_enroll"],
            secure=request.is_secure(),
            actor_id=request.user.pk,
        )
        outcome = {"action": body.validated_data["action"], "results": results}
        return Response(BetaTesterModifyResponseSerializer(outcome).data)
