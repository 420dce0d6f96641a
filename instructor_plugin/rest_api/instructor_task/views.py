"""Listing, re-timing, editing and cancelling the course's scheduled emails."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from ...bulk_email import cancel_scheduled_email, list_scheduled_emails, update_scheduled_email
from ...permissions import EMAIL
from ..pagination import BackendPagination
from ..schema import documented
from ..views import CourseAPIView
from .serializers import ScheduledBulkEmailSerializer, ScheduledBulkEmailUpdateSerializer


class ScheduledBulkEmailListView(CourseAPIView):
    """
    The course's emails still waiting for their time, by schedule id, paginated.

    ``GET /api/instructor_task/v1/schedules/course-v1:OpenedX+DemoX+Demo_Course/bulk_email/`` ->
    ``200 {"count": 1, "num_pages": 1, "current_page": 1, "start": 0, "next": null, "previous": null,
    "results": [{"id": 3, "task": 41, "task_due": "2027-01-10T07:00:00Z", "course_email": {"id": 7,
    "subject": "Week 2", "html_message": "<p>Hello</p>", "text_message": "Hello",
    "course_id": "course-v1:OpenedX+DemoX+Demo_Course", "to_option": "", "sender": "course_staff",
    "targets": ["learners", "cohort-Blue"]}}]}``
    """

    permission_name = EMAIL
    pagination_class = BackendPagination

    @documented(responses={200: ScheduledBulkEmailSerializer(many=True)}, summary="Scheduled emails of the course")
    def get(self, request, course_id):
        paginator = self.pagination_class()
        page = paginator.paginate(request, lambda page_request: list_scheduled_emails(self.course_key, page_request))
        return paginator.get_paginated_response(ScheduledBulkEmailSerializer(page.items, many=True).data)


class ScheduledBulkEmailDetailView(CourseAPIView):
    """
    Re-time or edit (PATCH) or cancel (DELETE) one scheduled email of the course.

    ``PATCH .../bulk_email/3`` ``{"schedule": "2027-01-11T09:00:00Z", "email": {"id": 7, "targets":
    ["staff"], "subject": "Week 2", "message": "<p>Hi</p>"}}`` (both keys optional) -> ``200`` the
    schedule as listed. ``DELETE .../bulk_email/3`` -> ``204``; its task fails "Cancelled before it was
    sent.". A schedule of another course is a 404 (``schedule_not_found``); one already queued, sent or
    cancelled is a 400 (``schedule_already_processed``), as is a time in the past (``schedule_in_past``),
    an email id other than the schedule's (``email_id_mismatch``) and bad targets.
    """

    permission_name = EMAIL

    @documented(
        request=ScheduledBulkEmailUpdateSerializer,
        responses={200: ScheduledBulkEmailSerializer},
        errors=(400,),
        summary="Re-time or edit a scheduled email",
    )
    def patch(self, request, course_id, schedule_id):
        body = ScheduledBulkEmailUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        schedule = update_scheduled_email(
            self.course_key,
            schedule_id,
            due=body.validated_data.get("schedule"),
            email=body.validated_data.get("email"),
        )
        return Response(ScheduledBulkEmailSerializer(schedule).data)

    @documented(responses={204: None}, errors=(400,), summary="Cancel a scheduled email")
    def delete(self, request, course_id, schedule_id):
        cancel_scheduled_email(self.course_key, schedule_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
