"""
Stand-in of openedx-platform ``lms/djangoapps/instructor_task/rest_api/urls.py`` (and its ``v1``): the LMS's
scheduled bulk-email API, which ``lms/urls.py`` mounts at ``api/instructor_task/`` after the plugins.
"""

from django.http import JsonResponse
from django.urls import re_path
from openedx.core.constants import COURSE_ID_PATTERN

app_name = "lms.djangoapps.instructor_task"


def list_scheduled_bulk_email_instructor_tasks(request, course_id):
    """The LMS's own answer (``ListScheduledBulkEmailInstructorTasks`` there)."""
    return JsonResponse({"served_by": "lms", "view": "scheduled_bulk_email"})


urlpatterns = [
    re_path(
        rf"^v1/schedules/{COURSE_ID_PATTERN}/bulk_email/$",
        list_scheduled_bulk_email_instructor_tasks,
        name="get-scheduled-bulk-email-messages",
    ),
]
