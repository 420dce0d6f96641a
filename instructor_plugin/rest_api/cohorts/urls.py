"""URLs of the cohorts API (namespace ``cohorts_api``), under ``api/cohorts/``, as Open edX writes them."""

from django.urls import re_path

from ..course_id import COURSE_ID_PATTERN
from ..views import UnknownEndpointView
from .views import CohortCsvView, CohortHandlerView, CohortSettingsView, CohortUsersView, GroupConfigurationsView

app_name = "cohorts_api"

COHORTS = rf"^v1/courses/{COURSE_ID_PATTERN}/cohorts/"

urlpatterns = [
    re_path(rf"^v1/settings/{COURSE_ID_PATTERN}$", CohortSettingsView.as_view(), name="cohort_settings"),
    re_path(rf"{COHORTS}(?P<cohort_id>[0-9]+)?$", CohortHandlerView.as_view(), name="cohort_handler"),
    re_path(rf"{COHORTS}(?P<cohort_id>[0-9]+)/users/?$", CohortUsersView.as_view(), name="cohort_users_list"),
    re_path(rf"{COHORTS}(?P<cohort_id>[0-9]+)/users/(?P<username>.+)$", CohortUsersView.as_view(), name="cohort_users"),
    re_path(rf"^v1/courses/{COURSE_ID_PATTERN}/users?/?$", CohortCsvView.as_view(), name="cohort_users_csv"),
    re_path(
        rf"^v2/courses/{COURSE_ID_PATTERN}/group_configurations(?:/(?P<configuration_id>[0-9]{{1,9}}))?$",
        GroupConfigurationsView.as_view(),
        name="group_configurations",
    ),
    re_path(r"", UnknownEndpointView.as_view(), name="unknown_endpoint"),
]
