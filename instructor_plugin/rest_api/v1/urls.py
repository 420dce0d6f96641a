"""URLs of the legacy endpoints, mounted under ``courses/{course_id}/instructor/api/``."""

from django.urls import path, re_path

from ..views import UnknownEndpointView
from .views import LegacyGradebookView, ListInstructorTasksView, ResetDueDateView, StudentEnrollmentStatusView

app_name = "instructor_api_legacy"

#: The legacy endpoints the instructor-dashboard MFE calls or links to (the rest of the legacy API is the LMS's).
dashboard_patterns = [
    path(
        "get_student_enrollment_status",
        StudentEnrollmentStatusView.as_view(),
        name="get_student_enrollment_status",
    ),
    path("list_instructor_tasks", ListInstructorTasksView.as_view(), name="list_instructor_tasks"),
    path("reset_due_date", ResetDueDateView.as_view(), name="reset_due_date"),
    path("gradebook", LegacyGradebookView.as_view(), name="spoc_gradebook"),
    path("gradebook/<int:offset>", LegacyGradebookView.as_view(), name="spoc_gradebook_offset"),
]

urlpatterns = [*dashboard_patterns, re_path(r"", UnknownEndpointView.as_view(), name="unknown_endpoint")]
