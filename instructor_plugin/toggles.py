"""
Feature toggles of the instructor dashboard back end.

The flags stay private to this module; callers use the ``is_*`` helpers.
"""

from edx_toggles.toggles import SettingDictToggle, WaffleFlag

# .. toggle_name: instructor_plugin.enable_api_v2
# .. toggle_implementation: WaffleFlag
# .. toggle_default: False
# .. toggle_description: Serves the Instructor API v2 (``/api/instructor/v2/``) that the
#   instructor-dashboard MFE calls. While off, every v2 endpoint answers 404, so a host can
#   install the plugin first and open the API when it is ready. In an LMS, which serves these
#   paths itself, the flag also decides whose views answer the dashboard's paths (v2, the legacy
#   endpoints the MFE calls, scheduled emails): the plugin's while on, the LMS's while off
#   (``url_precedence``). It is read for the session's user, before the view authenticates a JWT.
# .. toggle_use_cases: opt_in
# .. toggle_creation_date: 2026-11-22
_ENABLE_API_V2_FLAG = WaffleFlag("instructor_plugin.enable_api_v2", module_name=__name__)

# .. toggle_name: instructor.enable_data_download_v2
# .. toggle_implementation: WaffleFlag
# .. toggle_default: False
# .. toggle_description: The data-download experience of Open edX's dashboard, under the flag name
#   Open edX uses. When on, course metadata lists the Data Downloads tab for course staff as well
#   as for data researchers (reports themselves keep their own permissions).
# .. toggle_use_cases: opt_in
# .. toggle_creation_date: 2026-11-22
_DATA_DOWNLOAD_V2_FLAG = WaffleFlag("instructor.enable_data_download_v2", module_name=__name__)

# .. toggle_name: instructor.optimised_is_small_course
# .. toggle_implementation: WaffleFlag
# .. toggle_default: False
# .. toggle_description: Decides whether a course is "small" (``disable_buttons``) with a count that
#   stops at ``MAX_ENROLLMENT_INSTR_BUTTONS + 1`` rows instead of counting every enrollment.
# .. toggle_use_cases: opt_in
# .. toggle_creation_date: 2026-11-22
_OPTIMISED_IS_SMALL_COURSE_FLAG = WaffleFlag("instructor.optimised_is_small_course", module_name=__name__)

# .. toggle_name: instructor.legacy_instructor_dashboard
# .. toggle_implementation: WaffleFlag
# .. toggle_default: False
# .. toggle_description: Opt-out to the legacy dashboard: course metadata tabs point at the LMS's
#   legacy instructor dashboard (``LEGACY_DASHBOARD_URL``) instead of the MFE.
# .. toggle_use_cases: temporary, opt_out
# .. toggle_creation_date: 2026-11-22
# .. toggle_target_removal_date: 2027-06-01
_LEGACY_INSTRUCTOR_DASHBOARD_FLAG = WaffleFlag("instructor.legacy_instructor_dashboard", module_name=__name__)


def is_api_v2_enabled() -> bool:
    """Whether the v2 API answers at all."""
    return _ENABLE_API_V2_FLAG.is_enabled()


def data_download_v2_is_enabled() -> bool:
    """Whether course staff see the Data Downloads tab."""
    return _DATA_DOWNLOAD_V2_FLAG.is_enabled()


def use_optimised_is_small_course() -> bool:
    """Whether ``disable_buttons`` uses the bounded count."""
    return _OPTIMISED_IS_SMALL_COURSE_FLAG.is_enabled()


def legacy_instructor_dashboard() -> bool:
    """Whether tabs point at the legacy dashboard."""
    return _LEGACY_INSTRUCTOR_DASHBOARD_FLAG.is_enabled()


# --- Grades REST v1 (the gradebook), under the flag names Open edX uses ---

# .. toggle_name: grades.writable_gradebook
# .. toggle_implementation: WaffleFlag
# .. toggle_default: False
# .. toggle_description: Serves the gradebook (``/api/grades/v1/gradebook/{course_id}/``) and its bulk
#   grade overrides; while off they answer 403 ``feature_not_enabled``. Open edX's is a course flag.
# .. toggle_use_cases: opt_in
# .. toggle_creation_date: 2026-12-05
_WRITABLE_GRADEBOOK_FLAG = WaffleFlag("grades.writable_gradebook", module_name=__name__)

# .. toggle_name: grades.bulk_management
# .. toggle_implementation: WaffleFlag
# .. toggle_default: False
# .. toggle_description: Shows the gradebook's bulk management (CSV import) even in a course without a
#   ``masters`` track (``can_see_bulk_management`` of grading-info).
# .. toggle_use_cases: opt_in
# .. toggle_creation_date: 2026-12-05
_BULK_MANAGEMENT_FLAG = WaffleFlag("grades.bulk_management", module_name=__name__)

# .. toggle_name: grades.enforce_freeze_grade_after_course_end
# .. toggle_implementation: WaffleFlag
# .. toggle_default: False
# .. toggle_description: Freezes grades ``GRADEBOOK_FREEZE_DAYS`` (a Django setting, default 30) days after
#   the course ends: bulk grade overrides are then refused with 403 ``grades_frozen``.
# .. toggle_use_cases: opt_in
# .. toggle_creation_date: 2026-12-05
_ENFORCE_FREEZE_GRADES_FLAG = WaffleFlag("grades.enforce_freeze_grade_after_course_end", module_name=__name__)


def is_writable_gradebook_enabled() -> bool:
    """Whether the gradebook and its bulk overrides are served."""
    return _WRITABLE_GRADEBOOK_FLAG.is_enabled()


def is_bulk_management_enabled() -> bool:
    """Whether every course shows the gradebook's bulk management."""
    return _BULK_MANAGEMENT_FLAG.is_enabled()


def enforce_freeze_grades() -> bool:
    """Whether grades freeze ``GRADEBOOK_FREEZE_DAYS`` after the course end."""
    return _ENFORCE_FREEZE_GRADES_FLAG.is_enabled()


# --- Program enrollments (seed 004) ---

# .. toggle_name: FEATURES['ENABLE_ENROLLMENT_RESET']
# .. toggle_implementation: SettingDictToggle
# .. toggle_default: False
# .. toggle_description: Opens ``POST /api/program_enrollments/v1/integration-reset/``, which deletes an
#   organisation's program enrollments, the course enrollments they made and the accounts linked to its
#   external keys, so a university can start its integration over. The name Open edX uses; enable it on
#   integration sandboxes only. While off the endpoint answers 501.
# .. toggle_use_cases: opt_in
# .. toggle_creation_date: 2026-12-06
_ENROLLMENT_RESET_TOGGLE = SettingDictToggle("FEATURES", "ENABLE_ENROLLMENT_RESET", default=False, module_name=__name__)


def is_enrollment_reset_enabled() -> bool:
    """Whether the integration reset of program enrollments may run here."""
    return _ENROLLMENT_RESET_TOGGLE.is_enabled()
