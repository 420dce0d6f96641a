"""The base of every v2 view: the whole API answers 404 while its flag is off."""

from rest_framework.exceptions import NotFound

from instructor_plugin.rest_api.views import CourseAPIView
from instructor_plugin.toggles import is_api_v2_enabled


class InstructorV2APIView(CourseAPIView):
    """A v2 endpoint under ``/api/instructor/v2/courses/{course_id}/``."""

    def initial(self, request, *args, **kwargs):
        if not is_api_v2_enabled():
            raise NotFound()
        super().initial(request, *args, **kwargs)
