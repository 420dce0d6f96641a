"""
Who may call which endpoint: every endpoint x every role, one exact status per cell.

The expectations are written out by hand from the permission table of CONTRACT.md, not
computed from ``instructor_plugin.permissions.RULES``, so a wrong rule fails here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.models import (
    Block,
    CertificateAllowlistEntry,
    CertificateGenerationRun,
    CertificateInvalidation,
    Course,
    CourseAccessRole,
    CourseEnrollment,
    CourseEnrollmentAllowed,
    DueDateChange,
    DueDateOverride,
    EntranceExam,
    EntranceExamSkip,
    ExamAllowance,
    ExamAttempt,
    ForumRole,
    GeneratedCertificate,
    ManualEnrollmentAudit,
    ProblemState,
    SpecialExam,
)
from instructor_plugin.models import (
    AuditRecord,
    CourseEmail,
    CourseEmailDelivery,
    CourseEmailSchedule,
    InstructorTask,
)
from instructor_plugin.reports import store_report
from tests.conftest import COURSE_ID, grant, grant_forum, make_user, v2

User = get_user_model()
ENVELOPE_KEYS = {"error", "error_code", "detail", "developer_message"}
ROLES = (
    "anonymous",
    "outsider",
    "learner",
    "beta_tester",
    "course_staff",
    "instructor",
    "data_researcher",
    "discussion_admin",
    "global_staff",
)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: dict | None = field(default=None)
    #: Multipart files, name -> (file name, content); the request is then multipart.
    files: dict | None = field(default=None)


LEGACY_STATUS_URL = f"/courses/{COURSE_ID}/instructor/api/get_student_enrollment_status"
#: A task of the course, started by the instructor (see ``matrix_task``).
MATRIX_TASK_ID = "00000000-0000-4000-8000-0000000000aa"
#: A problem of the course on which the learner holds state (see ``matrix_problem``).
MATRIX_PROBLEM = "block-v1:TestX+T101+2026+type@problem+block@matrix"
#: A dated subsection of the course on which the learner has an extension (see ``matrix_due_date``).
MATRIX_UNIT = "block-v1:TestX+T101+2026+type@sequential+block@matrix_hw"
#: A special exam of the course: the learner has an attempt, the beta tester an allowance (see ``matrix_exam``).
MATRIX_EXAM = 9001
EXAM_PATH = f"/special_exams/{MATRIX_EXAM}"
#: A scheduled email of the course (see ``matrix_schedule``).
MATRIX_SCHEDULE = 9001
SCHEDULES_PATH = f"/api/instructor_task/v1/schedules/{COURSE_ID}/bulk_email/"

CALLS = {
    "course_metadata": Call("get", v2()),
    "enrollments_list": Call("get", v2(suffix="/enrollments")),
    "enrollments_modify": Call(
        "post", v2(suffix="/enrollments/modify"), {"identifier": ["learner"], "action": "enroll"}
    ),
    "beta_testers_modify": Call(
        "post", v2(suffix="/beta_testers/modify"), {"identifier": ["learner"], "action": "add"}
    ),
    "learner_detail": Call("get", v2(suffix="/learners/learner")),
    "team_roles": Call("get", v2(suffix="/team/roles")),
    "team_list": Call("get", v2(suffix="/team")),
    "team_allow_forum_role": Call(
        "post", v2(suffix="/team"), {"identifiers": ["learner"], "role": "Moderator", "action": "allow"}
    ),
    "team_allow_course_role": Call(
        "post", v2(suffix="/team"), {"identifiers": ["learner"], "role": "staff", "action": "allow"}
    ),
    "team_revoke_forum_role": Call("delete", v2(suffix="/team/learner"), {"roles": ["Moderator"]}),
    "team_revoke_course_role": Call("delete", v2(suffix="/team/learner"), {"roles": ["staff"]}),
    "legacy_enrollment_status": Call("post", LEGACY_STATUS_URL, {"unique_student_identifier": "learner"}),
    "report_downloads": Call("get", v2(suffix="/reports")),
    "generate_report": Call("post", v2(suffix="/reports/grade/generate"), {}),
    "generate_issued_certificates": Call("post", v2(suffix="/reports/issued_certificates/generate"), {}),
    "task_status": Call("get", v2(suffix=f"/tasks/{MATRIX_TASK_ID}")),
    "task_results": Call("get", v2(suffix=f"/tasks/{MATRIX_TASK_ID}/results")),
    "instructor_tasks": Call("get", v2(suffix="/instructor_tasks")),
    "legacy_list_instructor_tasks": Call("post", f"/courses/{COURSE_ID}/instructor/api/list_instructor_tasks"),
    "problem_detail": Call("get", v2(suffix=f"/problems/{MATRIX_PROBLEM}?email_or_username=learner")),
    "grading_config": Call("get", v2(suffix="/grading-config")),
    "issued_certificates": Call("get", v2(suffix="/certificates/issued?filter=all")),
    "certificate_generation_history": Call("get", v2(suffix="/certificates/generation_history")),
    "certificate_config": Call("get", v2(suffix="/certificates/config")),
    "regenerate_certificates": Call("post", v2(suffix="/certificates/regenerate"), {"student_set": "all"}),
    "toggle_certificate_generation": Call("post", v2(suffix="/certificates/toggle_generation"), {"enabled": False}),
    "add_certificate_exception": Call("post", v2(suffix="/certificates/exceptions"), {"learners": ["learner"]}),
    "remove_certificate_exception": Call("delete", v2(suffix="/certificates/exceptions"), {"username": "beta_tester"}),
    "bulk_certificate_exceptions": Call(
        "post", v2(suffix="/certificates/exceptions/bulk"), files={"file": ("e.csv", b"username,notes\nlearner,x\n")}
    ),
    "invalidate_certificates": Call("post", v2(suffix="/certificates/invalidations"), {"learners": ["learner"]}),
    "remove_certificate_invalidation": Call(
        "delete", v2(suffix="/certificates/invalidations"), {"username": "beta_tester"}
    ),
    "reset_attempts": Call("post", v2(suffix=f"/{MATRIX_PROBLEM}/grading/attempts/reset"), {"learner": "learner"}),
    "reset_attempts_all": Call("post", v2(suffix=f"/{MATRIX_PROBLEM}/grading/attempts/reset"), {}),
    "delete_state": Call("delete", v2(suffix=f"/{MATRIX_PROBLEM}/grading/state"), {"learner": "learner"}),
    "rescore": Call("post", v2(suffix=f"/{MATRIX_PROBLEM}/grading/scores/rescore"), {"learner": "learner"}),
    "rescore_all": Call("post", v2(suffix=f"/{MATRIX_PROBLEM}/grading/scores/rescore"), {}),
    "score_override": Call(
        "put", v2(suffix=f"/{MATRIX_PROBLEM}/grading/scores"), {"learner": "learner", "new_score": 1}
    ),
    "graded_subsections": Call("get", v2(suffix="/graded_subsections")),
    "change_due_date": Call(
        "post",
        v2(suffix="/change_due_date"),
        {"block_id": MATRIX_UNIT, "due_datetime": "2031-01-01T00:00:00Z", "email_or_username": "learner"},
    ),
    "unit_extensions": Call("get", v2(suffix="/unit_extensions")),
    "ora_assessments": Call("get", v2(suffix="/ora")),
    "ora_summary": Call("get", v2(suffix="/ora_summary")),
    "legacy_reset_due_date": Call(
        "post", f"/courses/{COURSE_ID}/instructor/api/reset_due_date", {"student": "learner", "url": MATRIX_UNIT}
    ),
    "special_exams": Call("get", v2(suffix="/special_exams")),
    "special_exam_detail": Call("get", v2(suffix=EXAM_PATH)),
    "special_exam_attempts": Call("get", v2(suffix="/special_exams/attempts")),
    "special_exam_exam_attempts": Call("get", v2(suffix=f"{EXAM_PATH}/attempts")),
    "special_exam_reset": Call("post", v2(suffix=f"{EXAM_PATH}/reset/learner")),
    "special_exam_allowances": Call("get", v2(suffix="/special_exams/allowances")),
    "special_exam_add_allowances": Call(
        "post",
        v2(suffix="/special_exams/allowances"),
        {"user_ids": ["learner"], "exam_ids": [MATRIX_EXAM], "allowance_type": "time_multiplier", "value": "2"},
    ),
    "special_exam_add_allowance": Call(
        "post",
        v2(suffix=f"{EXAM_PATH}/allowance"),
        {"user_ids": ["learner"], "allowance_type": "additional_time_granted", "value": "10"},
    ),
    "special_exam_remove_allowance": Call(
        "delete",
        v2(suffix=f"{EXAM_PATH}/allowance"),
        {"exam_id": MATRIX_EXAM, "user_ids": ["beta_tester"], "allowance_type": "additional_time_granted"},
    ),
    "proctoring_settings": Call("get", v2(suffix="/proctoring_settings")),
    "send_email": Call("post", v2(suffix="/emails"), {"subject": "S", "message": "<p>M</p>", "targets": ["myself"]}),
    "scheduled_emails": Call("get", SCHEDULES_PATH),
    "scheduled_email_patch": Call("patch", f"{SCHEDULES_PATH}{MATRIX_SCHEDULE}", {"schedule": "2031-01-01T00:00:00Z"}),
    "proctoring_settings_patch": Call(
        "patch", v2(suffix="/proctoring_settings"), {"proctoring_escalation_email": "desk@example.com"}
    ),
    # The legacy endpoints of LMS_APIS ``instructor_legacy``.
    **{
        f"legacy_{name.replace('/', '_')}": Call("post", f"/courses/{COURSE_ID}/instructor/api/{name}", body)
        for name, body in {
            "students_update_enrollment": {"identifiers": "learner", "action": "enroll"},
            "bulk_beta_modify_access": {"identifiers": "learner", "action": "add"},
            "modify_access": {"unique_student_identifier": "learner", "rolename": "staff", "action": "allow"},
            "list_course_role_members": {"rolename": "staff"},
            "get_student_progress_url": {"unique_student_identifier": "learner"},
            "get_anon_ids": {},
            "get_students_features": {},
            "get_students_features/csv": {},
            "list_forum_members": {"rolename": "Moderator"},
            "update_forum_role_membership": {
                "unique_student_identifier": "learner",
                "rolename": "Moderator",
                "action": "allow",
            },
        }.items()
    },
    "legacy_update_forum_administrator": Call(
        "post",
        f"/courses/{COURSE_ID}/instructor/api/update_forum_role_membership",
        {"unique_student_identifier": "learner", "rolename": "Administrator", "action": "allow"},
    ),
    # The legacy grading, due-date and report endpoints (h-legacy2).
    **{
        f"legacy_{name}": Call("post", f"/courses/{COURSE_ID}/instructor/api/{name.removesuffix('_all')}", body)
        for name, body in {
            "get_grading_config": {},
            "reset_student_attempts": {"problem_to_reset": MATRIX_PROBLEM, "unique_student_identifier": "learner"},
            "reset_student_attempts_all": {"problem_to_reset": MATRIX_PROBLEM, "all_students": True},
            "rescore_problem": {"problem_to_reset": MATRIX_PROBLEM, "unique_student_identifier": "learner"},
            "rescore_problem_all": {"problem_to_reset": MATRIX_PROBLEM, "all_students": True},
            "override_problem_score": {
                "problem_to_reset": MATRIX_PROBLEM,
                "unique_student_identifier": "learner",
                "score": 1,
            },
            "change_due_date": {"student": "learner", "url": MATRIX_UNIT, "due_datetime": "2031-01-01T00:00:00Z"},
            "show_unit_extensions": {"url": MATRIX_UNIT},
            "show_student_extensions": {"student": "learner"},
            "list_report_downloads": {},
            "calculate_grades_csv": {},
            "problem_grade_report": {},
            "get_students_who_may_enroll": {},
            "get_enrolled_students_with_inactive_account": {},
            "export_ora2_data": {},
            "export_ora2_summary": {},
            "export_ora2_submission_files": {},
            "get_problem_responses": {"problem_location": "block-v1:TestX+T101+2026+type@chapter+block@week1"},
            # Entrance exams (the matrix's exam is the section holding the matrix problem).
            "reset_student_attempts_for_entrance_exam": {"unique_student_identifier": "learner"},
            "reset_student_attempts_for_entrance_exam_all": {"all_students": True},
            "rescore_entrance_exam": {"unique_student_identifier": "learner"},
            "list_entrance_exam_instructor_tasks": {},
            "mark_student_can_skip_entrance_exam": {"unique_student_identifier": "learner"},
        }.items()
    },
    # /api/instructor/v1/ (LMS_APIS ``instructor_legacy``).
    "v1_tasks": Call("get", f"/api/instructor/v1/tasks/{COURSE_ID}"),
    "v1_reports": Call("get", f"/api/instructor/v1/reports/{COURSE_ID}"),
    "v1_generate_problem_responses": Call(
        "post",
        f"/api/instructor/v1/reports/{COURSE_ID}/generate/problem_responses",
        {"problem_locations": ["block-v1:TestX+T101+2026+type@chapter+block@week1"]},
    ),
    # The rest of the legacy API (issue 13): enrollments, email, cohorts, certificates.
    **{
        f"legacy_{name.strip('/').replace('/', '_')}": Call("post", f"/courses/{COURSE_ID}/instructor/api/{name}", body)
        for name, body in {
            "list_course_enrollments": {},
            "send_email": {"send_to": '["myself"]', "subject": "S", "message": "<p>M</p>"},
            "list_background_email_tasks": {},
            "list_email_content": {},
            "get_issued_certificates/": {},
            "certificate_task/generate": {},
            "start_certificate_generation": {},
            "start_certificate_regeneration": {"certificate_statuses": ["downloadable"]},
            "certificate_exception_view/": {"user_name": "learner", "notes": "n"},
            "generate_certificate_exceptions/all": {},
            "certificate_invalidation_view/": {"user": "outsider", "notes": "n"},
            "get_proctored_exam_results": {},
            "get_course_survey_results": {},
        }.items()
    },
    "legacy_register_and_enroll_students": Call(
        "post",
        f"/courses/{COURSE_ID}/instructor/api/register_and_enroll_students",
        files={"students_list": ("a.csv", b"new@example.com,new_learner,New Learner,US\n")},
    ),
    "legacy_add_users_to_cohorts": Call(
        "post",
        f"/courses/{COURSE_ID}/instructor/api/add_users_to_cohorts",
        files={"uploaded-file": ("c.csv", b"username,cohort\nlearner,Matrix\n")},
    ),
    "legacy_generate_bulk_certificate_exceptions": Call(
        "post",
        f"/courses/{COURSE_ID}/instructor/api/generate_bulk_certificate_exceptions",
        files={"students_list": ("e.csv", b"learner,x\n")},
    ),
}

# fmt: off
#: CONTRACT.md "Permissions", one row per endpoint, one column per role (in ROLES order):
#:   anon  outsider  learner  beta  c_staff  instructor  researcher  disc_admin  global_staff
EXPECTED = {
    # instructor.dashboard: course staff, instructor, data researcher
    "course_metadata":          (401, 403, 403, 403, 200, 200, 200, 200, 200),
    # instructor.view_enrollments: course staff
    "enrollments_list":         (401, 403, 403, 403, 200, 200, 403, 200, 200),
    # instructor.enroll: course staff
    "enrollments_modify":       (401, 403, 403, 403, 200, 200, 403, 200, 200),
    # instructor.enroll_beta: instructor
    "beta_testers_modify":      (401, 403, 403, 403, 403, 200, 403, 403, 200),
    # instructor.dashboard
    "learner_detail":           (401, 403, 403, 403, 200, 200, 200, 200, 200),
    # course team: instructor, or course staff who is forum Administrator (forum roles only)
    "team_roles":               (401, 403, 403, 403, 403, 200, 403, 200, 200),
    "team_list":                (401, 403, 403, 403, 403, 200, 403, 200, 200),
    "team_allow_forum_role":    (401, 403, 403, 403, 403, 200, 403, 200, 200),
    "team_allow_course_role":   (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "team_revoke_forum_role":   (401, 403, 403, 403, 403, 200, 403, 200, 200),
    "team_revoke_course_role":  (401, 403, 403, 403, 403, 200, 403, 403, 200),
    # instructor.show_tasks: course staff, data researcher (and the task's requester, here the instructor)
    "task_status":              (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "task_results":             (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "instructor_tasks":         (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "legacy_list_instructor_tasks": (401, 403, 403, 403, 200, 200, 200, 200, 200),
    # legacy get_student_enrollment_status: instructor.enroll (course staff)
    "legacy_enrollment_status": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    # instructor.enrollment_report: course staff, data researcher
    "report_downloads":         (401, 403, 403, 403, 200, 200, 200, 200, 200),
    # instructor.research: global staff, data researcher
    "generate_report":          (401, 403, 403, 403, 403, 403, 202, 403, 202),
    # instructor.view_issued_certificates: course staff, data researcher
    "generate_issued_certificates": (401, 403, 403, 403, 202, 202, 202, 202, 202),
    # instructor.dashboard
    "problem_detail":           (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "grading_config":           (401, 403, 403, 403, 200, 200, 200, 200, 200),
    # instructor.view_issued_certificates: course staff, data researcher
    "issued_certificates":      (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "certificate_generation_history": (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "certificate_config":       (401, 403, 403, 403, 200, 200, 200, 200, 200),
    # certificate actions: global staff, instructor
    "regenerate_certificates":  (401, 403, 403, 403, 403, 202, 403, 403, 202),
    "toggle_certificate_generation": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "add_certificate_exception": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "remove_certificate_exception": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "bulk_certificate_exceptions": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "invalidate_certificates":  (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "remove_certificate_invalidation": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    # instructor.give_student_extension: course staff; for every learner also instructor
    "reset_attempts":           (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "reset_attempts_all":       (401, 403, 403, 403, 403, 202, 403, 403, 202),
    "delete_state":             (401, 403, 403, 403, 200, 200, 403, 200, 200),
    # instructor.override_grades: course staff; for every learner also instructor
    "rescore":                  (401, 403, 403, 403, 202, 202, 403, 202, 202),
    "rescore_all":              (401, 403, 403, 403, 403, 202, 403, 403, 202),
    "score_override":           (401, 403, 403, 403, 202, 202, 403, 202, 202),
    # instructor.dashboard
    "graded_subsections":       (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "unit_extensions":          (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "ora_assessments":          (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "ora_summary":              (401, 403, 403, 403, 200, 200, 200, 200, 200),
    # instructor.give_student_extension: course staff
    "change_due_date":          (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_reset_due_date":    (401, 403, 403, 403, 200, 200, 403, 200, 200),
    # instructor.view_exam_results: course staff
    "special_exams":            (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "special_exam_detail":      (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "special_exam_attempts":    (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "special_exam_exam_attempts": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "special_exam_reset":       (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "special_exam_allowances":  (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "special_exam_add_allowances": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "special_exam_add_allowance": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "special_exam_remove_allowance": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    # proctoring settings: GET instructor.dashboard; PATCH course staff (not the data researcher)
    "proctoring_settings":      (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "proctoring_settings_patch": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    # instructor.email: course staff
    "send_email":               (401, 403, 403, 403, 202, 202, 403, 202, 202),
    "scheduled_emails":         (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "scheduled_email_patch":    (401, 403, 403, 403, 200, 200, 403, 200, 200),
    # legacy (instructor_legacy): the original's permission of each endpoint
    "legacy_students_update_enrollment": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_bulk_beta_modify_access": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_modify_access":     (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_list_course_role_members": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_get_student_progress_url": (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "legacy_get_anon_ids":      (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "legacy_get_students_features": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "legacy_get_students_features_csv": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "legacy_list_forum_members": (401, 403, 403, 403, 403, 200, 403, 200, 200),
    "legacy_update_forum_role_membership": (401, 403, 403, 403, 403, 200, 403, 200, 200),
    # only an instructor grants the forum Administrator role
    "legacy_update_forum_administrator": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    # legacy grading (h-legacy2): instructor.research; give_student_extension; override_grades; all: instructor
    "legacy_get_grading_config": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "legacy_reset_student_attempts": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_reset_student_attempts_all": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_rescore_problem":   (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_rescore_problem_all": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_override_problem_score": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    # legacy due dates (h-legacy2): instructor.give_student_extension
    "legacy_change_due_date":   (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_show_unit_extensions": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_show_student_extensions": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    # legacy reports (h-legacy2): instructor.research
    "legacy_list_report_downloads": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "legacy_calculate_grades_csv": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "legacy_problem_grade_report": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "legacy_get_students_who_may_enroll": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "legacy_get_enrolled_students_with_inactive_account": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "legacy_export_ora2_data": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "legacy_export_ora2_summary": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "legacy_export_ora2_submission_files": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "legacy_get_problem_responses": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    # legacy entrance exams: give_student_extension (all learners: instructor); rescore_exams; show_tasks;
    # allow_student_to_bypass_entrance_exam (course staff)
    "legacy_reset_student_attempts_for_entrance_exam": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_reset_student_attempts_for_entrance_exam_all": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_rescore_entrance_exam": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_list_entrance_exam_instructor_tasks": (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "legacy_mark_student_can_skip_entrance_exam": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    # /api/instructor/v1/: show_tasks; research; research
    "v1_tasks":                 (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "v1_reports":               (401, 403, 403, 403, 403, 403, 200, 403, 200),
    "v1_generate_problem_responses": (401, 403, 403, 403, 403, 403, 200, 403, 200),
    # the rest of the legacy API (issue 13): instructor.view_enrollments, instructor.email and
    # instructor.assign_to_cohorts (course staff); view_issued_certificates (course staff, researcher);
    # the certificate actions (instructor, global staff)
    "legacy_list_course_enrollments": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_send_email":        (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_list_background_email_tasks": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_list_email_content": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_add_users_to_cohorts": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_get_issued_certificates": (401, 403, 403, 403, 200, 200, 200, 200, 200),
    "legacy_certificate_task_generate": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_start_certificate_generation": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_start_certificate_regeneration": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_certificate_exception_view": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_generate_certificate_exceptions_all": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_generate_bulk_certificate_exceptions": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    "legacy_certificate_invalidation_view": (401, 403, 403, 403, 403, 200, 403, 403, 200),
    # instructor.enroll (course staff), with ALLOW_AUTOMATED_SIGNUPS on (see ``automated_signups``)
    "legacy_register_and_enroll_students": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    # instructor.view_exam_results (course staff); instructor.enrollment_report (course staff, researcher)
    "legacy_get_proctored_exam_results": (401, 403, 403, 403, 200, 200, 403, 200, 200),
    "legacy_get_course_survey_results": (401, 403, 403, 403, 200, 200, 200, 200, 200),
}
# fmt: on

MATRIX = [
    pytest.param(endpoint, role, status, id=f"{endpoint}-{role}")
    for endpoint, statuses in EXPECTED.items()
    for role, status in zip(ROLES, statuses, strict=True)
]


def call(client, endpoint: str, *, path: str | None = None):
    spec = CALLS[endpoint]
    if spec.files:
        files = {key: SimpleUploadedFile(name, content) for key, (name, content) in spec.files.items()}
        return getattr(client, spec.method)(path or spec.path, files, format="multipart")
    return getattr(client, spec.method)(path or spec.path, spec.body, format="json")


def _state() -> dict[str, list]:
    """Every row an endpoint of the matrix may write."""
    return {
        "enrollments": list(CourseEnrollment.objects.values_list("user_id", "course_key", "mode", "is_active")),
        "allowed": list(CourseEnrollmentAllowed.objects.values_list("email", "course_key")),
        "audit": list(ManualEnrollmentAudit.objects.values_list("enrolled_email", "state_transition")),
        "course_roles": sorted(CourseAccessRole.objects.values_list("user_id", "org", "course_key", "role")),
        "forum_roles": sorted(ForumRole.objects.values_list("user_id", "course_key", "role")),
        "problem_states": sorted(ProblemState.objects.values_list("user_id", "usage_key", "attempts", "score")),
        "tasks": sorted(str(task_id) for task_id in InstructorTask.objects.values_list("task_id", flat=True)),
        "grading_audit": list(AuditRecord.objects.values_list("action", "learner_id", "usage_key")),
        "certificate_switch": list(Course.objects.values_list("course_key", "certificate_generation_enabled")),
        "certificates": sorted(GeneratedCertificate.objects.values_list("user_id", "status")),
        "users": sorted(User.objects.values_list("username", flat=True)),
        "certificate_exceptions": sorted(CertificateAllowlistEntry.objects.values_list("user_id", "notes")),
        "certificate_invalidations": sorted(CertificateInvalidation.objects.values_list("pk", "active")),
        "certificate_runs": list(CertificateGenerationRun.objects.values_list("pk", flat=True)),
        "due_date_overrides": sorted(DueDateOverride.objects.values_list("user_id", "usage_key", "due")),
        "due_date_changes": sorted(DueDateChange.objects.values_list("user_id", "usage_key", "due", "reason")),
        "exam_attempts": sorted(ExamAttempt.objects.values_list("pk", "exam_id", "user_id", "status")),
        "exam_allowances": sorted(ExamAllowance.objects.values_list("exam_id", "user_id", "key", "value")),
        "entrance_exam_skips": sorted(EntranceExamSkip.objects.values_list("course_key", "user_id")),
        "proctoring_settings": list(
            Course.objects.values_list(
                "course_key", "proctoring_escalation_email", "create_zendesk_tickets", "enable_proctored_exams"
            )
        ),
        "emails": sorted(CourseEmail.objects.values_list("pk", "subject", "html_message", "targets")),
        "email_schedules": sorted(CourseEmailSchedule.objects.values_list("pk", "due", "state")),
        "email_deliveries": sorted(CourseEmailDelivery.objects.values_list("email_id", "user_id", "state")),
    }


@pytest.fixture(autouse=True)
def matrix_task(request):
    """The task the task endpoints of the matrix read, once the course and its team exist."""
    if "users" not in request.fixturenames:
        return
    users = request.getfixturevalue("users")
    InstructorTask.objects.create(
        task_id=MATRIX_TASK_ID,
        course_key=CourseKey.from_string(COURSE_ID),
        task_type="batch_enrollment",
        requester=users["instructor"],
    )


@pytest.fixture(autouse=True)
def matrix_problem(request):
    """The problem the grading endpoints of the matrix work on, with the learner's state on it."""
    if "users" not in request.fixturenames:
        return
    users = request.getfixturevalue("users")
    course = request.getfixturevalue("course")
    problem = Block.objects.create(
        course=course,
        usage_key=MATRIX_PROBLEM,
        block_type="problem",
        parent=Block.objects.get(course=course, block_type="chapter"),
        position=2,
        has_score=True,
    )
    ProblemState.objects.create(
        user=users["learner"],
        course_key=course.course_key,
        usage_key=problem.usage_key,
        attempts=2,
        score=0.0,
        max_score=1.0,
    )


@pytest.fixture(autouse=True)
def matrix_entrance_exam(request):
    """The course's entrance exam: the section holding the matrix problem."""
    if "users" not in request.fixturenames:
        return
    course = request.getfixturevalue("course")
    EntranceExam.objects.create(course=course, usage_key=course.course_key.make_usage_key("chapter", "week1"))


@pytest.fixture(autouse=True)
def matrix_due_date(request):
    """The dated subsection the date-extension endpoints of the matrix work on, with the learner's extension."""
    if "users" not in request.fixturenames:
        return
    users = request.getfixturevalue("users")
    course = request.getfixturevalue("course")
    unit = Block.objects.create(
        course=course,
        usage_key=MATRIX_UNIT,
        block_type="sequential",
        display_name="Matrix homework",
        parent=Block.objects.get(course=course, block_type="chapter"),
        position=3,
        due=datetime(2030, 1, 1, tzinfo=UTC),
    )
    DueDateOverride.objects.create(
        user=users["learner"],
        course_key=course.course_key,
        usage_key=unit.usage_key,
        due=datetime(2030, 6, 1, tzinfo=UTC),
    )


@pytest.fixture(autouse=True)
def matrix_certificates(request):
    """The beta tester's certificate, allowlisted and invalidated, for the certificate endpoints that remove them."""
    if "users" not in request.fixturenames:
        return
    users = request.getfixturevalue("users")
    course_key = CourseKey.from_string(COURSE_ID)
    certificate = GeneratedCertificate.objects.create(
        user=users["beta_tester"], course_key=course_key, status="unavailable", mode="audit"
    )
    CertificateAllowlistEntry.objects.create(user=users["beta_tester"], course_key=course_key, notes="matrix")
    CertificateInvalidation.objects.create(certificate=certificate, invalidated_by=users["instructor"])


@pytest.fixture(autouse=True)
def automated_signups(settings):
    """The site lets course staff create accounts, so the legacy registration's row shows its permission."""
    settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "ALLOW_AUTOMATED_SIGNUPS": True}


@pytest.fixture(autouse=True)
def matrix_valid_certificate(request):
    """The outsider's downloadable certificate, for the legacy invalidation of the matrix."""
    if "users" not in request.fixturenames:
        return
    users = request.getfixturevalue("users")
    GeneratedCertificate.objects.create(
        user=users["outsider"], course_key=CourseKey.from_string(COURSE_ID), status="downloadable", mode="audit"
    )


@pytest.fixture(autouse=True)
def matrix_exam(request):
    """The exam the special-exam endpoints of the matrix work on: the learner's attempt, the beta tester's allowance."""
    if "users" not in request.fixturenames:
        return
    users = request.getfixturevalue("users")
    course_key = CourseKey.from_string(COURSE_ID)
    exam = SpecialExam.objects.create(
        pk=MATRIX_EXAM,
        course_key=course_key,
        content_id=course_key.make_usage_key("sequential", "matrix_exam"),
        exam_name="Matrix exam",
        time_limit_mins=30,
    )
    ExamAttempt.objects.create(exam=exam, user=users["learner"], status="submitted")
    ExamAllowance.objects.create(exam=exam, user=users["beta_tester"], key="additional_time_granted", value="5")


@pytest.fixture(autouse=True)
def matrix_schedule(request):
    """The scheduled email the scheduled bulk-email endpoints of the matrix work on, due in 2030."""
    if "users" not in request.fixturenames:
        return
    users = request.getfixturevalue("users")
    course_key = CourseKey.from_string(COURSE_ID)
    email = CourseEmail.objects.create(
        course_key=course_key, sender=users["instructor"], subject="Later", html_message="<p>L</p>", targets=["staff"]
    )
    task = InstructorTask.objects.create(
        course_key=course_key, task_type="bulk_course_email", task_input={"email_id": email.pk}
    )
    CourseEmailSchedule.objects.create(pk=MATRIX_SCHEDULE, email=email, task=task, due=datetime(2030, 1, 1, tzinfo=UTC))


#: Cancelling the matrix's scheduled email (DELETE, 204 without a body) in ROLES order; instructor.email.
SCHEDULE_DELETE_EXPECTED = (401, 403, 403, 403, 204, 204, 403, 204, 204)


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, SCHEDULE_DELETE_EXPECTED, strict=True)))
def test_scheduled_email_delete_matrix(api_v2_on, users, client, role, expected):
    if role != "anonymous":
        client.force_authenticate(users[role])

    response = client.delete(f"{SCHEDULES_PATH}{MATRIX_SCHEDULE}")

    assert response.status_code == expected
    state = CourseEmailSchedule.objects.get(pk=MATRIX_SCHEDULE).state
    assert state == (CourseEmailSchedule.CANCELLED if expected == 204 else CourseEmailSchedule.SCHEDULED)
    if expected != 204:
        assert set(response.json()) == ENVELOPE_KEYS


#: The report download (``report_download``) in ROLES order; instructor.enrollment_report: course staff, researcher.
REPORT_DOWNLOAD_EXPECTED = (401, 403, 403, 403, 200, 200, 200, 200, 200)


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, REPORT_DOWNLOAD_EXPECTED, strict=True)))
def test_report_download_matrix(api_v2_on, users, client, role, expected):
    report = store_report(CourseKey.from_string(COURSE_ID), "grade", ContentFile(b"a,b\r\n"))
    if role != "anonymous":
        client.force_authenticate(users[role])

    response = client.get(v2(suffix=f"/reports/{report.pk}/download"))

    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == b"a,b\r\n"
    else:
        assert set(response.json()) == ENVELOPE_KEYS


#: The legacy calls that answer without a JSON body, in ROLES order: the switch (302 back to the dashboard,
#: instructor.enable_certificate_generation) and the certificate exception and invalidation removals (204).
LEGACY_BODYLESS_EXPECTED = {
    "enable_certificate_generation": (
        Call("post", "enable_certificate_generation", {"certificates-enabled": "false"}),
        (401, 403, 403, 403, 403, 302, 403, 403, 302),
    ),
    "certificate_task_toggle": (
        Call("post", "certificate_task/toggle", {"certificates-enabled": "false"}),
        (401, 403, 403, 403, 403, 302, 403, 403, 302),
    ),
    "remove_certificate_exception": (
        Call("delete", "certificate_exception_view/", {"user_name": "beta_tester"}),
        (401, 403, 403, 403, 403, 204, 403, 403, 204),
    ),
    "remove_certificate_invalidation": (
        Call("delete", "certificate_invalidation_view/", {"user": "beta_tester"}),
        (401, 403, 403, 403, 403, 204, 403, 403, 204),
    ),
}


@pytest.mark.parametrize(
    ("spec", "role", "expected"),
    [
        pytest.param(spec, role, status, id=f"{name}-{role}")
        for name, (spec, statuses) in LEGACY_BODYLESS_EXPECTED.items()
        for role, status in zip(ROLES, statuses, strict=True)
    ],
)
def test_legacy_bodyless_matrix(users, client, spec, role, expected):
    if role != "anonymous":
        client.force_authenticate(users[role])
    before = _state()

    response = getattr(client, spec.method)(
        f"/courses/{COURSE_ID}/instructor/api/{spec.path}", spec.body, format="json"
    )

    assert response.status_code == expected
    if expected >= 400:
        assert set(response.json()) == ENVELOPE_KEYS
        assert _state() == before
    else:
        assert _state() != before


def test_the_matrix_covers_every_endpoint_and_role():
    assert set(EXPECTED) == set(CALLS)
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


@pytest.mark.parametrize(("endpoint", "role", "expected"), MATRIX)
def test_permission_matrix(api_v2_on, users, client, endpoint, role, expected):
    if role != "anonymous":
        client.force_authenticate(users[role])
    before = _state()

    response = call(client, endpoint)

    assert response.status_code == expected, response.content
    body = response.json()
    if expected < 400:
        assert "error_code" not in body
    else:
        assert set(body) == ENVELOPE_KEYS
        if expected == 401:
            assert body["error_code"] == "not_authenticated"
        else:
            assert body["error_code"] in {"permission_denied", "role_not_manageable"}
        # A refused request changes nothing.
        assert _state() == before


@pytest.mark.parametrize(
    ("endpoint", "check"),
    [
        ("enrollments_modify", lambda u: CourseEnrollment.objects.filter(user=u["learner"], is_active=True).exists()),
        ("beta_testers_modify", lambda u: CourseAccessRole.objects.filter(user=u["learner"], role="beta").exists()),
        ("team_allow_forum_role", lambda u: ForumRole.objects.filter(user=u["learner"], role="Moderator").exists()),
        ("team_allow_course_role", lambda u: CourseAccessRole.objects.filter(user=u["learner"], role="staff").exists()),
        ("add_certificate_exception", lambda u: CertificateAllowlistEntry.objects.filter(user=u["learner"]).exists()),
        ("bulk_certificate_exceptions", lambda u: CertificateAllowlistEntry.objects.filter(notes="x").exists()),
        ("remove_certificate_exception", lambda u: not CertificateAllowlistEntry.objects.exists()),
        ("remove_certificate_invalidation", lambda u: not CertificateInvalidation.objects.filter(active=True).exists()),
        ("change_due_date", lambda u: DueDateOverride.objects.get(user=u["learner"]).due.year == 2031),
        ("legacy_reset_due_date", lambda u: not DueDateOverride.objects.filter(user=u["learner"]).exists()),
        ("legacy_reset_student_attempts", lambda u: ProblemState.objects.get(user=u["learner"]).attempts == 0),
        ("legacy_change_due_date", lambda u: DueDateOverride.objects.get(user=u["learner"]).due.year == 2031),
        (
            "legacy_mark_student_can_skip_entrance_exam",
            lambda u: EntranceExamSkip.objects.filter(user=u["learner"]).exists(),
        ),
        ("special_exam_reset", lambda u: not ExamAttempt.objects.exists()),
        ("special_exam_add_allowances", lambda u: ExamAllowance.objects.get(user=u["learner"]).value == "2"),
        ("special_exam_add_allowance", lambda u: ExamAllowance.objects.get(user=u["learner"]).value == "10"),
        ("special_exam_remove_allowance", lambda u: not ExamAllowance.objects.exists()),
        ("proctoring_settings_patch", lambda u: Course.objects.get().proctoring_escalation_email == "desk@example.com"),
    ],
)
def test_allowed_writes_take_effect(api_v2_on, users, client, endpoint, check):
    client.force_authenticate(users["global_staff"])

    assert call(client, endpoint).status_code == 200

    assert check(users)


def test_discussion_admin_refused_course_role_says_why(api_v2_on, users, client):
    client.force_authenticate(users["discussion_admin"])

    response = call(client, "team_allow_course_role")

    assert response.status_code == 403
    assert set(response.json()) == ENVELOPE_KEYS
    assert not CourseAccessRole.objects.filter(user=users["learner"], role="staff").exists()


class TestOrgLevelRoles:
    """A role held for the whole org (empty course key) counts in every course of the org."""

    def test_org_staff_may_view_enrollments(self, api_v2_on, users, client, course_key):
        org_staff = make_user("org_staff")
        grant(org_staff, course_key, "staff", org_level=True)
        client.force_authenticate(org_staff)

        response = call(client, "enrollments_list")

        assert response.status_code == 200
        assert {row["username"] for row in response.json()["results"]} == {"learner", "beta_tester"}

    def test_org_staff_may_not_modify_beta_testers(self, api_v2_on, users, client, course_key):
        org_staff = make_user("org_staff")
        grant(org_staff, course_key, "staff", org_level=True)
        client.force_authenticate(org_staff)

        assert call(client, "beta_testers_modify").status_code == 403

    def test_org_instructor_may_modify_beta_testers(self, api_v2_on, users, client, course_key):
        org_instructor = make_user("org_instructor")
        grant(org_instructor, course_key, "instructor", org_level=True)
        client.force_authenticate(org_instructor)

        response = call(client, "beta_testers_modify")

        assert response.status_code == 200
        assert CourseAccessRole.objects.filter(user=users["learner"], course_key=course_key, role="beta").exists()

    def test_org_instructor_may_manage_the_team(self, api_v2_on, users, client, course_key):
        org_instructor = make_user("org_instructor")
        grant(org_instructor, course_key, "instructor", org_level=True)
        client.force_authenticate(org_instructor)

        assert call(client, "team_allow_course_role").status_code == 200

    def test_org_data_researcher_may_open_the_dashboard_only(self, api_v2_on, users, client, course_key):
        researcher = make_user("org_researcher")
        grant(researcher, course_key, "data_researcher", org_level=True)
        client.force_authenticate(researcher)

        assert call(client, "course_metadata").status_code == 200
        assert call(client, "enrollments_list").status_code == 403

    @pytest.mark.parametrize("endpoint", ["course_metadata", "enrollments_list", "beta_testers_modify", "team_list"])
    def test_staff_of_another_course_gets_nothing(self, api_v2_on, users, client, endpoint):
        other_course = CourseKey.from_string("course-v1:TestX+OTHER+2026")
        neighbour = make_user("neighbour")
        grant(neighbour, other_course, "staff")
        grant(neighbour, other_course, "instructor")
        client.force_authenticate(neighbour)

        assert call(client, endpoint).status_code == 403

    @pytest.mark.parametrize("endpoint", ["course_metadata", "enrollments_list", "beta_testers_modify"])
    def test_org_role_in_another_org_gets_nothing(self, api_v2_on, users, client, endpoint):
        foreign = make_user("foreign")
        grant(foreign, CourseKey.from_string("course-v1:OtherX+T101+2026"), "instructor", org_level=True)
        client.force_authenticate(foreign)

        assert call(client, endpoint).status_code == 403

    def test_org_role_matches_the_org_ignoring_case(self, api_v2_on, users, client, course_key):
        org_staff = make_user("org_staff")
        CourseAccessRole.objects.create(user=org_staff, org=course_key.org.swapcase(), course_key="", role="staff")
        client.force_authenticate(org_staff)

        assert call(client, "enrollments_list").status_code == 200
        assert call(client, "beta_testers_modify").status_code == 403


class TestRolesThatAreNotStaff:
    """Roles outside the contract's "course staff" and "instructor" grant none of the staff endpoints."""

    @pytest.mark.parametrize("role", ["limited_staff", "beta", "ccx_coach"])
    @pytest.mark.parametrize(
        "endpoint",
        ["course_metadata", "enrollments_list", "enrollments_modify", "team_list", "legacy_enrollment_status"],
    )
    def test_other_course_roles_get_403(self, api_v2_on, users, client, course_key, role, endpoint):
        holder = make_user("holder")
        grant(holder, course_key, role)
        client.force_authenticate(holder)

        assert call(client, endpoint).status_code == 403

    @pytest.mark.parametrize("forum_role", ["Administrator", "Moderator", "Community TA", "Group Moderator"])
    @pytest.mark.parametrize("endpoint", ["course_metadata", "team_roles", "team_list", "team_allow_forum_role"])
    def test_forum_roles_alone_get_403(self, api_v2_on, users, client, course_key, forum_role, endpoint):
        """A forum Administrator who is not course staff is no discussion admin."""
        holder = make_user("holder")
        grant_forum(holder, course_key, forum_role)
        client.force_authenticate(holder)

        assert call(client, endpoint).status_code == 403

    def test_forum_administrator_in_another_course_is_no_discussion_admin(self, api_v2_on, users, client, course_key):
        holder = make_user("holder")
        grant(holder, course_key, "staff")
        grant_forum(holder, CourseKey.from_string("course-v1:TestX+OTHER+2026"), "Administrator")
        client.force_authenticate(holder)

        assert call(client, "team_allow_forum_role").status_code == 403
        assert call(client, "enrollments_list").status_code == 200

    def test_org_staff_who_is_forum_administrator_is_a_discussion_admin(self, api_v2_on, users, client, course_key):
        holder = make_user("holder")
        grant(holder, course_key, "staff", org_level=True)
        grant_forum(holder, course_key, "Administrator")
        client.force_authenticate(holder)

        assert call(client, "team_allow_forum_role").status_code == 200
        assert call(client, "team_allow_course_role").status_code == 403


UNKNOWN_COURSE = "course-v1:TestX+NOPE+2026"


class TestCourseCheckedFirst:
    """A malformed or unknown course is a 404, even for a caller who would get a 403."""

    @pytest.mark.parametrize("role", ["global_staff", "instructor", "outsider", "learner"])
    @pytest.mark.parametrize("endpoint", list(CALLS))
    def test_unknown_course_is_404(self, api_v2_on, users, client, role, endpoint):
        client.force_authenticate(users[role])
        path = CALLS[endpoint].path.replace(COURSE_ID, UNKNOWN_COURSE)
        before = _state()

        response = call(client, endpoint, path=path)

        assert response.status_code == 404, response.content
        body = response.json()
        assert set(body) == ENVELOPE_KEYS
        assert body["error_code"] == "course_not_found"
        assert _state() == before

    @pytest.mark.parametrize("role", ["global_staff", "outsider"])
    @pytest.mark.parametrize("course_id", ["course-v1:bad", "course-v1:TestX+T101+2026+extra", "not a key+x+y"])
    def test_malformed_course_id_is_404_in_the_envelope(self, api_v2_on, users, client, role, course_id):
        client.force_authenticate(users[role])

        for endpoint in ("course_metadata", "enrollments_list", "enrollments_modify"):
            path = CALLS[endpoint].path.replace(COURSE_ID, course_id)
            response = call(client, endpoint, path=path)

            assert response.status_code == 404, (endpoint, response.content)
            body = response.json()
            assert set(body) == ENVELOPE_KEYS
            assert body["error"] == body["detail"]

    @pytest.mark.parametrize("role", ["global_staff", "outsider"])
    def test_unknown_course_is_404_before_body_validation(self, api_v2_on, users, client, role):
        client.force_authenticate(users[role])

        response = client.post(
            v2(UNKNOWN_COURSE, "/enrollments/modify"), {"identifier": "x", "action": "?"}, format="json"
        )

        assert response.status_code == 404
        assert response.json()["error_code"] == "course_not_found"

    @pytest.mark.parametrize(
        ("endpoint", "bad_body"),
        [
            ("enrollments_modify", {"identifier": "x", "action": "?"}),
            ("beta_testers_modify", {}),
            ("team_allow_forum_role", {"identifiers": [], "role": "nope"}),
            ("team_revoke_forum_role", {"roles": "nope"}),
            ("legacy_enrollment_status", {}),
        ],
    )
    def test_permission_is_checked_before_body_validation(self, api_v2_on, users, client, endpoint, bad_body):
        client.force_authenticate(users["learner"])
        spec = CALLS[endpoint]

        response = getattr(client, spec.method)(spec.path, bad_body, format="json")

        assert response.status_code == 403
        assert set(response.json()) == ENVELOPE_KEYS

    def test_malformed_course_id_matching_the_pattern_is_course_not_found(self, api_v2_on, users, client):
        client.force_authenticate(users["outsider"])

        response = client.get(v2("course-v1:TestX+T101+2026+extra"))

        assert response.status_code == 404
        assert response.json()["error_code"] == "course_not_found"
