"""
Stand-in of openedx-platform ``lms/urls.py``, in its order: a few of the LMS's own patterns, then every
``lms.djangoapp`` plugin's (the LMS's own ``instructor`` app, edx-when, edx-completion, edx-proctoring and
instructor_plugin) appended with ``get_plugin_url_patterns``, then the scheduled bulk-email API and ORA2's
file-upload views, as there.
"""

from django.urls import include, path, re_path
from edx_django_utils.plugins import get_plugin_url_patterns
from openedx.core.constants import COURSE_ID_PATTERN

from lms.djangoapps.instructor.views import instructor_dashboard as instructor_dashboard_views

urlpatterns = [
    re_path(
        rf"^courses/{COURSE_ID_PATTERN}/instructor$",
        instructor_dashboard_views.instructor_dashboard_2,
        name="instructor_dashboard",
    ),
]

urlpatterns.extend(get_plugin_url_patterns("lms.djangoapp"))

urlpatterns += [
    path("api/instructor_task/", include("lms.djangoapps.instructor_task.rest_api.urls")),
    path("openassessment/fileupload/", include("openassessment.fileupload.urls")),
]
