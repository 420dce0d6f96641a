"""
Permission names, the one rule table that grants them, and the DRF permission classes.

"Course staff" is course or org staff or instructor, or global staff; "instructor" is
course or org instructor, or global staff (see :class:`~instructor_plugin.access.CourseAccess`).
"""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.permissions import BasePermission

from .access import CourseAccess
from .backends.data import FORUM_ADMINISTRATOR, FORUM_COMMUNITY_TA, FORUM_MODERATOR

VIEW_DASHBOARD = "instructor.dashboard"
CAN_ENROLL = "instructor.enroll"
VIEW_ENROLLMENTS = "instructor.view_enrollments"
GIVE_STUDENT_EXTENSION = "instructor.give_student_extension"
OVERRIDE_GRADES = "instructor.override_grades"
EXAM_RESULTS = "instructor.view_exam_results"
EMAIL = "instructor.email"
CAN_BETATEST = "instructor.enroll_beta"
RESCORE_EXAMS = "instructor.rescore_exams"
SHOW_TASKS = "instructor.show_tasks"
ENROLLMENT_REPORT = "instructor.enrollment_report"
VIEW_ISSUED_CERTIFICATES = "instructor.view_issued_certificates"
CAN_RESEARCH = "instructor.research"
ENABLE_CERTIFICATE_GENERATION = "instructor.enable_certificate_generation"
START_CERTIFICATE_REGENERATION = "instructor.start_certificate_regeneration"
CERTIFICATE_EXCEPTION_VIEW = "instructor.certificate_exception_view"
CERTIFICATE_INVALIDATION_VIEW = "instructor.certificate_invalidation_view"
MANAGE_COURSE_TEAM = "instructor.manage_course_team"
MANAGE_COURSE_ROLES = "instructor.manage_course_roles"
EDIT_PROCTORING_SETTINGS = "instructor.edit_proctoring_settings"
BULK_GRADING = "instructor.bulk_grading"
ALLOW_STUDENT_TO_BYPASS_ENTRANCE_EXAM = "instructor.allow_student_to_bypass_entrance_exam"
START_CERTIFICATE_GENERATION = "instructor.start_certificate_generation"
GENERATE_CERTIFICATE_EXCEPTIONS = "instructor.generate_certificate_exceptions"
GENERATE_BULK_CERTIFICATE_EXCEPTIONS = "instructor.generate_bulk_certificate_exceptions"
ASSIGN_TO_COHORTS = "instructor.assign_to_cohorts"
# The cohorts API (``/api/cohorts/v1/``), as Open edX grants it: course staff manage cohorts; the
# discussion moderators (forum Administrator, Moderator, Community TA) may also read them.
COHORTS_VIEW = "cohorts.view"
COHORTS_MANAGE = "cohorts.manage"

Rule = Callable[[CourseAccess], bool]


def _course_staff(access: CourseAccess) -> bool:
    return access.is_course_staff


def _instructor(access: CourseAccess) -> bool:
    return access.is_instructor


def _course_staff_or_researcher(access: CourseAccess) -> bool:
    return access.is_course_staff or access.is_data_researcher


def _global_staff_or_researcher(access: CourseAccess) -> bool:
    return access.is_global_staff or access.is_data_researcher


def _instructor_or_discussion_admin(access: CourseAccess) -> bool:
    return access.is_instructor or access.is_discussion_admin


def _course_staff_or_moderator(access: CourseAccess) -> bool:
    return access.is_course_staff or bool(access.forum_roles & _MODERATING_FORUM_ROLES)


_MODERATING_FORUM_ROLES = frozenset({FORUM_ADMINISTRATOR, FORUM_MODERATOR, FORUM_COMMUNITY_TA})


#: Permission name -> who holds it. The only place that decides access.
RULES: dict[str, Rule] = {
    VIEW_DASHBOARD: _course_staff_or_researcher,
    CAN_ENROLL: _course_staff,
    VIEW_ENROLLMENTS: _course_staff,
    GIVE_STUDENT_EXTENSION: _course_staff,
    OVERRIDE_GRADES: _course_staff,
    EXAM_RESULTS: _course_staff,
    EMAIL: _course_staff,
    EDIT_PROCTORING_SETTINGS: _course_staff,
    ALLOW_STUDENT_TO_BYPASS_ENTRANCE_EXAM: _course_staff,
    CAN_BETATEST: _instructor,
    RESCORE_EXAMS: _instructor,
    BULK_GRADING: _instructor,
    SHOW_TASKS: _course_staff_or_researcher,
    ENROLLMENT_REPORT: _course_staff_or_researcher,
    VIEW_ISSUED_CERTIFICATES: _course_staff_or_researcher,
    CAN_RESEARCH: _global_staff_or_researcher,
    ENABLE_CERTIFICATE_GENERATION: _instructor,
    START_CERTIFICATE_REGENERATION: _instructor,
    CERTIFICATE_EXCEPTION_VIEW: _instructor,
    CERTIFICATE_INVALIDATION_VIEW: _instructor,
    START_CERTIFICATE_GENERATION: _instructor,
    GENERATE_CERTIFICATE_EXCEPTIONS: _instructor,
    GENERATE_BULK_CERTIFICATE_EXCEPTIONS: _instructor,
    ASSIGN_TO_COHORTS: _course_staff,
    MANAGE_COURSE_TEAM: _instructor_or_discussion_admin,
    MANAGE_COURSE_ROLES: _instructor,
    COHORTS_VIEW: _course_staff_or_moderator,
    COHORTS_MANAGE: _course_staff,
}


def has_permission(access: CourseAccess, permission_name: str) -> bool:
    """Whether ``access`` holds ``permission_name``; unknown names are never granted."""
    rule = RULES.get(permission_name)
    return bool(rule and rule(access))


class HasCoursePermission(BasePermission):
    """
    Grants the view's ``permission_name`` in the URL's course.

    The view resolves the course first (an unknown course is a 404 before any
    403) and exposes the caller's :class:`CourseAccess` as ``view.course_access``.
    """

    message = "You do not have permission to perform this action in this course."

    def has_permission(self, request, view) -> bool:
        return has_permission(view.course_access, view.get_permission_name())
