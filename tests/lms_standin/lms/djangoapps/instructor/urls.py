"""
Stand-in of openedx-platform ``lms/djangoapps/instructor/urls.py``: the legacy course-scoped API and the
v2 API (namespace ``instructor_api_v2``) the LMS serves itself.
"""

from django.urls import include, path, re_path
from openedx.core.constants import COURSE_ID_PATTERN

from .views import api_urls

urlpatterns = [
    re_path(rf"^courses/{COURSE_ID_PATTERN}/instructor/api/", include(api_urls.urlpatterns)),
    path(
        "api/instructor/v2/",
        include((api_urls.v2_api_urls, "lms.djangoapps.instructor"), namespace="instructor_api_v2"),
    ),
]
