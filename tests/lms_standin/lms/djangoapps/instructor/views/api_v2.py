"""Stand-in of openedx-platform ``lms/djangoapps/instructor/views/api_v2.py``: two views answering who served them."""

from django.http import JsonResponse
from django.views import View


class CourseMetadataView(View):
    """``GET /api/instructor/v2/courses/{course_id}``, the LMS's own."""

    def get(self, request, course_id):
        return JsonResponse({"served_by": "lms", "view": "course_metadata"})


class GradedSubsectionsView(View):
    """``GET /api/instructor/v2/courses/{course_id}/graded_subsections``, the LMS's own."""

    def get(self, request, course_id):
        return JsonResponse({"served_by": "lms", "view": "graded_subsections"})
