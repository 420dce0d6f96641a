"""
Stand-in of openedx-platform ``lms/djangoapps/instructor/views/api_urls.py``: two of the legacy endpoints
(one the dashboard MFE calls, one it does not) and two of the v2 endpoints.
"""

from django.urls import path, re_path
from openedx.core.constants import COURSE_ID_PATTERN

from . import api, api_v2

urlpatterns = [
    path("list_instructor_tasks", api.list_instructor_tasks, name="list_instructor_tasks"),
    path("list_course_role_members", api.list_course_role_members, name="list_course_role_members"),
]

v2_api_urls = [
    re_path(rf"^courses/{COURSE_ID_PATTERN}$", api_v2.CourseMetadataView.as_view(), name="course_metadata"),
    re_path(
        rf"^courses/{COURSE_ID_PATTERN}/graded_subsections$",
        api_v2.GradedSubsectionsView.as_view(),
        name="graded_subsections",
    ),
]
