"""Course metadata for the dashboard: dates, counts, links, the caller's permissions and tabs."""

from __future__ import annotations

from urllib.parse import urlparse

from django.utils.translation import gettext as _
from opaque_keys.edx.keys import CourseKey

from . import permissions, toggles
from .access import CourseAccess
from .backends.data import CCX_COACH, INSTRUCTOR, STAFF, CourseData
from .backends.registry import get_backend
from .conf import plugin_setting

__all__ = ["TAB_ORDER", "get_course_metadata", "get_tabs"]

#: Tabs in the order the dashboard lists them, with their ``sort_order``.
TAB_ORDER = {
    "course_info": 10,
    "enrollments": 20,
    "course_team": 30,
    "grading": 40,
    "date_extensions": 50,
    "data_downloads": 60,
    "open_responses": 70,
    "certificates": 80,
    "cohorts": 90,
    "bulk_email": 100,
    "special_exams": 110,
}


def _tab_titles() -> dict[str, str]:
    return {
        "course_info": _("Course Info"),
        "enrollments": _("Enrollments"),
        "course_team": _("Course Team"),
        "grading": _("Grading"),
        "date_extensions": _("Date Extensions"),
        "data_downloads": _("Data Downloads"),
        "open_responses": _("Open Responses"),
        "certificates": _("Certificates"),
        "cohorts": _("Cohorts"),
        "bulk_email": _("Bulk Email"),
        "special_exams": _("Special Exams"),
    }


def _join(base: str | None, *parts: object) -> str | None:
    if not base:
        return None
    return "/".join([base.rstrip("/"), *(str(part).strip("/") for part in parts)])


def _tab_url(course_key: CourseKey, tab_id: str) -> str | None:
    if tab_id == "bulk_email":
        return _join(plugin_setting("COMMUNICATIONS_MICROFRONTEND_URL"), "courses", course_key, "bulk_email")
    if toggles.legacy_instructor_dashboard():
        legacy = plugin_setting("LEGACY_DASHBOARD_URL").format(course_id=course_key)
        return f"{plugin_setting('LMS_ROOT_URL').rstrip('/')}{legacy}#view-{tab_id}"
    mfe_path = urlparse(plugin_setting("MICROFRONTEND_URL") or "").path
    return _join(mfe_path or "/", course_key, tab_id)


def _visible_tabs(course: CourseData, access: CourseAccess) -> list[str]:
    backend = get_backend()
    course_key = course.course_key
    staff = access.is_course_staff
    shown = {
        "course_info": staff,
        "enrollments": staff,
        "course_team": permissions.has_permission(access, permissions.MANAGE_COURSE_TEAM),
        "grading": staff,
        "date_extensions": access.is_instructor and backend.due_dates.is_enabled(course_key),
        "data_downloads": permissions.has_permission(access, permissions.CAN_RESEARCH)
        or (staff and toggles.data_download_v2_is_enabled()),
        "open_responses": staff and backend.courses.has_blocks_of_type(course_key, "openassessment"),
        "certificates": permissions.has_permission(access, permissions.CERTIFICATE_EXCEPTION_VIEW)
        and (access.is_global_staff or plugin_setting("ENABLE_CERTIFICATES_INSTRUCTOR_MANAGE")),
        "cohorts": staff,
        "bulk_email": staff and bool(plugin_setting("COMMUNICATIONS_MICROFRONTEND_URL")),
        "special_exams": staff
        and bool(plugin_setting("ENABLE_SPECIAL_EXAMS"))
        and (course.enable_proctored_exams or course.enable_timed_exams),
    }
    return [tab_id for tab_id in TAB_ORDER if shown[tab_id]]


def get_tabs(course: CourseData, access: CourseAccess) -> list[dict[str, object]]:
    """The dashboard tabs the caller may open, as ``{tab_id, title, url, sort_order}``."""
    titles = _tab_titles()
    return [
        {
            "tab_id": tab_id,
            "title": titles[tab_id],
            "url": _tab_url(course.course_key, tab_id),
            "sort_order": TAB_ORDER[tab_id],
        }
        for tab_id in _visible_tabs(course, access)
    ]


def _grade_cutoffs(course: CourseData) -> str:
    cutoffs = sorted(course.grade_cutoffs.items(), key=lambda item: item[1], reverse=True)
    return ", ".join(f"{letter} is {value}" for letter, value in cutoffs)


def _enrollment_counts(course_key: CourseKey) -> dict[str, int]:
    enrollments = get_backend().enrollments
    by_mode = enrollments.count_by_mode(course_key)
    counts = {mode.slug: by_mode.get(mode.slug, 0) for mode in enrollments.list_modes(course_key)}
    counts.update({slug: n for slug, n in by_mode.items() if slug not in counts and n})
    counts["total"] = sum(by_mode.values())
    return counts


def _is_small_course(course_key: CourseKey, total: int) -> bool:
    threshold = plugin_setting("MAX_ENROLLMENT_INSTR_BUTTONS")
    if toggles.use_optimised_is_small_course():
        return get_backend().enrollments.count_active(course_key, limit=threshold + 1) <= threshold
    return total <= threshold


def _analytics_message(course_key: CourseKey) -> str:
    url = plugin_setting("ANALYTICS_DASHBOARD_URL")
    if not url:
        return ""
    name = plugin_setting("ANALYTICS_DASHBOARD_NAME")
    return _("Enrollment data is now available in {dashboard}: {url}/courses/{course_id}").format(
        dashboard=name, url=url.rstrip("/"), course_id=course_key
    )


def _gradebook_url(course_key: CourseKey) -> str | None:
    """
    Where the dashboard's "View Gradebook" goes: null while ``grades.writable_gradebook`` is off (as Open edX
    answers), else the gradebook MFE's page of the course when ``WRITABLE_GRADEBOOK_URL`` is set, else the
    legacy staff gradebook page.
    """
    if not toggles.is_writable_gradebook_enabled():
        return None
    writable = _join(plugin_setting("WRITABLE_GRADEBOOK_URL"), course_key)
    if writable:
        return writable
    return f"{plugin_setting('LMS_ROOT_URL').rstrip('/')}/courses/{course_key}/instructor/api/gradebook"


def get_course_metadata(user, course: CourseData, access: CourseAccess) -> dict[str, object]:
    """Everything the dashboard shows about the course, as seen by ``user``."""
    backend = get_backend()
    course_key = course.course_key
    counts = _enrollment_counts(course_key)
    learners = backend.enrollments.count_learners(course_key)
    admin_console = plugin_setting("ADMIN_CONSOLE_MICROFRONTEND_URL")
    authoring = plugin_setting("COURSE_AUTHORING_MICROFRONTEND_URL")
    studio = plugin_setting("STUDIO_URL")
    return {
        "course_id": str(course_key),
        "username": user.username,
        "display_name": course.display_name,
        "org": course_key.org,
        "course_number": course_key.course,
        "course_run": course_key.run or "",
        "enrollment_start": course.enrollment_start,
        "enrollment_end": course.enrollment_end,
        "start": course.start,
        "end": course.end,
        "pacing": "self" if course.self_paced else "instructor",
        "has_started": course.has_started(),
        "has_ended": course.has_ended(),
        "total_enrollment": counts["total"],
        "learner_count": learners,
        "staff_count": counts["total"] - learners,
        "enrollment_counts": counts,
        "num_sections": backend.courses.count_children(course_key),
        "grade_cutoffs": _grade_cutoffs(course),
        "course_errors": [[error, ""] for error in course.errors],
        "studio_url": _join(studio, "course", course_key),
        "gradebook_url": _gradebook_url(course_key),
        "studio_grading_url": _join(authoring, "course", course_key, "settings", "grading"),
        "admin_console_url": _join(admin_console, "authz") if access.is_instructor else None,
        "permissions": {
            "admin": access.is_global_staff,
            "instructor": INSTRUCTOR in access.course_roles,
            "staff": STAFF in access.course_roles,
            "ccx_coach": CCX_COACH in access.course_roles,
            "forum_admin": access.is_forum_admin,
            "data_researcher": permissions.has_permission(access, permissions.CAN_RESEARCH),
        },
        "tabs": get_tabs(course, access),
        "disable_buttons": not _is_small_course(course_key, counts["total"]),
        "analytics_dashboard_message": _analytics_message(course_key),
        "certificates_enabled": backend.certificates.is_generation_enabled(course_key),
    }
