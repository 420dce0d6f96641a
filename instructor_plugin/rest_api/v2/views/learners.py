"""The learner lookup endpoint."""

from rest_framework.response import Response

from instructor_plugin.learners import get_learner_summary
from instructor_plugin.permissions import VIEW_DASHBOARD
from instructor_plugin.rest_api.schema import documented
from instructor_plugin.rest_api.v2.serializers.learners import LearnerSerializer

from .base import InstructorV2APIView


class LearnerView(InstructorV2APIView):
    """
    One learner by username or email, and whether they are enrolled in the course.

    ``GET .../learners/learner1@example.com`` -> ``200 {"username": "learner1", "email": "learner1@example.com",
    "full_name": "Learner 1", "progress_url": "http://localhost:8000/courses/.../progress/12/", "is_enrolled": true}``;
    an unknown learner is a 404, an identifier matching two users a 400.
    """

    permission_name = VIEW_DASHBOARD

    @documented(responses={200: LearnerSerializer}, summary="Look up a learner")
    def get(self, request, course_id, email_or_username):
        return Response(LearnerSerializer(get_learner_summary(self.course_key, email_or_username)).data)
