"""URLs of the program enrollments API (namespace ``programs_api_v1``), under ``api/program_enrollments/v1/``."""

from django.urls import re_path

from ..course_id import COURSE_ID_PATTERN
from ..views import UnknownEndpointView
from .views import (
    USERNAME_CHARACTERS,
    EnrollmentDataResetUnslashedView,
    EnrollmentDataResetView,
    ProgramCourseEnrollmentOverviewView,
    ProgramCourseEnrollmentsView,
    ProgramCourseGradesView,
    ProgramEnrollmentsView,
    ProgramReadOnlyAccessView,
    UserProgramCourseEnrollmentView,
)

app_name = "programs_api_v1"

#: A program's uuid as the original matches it: hex digits and dashes.
PROGRAM_UUID_PATTERN = r"(?P<program_uuid>[0-9a-fA-F-]+)"

urlpatterns = [
    re_path(r"^programs/enrollments/$", ProgramReadOnlyAccessView.as_view(), name="program_enrollments"),
    re_path(r"^programs/readonly_access/$", ProgramReadOnlyAccessView.as_view(), name="user_program_readonly_access"),
    re_path(
        rf"^programs/{PROGRAM_UUID_PATTERN}/enrollments/$", ProgramEnrollmentsView.as_view(), name="program_enrollments"
    ),
    re_path(
        rf"^programs/{PROGRAM_UUID_PATTERN}/courses/{COURSE_ID_PATTERN}/enrollments/$",
        ProgramCourseEnrollmentsView.as_view(),
        name="program_course_enrollments",
    ),
    re_path(
        rf"^programs/{PROGRAM_UUID_PATTERN}/courses/{COURSE_ID_PATTERN}/grades/$",
        ProgramCourseGradesView.as_view(),
        name="program_course_grades",
    ),
    re_path(
        rf"^users/(?P<username>{USERNAME_CHARACTERS})/programs/{PROGRAM_UUID_PATTERN}/courses",
        UserProgramCourseEnrollmentView.as_view(),
        name="user_program_course_enrollments",
    ),
    re_path(
        rf"^programs/{PROGRAM_UUID_PATTERN}/overview/$",
        ProgramCourseEnrollmentOverviewView.as_view(),
        name="program_course_enrollments_overview",
    ),
    re_path(r"^integration-reset/$", EnrollmentDataResetView.as_view(), name="reset_enrollment_data"),
    re_path(r"^integration-reset$", EnrollmentDataResetUnslashedView.as_view(), name="reset_enrollment_data_unslashed"),
    re_path(r"", UnknownEndpointView.as_view(), name="unknown_endpoint"),
]
