"""URLs of grades REST v1 (namespace ``grades_api_v1``), under ``api/grades/v1/``."""

from django.urls import re_path

from ..course_id import COURSE_ID_PATTERN
from ..views import UnknownEndpointView
from .views import (
    CourseGradesByQueryView,
    CourseGradesView,
    CourseGradingPolicyView,
    GradebookBulkUpdateView,
    GradebookView,
    GradingInfoView,
    SectionGradesBreakdownView,
    SubmissionHistoryView,
    SubsectionGradeView,
)

app_name = "grades_api_v1"

urlpatterns = [
    re_path(r"^courses/$", CourseGradesByQueryView.as_view(), name="course_grades"),
    re_path(rf"^courses/{COURSE_ID_PATTERN}/$", CourseGradesView.as_view(), name="course_grades"),
    re_path(rf"^policy/courses/{COURSE_ID_PATTERN}/$", CourseGradingPolicyView.as_view(), name="course_grading_policy"),
    re_path(rf"^gradebook/{COURSE_ID_PATTERN}/$", GradebookView.as_view(), name="course_gradebook"),
    re_path(
        rf"^gradebook/{COURSE_ID_PATTERN}/bulk-update$", GradebookBulkUpdateView.as_view(), name="course_gradebook_bulk"
    ),
    re_path(rf"^gradebook/{COURSE_ID_PATTERN}/grading-info$", GradingInfoView.as_view(), name="course_gradebook_info"),
    re_path(r"^subsection/(?P<subsection_id>[^/]+)/$", SubsectionGradeView.as_view(), name="course_grade_overrides"),
    re_path(r"^section_grades_breakdown/$", SectionGradesBreakdownView.as_view(), name="section_grades_breakdown"),
    re_path(rf"^submission_history/{COURSE_ID_PATTERN}/", SubmissionHistoryView.as_view(), name="submission_history"),
    re_path(r"", UnknownEndpointView.as_view(), name="unknown_endpoint"),
]
