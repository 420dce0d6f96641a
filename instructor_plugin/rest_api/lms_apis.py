"""
The LMS APIs around the dashboard that the plugin can also serve, at the originals' paths.

An Open edX LMS serves them itself, so each is mounted only when ``INSTRUCTOR_PLUGIN["LMS_APIS"]``
names it (default: none); a standalone host names the ones it wants::

    INSTRUCTOR_PLUGIN = {"LMS_APIS": ["enrollment", "cohorts"]}

mounts ``/api/enrollment/v1/`` and ``/api/cohorts/v1/``. An unknown name is refused at start-up
by the system check ``instructor_plugin.E002``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, include, re_path

from ..conf import plugin_setting


@dataclass(frozen=True)
class LmsApi:
    """Where one API is mounted (a regex from the site root) and the URLconf module serving it."""

    prefix: str
    urlconf: str


#: Every API the plugin can serve, by the name ``LMS_APIS`` uses.
LMS_APIS: dict[str, LmsApi] = {
    # Grades REST v1 (seed 001): the gradebook and its overrides, for the Gradebook MFE.
    "grades": LmsApi(prefix=r"^api/grades/v1/", urlconf="instructor_plugin.rest_api.grades.urls"),
    # The enrollment API (seed 002), for the learning and gradebook MFEs and e-commerce services.
    "enrollment": LmsApi(prefix=r"^api/enrollment/v1/", urlconf="instructor_plugin.rest_api.enrollment.urls"),
    # Open edX's course_groups API, for the MFE's Cohorts tab; mounted at ``api/cohorts/``, since the
    # original serves ``v1/`` there and its content groups under ``v2/``.
    "cohorts": LmsApi(prefix=r"^api/cohorts/", urlconf="instructor_plugin.rest_api.cohorts.urls"),
    # The rest of the legacy instructor API (seed 000) beside the three endpoints always served: its
    # URLconf names the original's paths from the site root, and is mounted before the always-on one.
    "instructor_legacy": LmsApi(prefix=r"^", urlconf="instructor_plugin.rest_api.v1.legacy_urls"),
    # The bulk-grades CSV API (edx-bulk-grades), for the Gradebook MFE's download, import and interventions.
    "bulk_grades": LmsApi(prefix=r"^api/bulk_grades/", urlconf="instructor_plugin.rest_api.bulk_grades.urls"),
    # Program enrollments (seed 004), for registrar-style services and learner portals.
    "program_enrollments": LmsApi(
        prefix=r"^api/program_enrollments/v1/", urlconf="instructor_plugin.rest_api.program_enrollments.urls"
    ),
}


def unknown_lms_apis() -> list[str]:
    """The names in ``INSTRUCTOR_PLUGIN["LMS_APIS"]`` that name no API."""
    return [name for name in plugin_setting("LMS_APIS") if name not in LMS_APIS]


def lms_api_patterns() -> list[URLPattern | URLResolver]:
    """The URL patterns of the APIs ``INSTRUCTOR_PLUGIN["LMS_APIS"]`` names, in the order it names them."""
    wanted = [LMS_APIS[name] for name in plugin_setting("LMS_APIS") if name in LMS_APIS]
    return [re_path(api.prefix, include(api.urlconf)) for api in wanted]
