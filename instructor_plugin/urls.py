"""Every URL the plugin serves, mounted at the host's root by the plugin framework (LMS APIs as configured)."""

from django.urls import include, path, re_path

from .rest_api.course_id import COURSE_ID_PATTERN
from .rest_api.lms_apis import lms_api_patterns

#: The LMS APIs come first: ``instructor_legacy`` serves paths under the legacy prefix, where the always-on
#: legacy URLconf ends with a catch-all.
urlpatterns = [
    *lms_api_patterns(),
    path("api/instructor/v2/", include("instructor_plugin.rest_api.v2.urls")),
    path("api/instructor_task/v1/", include("instructor_plugin.rest_api.instructor_task.urls")),
    re_path(rf"^courses/{COURSE_ID_PATTERN}/instructor/api/", include("instructor_plugin.rest_api.v1.urls")),
]
