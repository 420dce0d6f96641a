"""URLs of the scheduled bulk-email API (namespace ``instructor_task_api_v1``), under ``api/instructor_task/v1/``."""

from django.urls import re_path

from ..course_id import COURSE_ID_PATTERN
from ..views import UnknownEndpointView
from .views import ScheduledBulkEmailDetailView, ScheduledBulkEmailListView

app_name = "instructor_task_api_v1"

SCHEDULES = rf"^schedules/{COURSE_ID_PATTERN}/bulk_email"

urlpatterns = [
    re_path(rf"{SCHEDULES}/$", ScheduledBulkEmailListView.as_view(), name="get-scheduled-bulk-email-messages"),
    re_path(
        rf"{SCHEDULES}/(?P<schedule_id>[0-9]+)$",
        ScheduledBulkEmailDetailView.as_view(),
        name="modify-scheduled-bulk-email-messages",
    ),
    re_path(r"", UnknownEndpointView.as_view(), name="unknown_endpoint"),
]
