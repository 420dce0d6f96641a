"""The date-extension endpoints: dated units, a learner's new due date, and the extensions granted."""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from rest_framework.response import Response

from instructor_plugin.due_dates import change_due_date, graded_subsections, list_unit_extensions
from instructor_plugin.permissions import GIVE_STUDENT_EXTENSION, VIEW_DASHBOARD
from instructor_plugin.rest_api.pagination import BackendPagination
from instructor_plugin.rest_api.schema import documented
from instructor_plugin.rest_api.v2.serializers.due_dates import (
    ChangeDueDateRequestSerializer,
    DueDateMessageSerializer,
    GradedSubsectionsSerializer,
    UnitExtensionSerializer,
    UnitExtensionsQuerySerializer,
)

from .base import InstructorV2APIView


class GradedSubsectionsView(InstructorV2APIView):
    """
    The units whose due date can be changed for a learner: the top-most dated blocks, in course order.

    ``GET .../graded_subsections`` -> ``200 {"items": [{"display_name": "Homework 1: Getting started",
    "subsection_id": "block-v1:OpenedX+DemoX+Demo_Course+type@sequential+block@homework_1"}, ...]}``
    """

    permission_name = VIEW_DASHBOARD

    @documented(responses={200: GradedSubsectionsSerializer}, summary="Dated units")
    def get(self, request, course_id):
        return Response(GradedSubsectionsSerializer({"items": graded_subsections(self.course_key)}).data)


@method_decorator(never_cache, name="dispatch")
class ChangeDueDateView(InstructorV2APIView):
    """
    Give an enrolled learner a new due date on a unit and on every dated block inside it.

    ``POST .../change_due_date`` ``{"block_id": "block-v1:...+type@sequential+block@homework_1",
    "due_datetime": "2030-01-01T10:00:00+02:00", "email_or_username": "learner1", "reason": "Illness"}`` ->
    ``200 {"message": "Successfully changed due date for learner Learner 1 for Homework 1: Getting started
    (block-v1:...) to 2030-01-01 08:00"}``; a date not later than the original, a learner not enrolled or a
    malformed block id is a 400, a block not in the course a 404.
    """

    permission_name = GIVE_STUDENT_EXTENSION

    @documented(
        request=ChangeDueDateRequestSerializer, responses={200: DueDateMessageSerializer}, summary="Change a due date"
    )
    def post(self, request, course_id):
        body = ChangeDueDateRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        message = change_due_date(
            request.user.pk,
            self.course_key,
            data["block_id"],
            data["due_datetime"],
            data["email_or_username"],
            data["reason"],
        )
        return Response({"message": message})


class UnitExtensionsView(InstructorV2APIView):
    """
    The due-date extensions granted in the course, by username then unit, optionally searched or for one unit.

    ``GET .../unit_extensions?email_or_username=learner&block_id=block-v1:...+block@homework_1&page=1&page_size=25``
    -> ``200 {"count": 1, "num_pages": 1, "current_page": 1, "start": 0, "next": null, "previous": null,
    "results": [{"username": "learner1", "full_name": "Learner 1", "email": "learner1@example.com",
    "unit_title": "Homework 1: Getting started", "unit_location": "block-v1:...+block@homework_1",
    "extended_due_date": "2030-01-01T08:00:00Z"}]}``
    """

    permission_name = VIEW_DASHBOARD
    pagination_class = BackendPagination

    @documented(parameters=[UnitExtensionsQuerySerializer], responses={200: UnitExtensionSerializer(many=True)})
    def get(self, request, course_id):
        query = UnitExtensionsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        search = query.validated_data.get("email_or_username")
        block_id = query.validated_data.get("block_id")
        paginator = self.pagination_class()
        page = paginator.paginate(
            request, lambda window: list_unit_extensions(self.course_key, window, search, block_id)
        )
        return paginator.get_paginated_response(UnitExtensionSerializer(page.items, many=True).data)
