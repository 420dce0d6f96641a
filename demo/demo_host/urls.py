"""
The demo host's URLs: the plugin's, mounted by the plugin framework as in an LMS, plus a home page,
the admin, sign-in, the MFE shell's endpoints and, when configured, the built MFE itself.
"""

from django.contrib import admin
from django.urls import path, re_path
from edx_django_utils.plugins import get_plugin_url_patterns

from instructor_plugin.rest_api.course_id import COURSE_ID_PATTERN

from . import errors, home, views

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

urlpatterns = [
    path("", home.home, name="home"),
    path("admin/", admin.site.urls),
    path("login", views.DemoLoginView.as_view(), name="login"),
    path("logout", views.logout_view, name="logout"),
    path("login_refresh", views.login_refresh, name="login_refresh"),
    path("csrf/api/v1/token", views.csrf_token, name="csrf_token"),
    re_path(
        rf"^api/course_home/course_metadata/{COURSE_ID_PATTERN}$",
        views.course_home_metadata,
        name="course_home_metadata",
    ),
    re_path(rf"^courses/{COURSE_ID_PATTERN}/masquerade$", views.masquerade, name="masquerade"),
    re_path(r"^instructor-dashboard(?:/(?P<path>.*))?$", views.microfrontend, name="microfrontend"),
    re_path(r"^gradebook(?:/(?P<path>.*))?$", views.gradebook, name="gradebook"),
    *get_plugin_url_patterns("lms.djangoapp"),
]
