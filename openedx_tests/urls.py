"""
The LMS-like host's URLconf: the plugin's URLs where its ``plugin_app`` mounts them (no namespace, at
the root). An LMS mounts every plugin's with ``get_plugin_url_patterns``; here that would also import
edx-completion's API views, which need platform modules the stand-in does not have (the course blocks
API, ``CourseEnrollment``). ORA2's file-upload views sit where the LMS's ``lms/urls.py`` puts them.
"""

from django.urls import include, path, re_path

urlpatterns = [
    path("openassessment/fileupload/", include("openassessment.fileupload.urls")),
    re_path(r"^", include("instructor_plugin.urls")),
]
