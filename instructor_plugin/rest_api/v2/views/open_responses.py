"""The open-response assessment endpoints: response counts per assessment and for the course."""

from __future__ import annotations

from rest_framework.response import Response

from instructor_plugin.open_responses import get_open_response_assessment_list, get_ora_summary
from instructor_plugin.permissions import VIEW_DASHBOARD
from instructor_plugin.rest_api.pagination import BackendPagination
from instructor_plugin.rest_api.schema import documented
from instructor_plugin.rest_api.v2.serializers.open_responses import ORASerializer, ORASummarySerializer

from .base import InstructorV2APIView


class ORAView(InstructorV2APIView):
    """
    The course's open-response assessments in course order, with their response counts per workflow step.

    ``GET .../ora?page=1&page_size=25`` -> ``200 {"count": 1, "num_pages": 1, "current_page": 1, "start": 0,
    "next": null, "previous": null, "results": [{"block_id": "block-v1:...+type@openassessment+block@essay",
    "unit_name": "Week 1 essay", "display_name": "Essay", "total_responses": 12, "training": 0, "peer": 4,
    "self": 1, "waiting": 2, "staff": 3, "final_grade_received": 2,
    "staff_ora_grading_url": "https://ora-grading.example.com/block-v1:...+block@essay"}]}``;
    ``staff_ora_grading_url`` is null unless ``ORA_GRADING_MICROFRONTEND_URL`` is set and the block has a
    staff step.
    """

    permission_name = VIEW_DASHBOARD
    pagination_class = BackendPagination

    @documented(responses={200: ORASerializer(many=True)}, summary="Open-response assessments")
    def get(self, request, course_id):
        paginator = self.pagination_class()
        page = paginator.paginate(request, lambda window: get_open_response_assessment_list(self.course_key, window))
        return paginator.get_paginated_response(ORASerializer(page.items, many=True).data)


class ORASummaryView(InstructorV2APIView):
    """
    The course's response counts summed over its open-response assessments.

    ``GET .../ora_summary`` -> ``200 {"total_units": 2, "total_assessments": 3, "total_responses": 30,
    "training": 0, "peer": 10, "self": 4, "waiting": 5, "staff": 6, "final_grade_received": 5}``
    """

    permission_name = VIEW_DASHBOARD

    @documented(responses={200: ORASummarySerializer}, summary="Open-response summary")
    def get(self, request, course_id):
        return Response(ORASummarySerializer(get_ora_summary(self.course_key)).data)
