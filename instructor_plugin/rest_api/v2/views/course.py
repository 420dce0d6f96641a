"""The course metadata endpoint."""

from rest_framework.response import Response

from instructor_plugin.course_info import get_course_metadata
from instructor_plugin.permissions import VIEW_DASHBOARD
from instructor_plugin.rest_api.schema import documented
from instructor_plugin.rest_api.v2.serializers.course import CourseMetadataSerializer

from .base import InstructorV2APIView


class CourseMetadataView(InstructorV2APIView):
    """
    Course metadata for the dashboard: dates, enrollment counts, links, the caller's permissions and tabs.

    ``GET /api/instructor/v2/courses/course-v1:OpenedX+DemoX+Demo_Course`` ->
    ``200 {"course_id": "course-v1:OpenedX+DemoX+Demo_Course", "display_name": "Open edX Demo Course",
    "enrollment_counts": {"audit": 30, "verified": 20, "total": 50}, "tabs": [{"tab_id": "course_info",
    "title": "Course Info", "url": "/instructor-dashboard/course-v1:OpenedX+DemoX+Demo_Course/course_info",
    "sort_order": 10}, ...], ...}``
    """

    permission_name = VIEW_DASHBOARD

    @documented(responses={200: CourseMetadataSerializer}, summary="Course metadata")
    def get(self, request, course_id):
        metadata = get_course_metadata(request.user, self.course, self.course_access)
        return Response(CourseMetadataSerializer(metadata).data)
