"""Every URL the plugin serves, mounted at the host's root by the plugin framework (LMS APIs as configured)."""

from django.urls import include, path, re_path

from .rest_api.lms_apis import lms_api_patterns
from .url_precedence import API_V2_PREFIX, LEGACY_API_PREFIX, SCHEDULED_EMAIL_API_PREFIX

#: The LMS APIs come first: ``instructor_legacy`` serves paths under the legacy prefix, where the always-on
#: legacy URLconf ends with a catch-all.
urlpatterns = [
    *lms_api_patterns(),
    path(API_V2_PREFIX, include("instructor_plugin.rest_api.v2.urls")),
    path(SCHEDULED_EMAIL_API_PREFIX, include("instructor_plugin.rest_api.instructor_task.urls")),
    re_path(LEGACY_API_PREFIX, include("instructor_plugin.rest_api.v1.urls")),
]
