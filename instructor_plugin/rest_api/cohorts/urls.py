"""URLs of the cohorts API (namespace ``cohorts_api``), under ``api/cohorts/``, as Open edX writes them."""

from django.urls import re_path

from ..course_id import COURSE_ID_PATTERN
from ..views import UnknownEndpointView
from .views import (
    CohortCsvView,
    CohortListView,
    CohortMembersView,
    CohortMemberView,
    CohortSettingsView,
    CohortView,
    GroupConfigurationsView,
    GroupConfigurationView,
)

app_name = "cohorts_api"

COHORTS = rf"^v1/courses/{COURSE_ID_PATTERN}/cohorts/"
GROUP_CONFIGURATIONS = rf"^v2/courses/{COURSE_ID_PATTERN}/group_configurations"

urlpatterns = [
    re_path(rf"^v1/settings/{COURSE_ID_PATTERN}$", CohortSettingsView.as_view(), name="cohort_settings"),
    re_path(rf"{COHORTS}$", CohortListView.as_view(), name="cohort_list"),
    re_path(rf"{COHORTS}(?P<cohort_id>[0-9]+)$", CohortView.as_view(), name="cohort"),
    re_path(rf"{COHORTS}(?P<cohort_id>[0-9]+)/users/?$", CohortMembersView.as_view(), name="cohort_users_list"),
    re_path(
        rf"{COHORTS}(?P<cohort_id>[0-9]+)/users/(?P<username>.+)$", CohortMemberView.as_view(), name="cohort_users"
    ),
    re_path(rf"^v1/courses/{COURSE_ID_PATTERN}/users?/?$", CohortCsvView.as_view(), name="cohort_users_csv"),
    re_path(rf"{GROUP_CONFIGURATIONS}$", GroupConfigurationsView.as_view(), name="group_configurations"),
    re_path(
        rf"{GROUP_CONFIGURATIONS}/(?P<configuration_id>[0-9]{{1,9}})$",
        GroupConfigurationView.as_view(),
        name="group_configuration",
    ),
    re_path(r"", UnknownEndpointView.as_view(), name="unknown_endpoint"),
]
