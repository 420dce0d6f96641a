"""A URLconf with one plugin view that writes and then fails, for the rollback tests."""

from django.urls import path
from rest_framework.exceptions import NotFound

from instructor_plugin.models import AuditRecord
from instructor_plugin.rest_api.views import CourseAPIView
from tests.conftest import COURSE_ID

FAILURES = {"unexpected": RuntimeError("the backend broke"), "handled": NotFound("Gone.", "gone")}


class WritesThenFails(CourseAPIView):
    """``POST /fail/<how>``: records an audit row, then raises the failure named ``how``."""

    permission_classes = ()

    def get_authenticators(self):
        return []

    def post(self, request, how):
        AuditRecord.objects.create(course_key=COURSE_ID, action="written before the failure")
        raise FAILURES[how]


urlpatterns = [path("fail/<str:how>", WritesThenFails.as_view())]
