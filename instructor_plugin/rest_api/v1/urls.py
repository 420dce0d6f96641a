"""URLs of the legacy endpoints, mounted under ``courses/{course_id}/instructor/api/``."""

from django.urls import path

from .views import StudentEnrollmentStatusView

app_name = "instructor_api_legacy"

urlpatterns = [
    path(
        "get_student_enrollment_status",
        StudentEnrollmentStatusView.as_view(),
        name="get_student_enrollment_status",
    ),
]
