"""
The demo host's URLs: the plugin's, mounted by the plugin framework as in an LMS, plus the admin,
sign-in, the MFE shell's endpoints and, when configured, the built MFE itself.
"""

from django.contrib import admin
from django.urls import path, re_path
from django.views.generic import RedirectView
from edx_django_utils.plugins import get_plugin_url_patterns

from instructor_plugin.rest_api.course_id import COURSE_ID_PATTERN

from . import views

urlpatterns = [
    path("", RedirectView.as_view(url="/api/instructor/v2/docs/"), name="home"),
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
    *get_plugin_url_patterns("lms.djangoapp"),
]
