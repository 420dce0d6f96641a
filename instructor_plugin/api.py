"""
The public Python API of the plugin, for hosts and other plugins.

Import from here only; everything else is internal and may change.
"""

from .access import (
    COURSE_ROLES,
    FORUM_ROLES,
    ROLE_DISPLAY_NAMES,
    CourseAccess,
    allow_access,
    get_course_access,
    is_forum_role,
    list_team,
    revoke_access,
)
from .batch_enrollment import (
    process_single_student_enrollment,
    process_student_enrollment_batch,
    start_enrollment_batch_task,
)
from .beta_testers import modify_beta_testers
from .bulk_email import (
    cancel_scheduled_email,
    list_scheduled_emails,
    send_course_email,
    send_due_course_emails,
    update_scheduled_email,
)
from .course_info import get_course_metadata
from .course_team import modify_team, revoke_member_roles
from .due_dates import change_due_date, graded_subsections, list_unit_extensions, reset_due_date
from .enrollment import (
    EmailEnrollmentState,
    enroll_email,
    get_email_params,
    get_enrollment_status,
    send_beta_role_email,
    unenroll_email,
)
from .grading import (
    delete_problem_state,
    get_grading_config_text,
    get_problem_detail,
    reset_learner_attempts,
    start_all_attempts_reset,
    start_rescore,
    start_score_override,
)
from .learners import get_learner_summary
from .permissions import has_permission

__all__ = [
    "COURSE_ROLES",
    "FORUM_ROLES",
    "ROLE_DISPLAY_NAMES",
    "CourseAccess",
    "EmailEnrollmentState",
    "allow_access",
    "cancel_scheduled_email",
    "change_due_date",
    "delete_problem_state",
    "enroll_email",
    "get_course_access",
    "get_course_metadata",
    "get_email_params",
    "get_enrollment_status",
    "get_grading_config_text",
    "get_learner_summary",
    "get_problem_detail",
    "graded_subsections",
    "has_permission",
    "is_forum_role",
    "list_scheduled_emails",
    "list_team",
    "list_unit_extensions",
    "modify_beta_testers",
    "modify_team",
    "process_single_student_enrollment",
    "process_student_enrollment_batch",
    "reset_due_date",
    "reset_learner_attempts",
    "revoke_access",
    "revoke_member_roles",
    "send_beta_role_email",
    "send_course_email",
    "send_due_course_emails",
    "start_all_attempts_reset",
    "start_enrollment_batch_task",
    "start_rescore",
    "start_score_override",
    "unenroll_email",
    "update_scheduled_email",
]
