"""URLs of the bulk-grades CSV API (namespace ``bulk_grades_api``), under ``api/bulk_grades/``."""

from django.urls import re_path

from ..course_id import COURSE_ID_PATTERN
from ..views import UnknownEndpointView
from .views import GradeImportExportView, GradeImportHistoryView, InterventionsExportView

app_name = "bulk_grades_api"

urlpatterns = [
    re_path(rf"^course/{COURSE_ID_PATTERN}/$", GradeImportExportView.as_view(), name="bulk_grades"),
    re_path(rf"^course/{COURSE_ID_PATTERN}/history/$", GradeImportHistoryView.as_view(), name="bulk_grades.history"),
    re_path(rf"^course/{COURSE_ID_PATTERN}/intervention/$", InterventionsExportView.as_view(), name="interventions"),
    re_path(r"", UnknownEndpointView.as_view(), name="unknown_endpoint"),
]
