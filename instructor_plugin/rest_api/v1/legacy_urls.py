"""
The rest of the legacy instructor API and ``/api/instructor/v1/`` (LMS_APIS name ``instructor_legacy``), mounted
at the site root.

Its paths are the original's, under ``courses/{course_id}/instructor/api/`` and ``api/instructor/v1/``; it is
mounted before the always-on legacy URLconf (:mod:`.urls`), whose catch-all answers every other path under the
first prefix.
"""

from django.urls import re_path

from ..course_id import COURSE_ID_PATTERN
from ..views import UnknownEndpointView
from . import bulk_email, certificates, cohorts, due_dates, enrollment, entrance_exams, grading, instructor_v1, reports

app_name = "instructor_api_legacy_extra"

LEGACY = rf"^courses/{COURSE_ID_PATTERN}/instructor/api/"
#: The original's ``/api/instructor/v1/``, whose paths name the course after the resource.
API_V1 = r"^api/instructor/v1/"

urlpatterns = [
    re_path(
        rf"{LEGACY}students_update_enrollment$",
        enrollment.StudentsUpdateEnrollmentView.as_view(),
        name="students_update_enrollment",
    ),
    re_path(
        rf"{LEGACY}bulk_beta_modify_access$",
        enrollment.BulkBetaModifyAccessView.as_view(),
        name="bulk_beta_modify_access",
    ),
    re_path(rf"{LEGACY}modify_access$", enrollment.ModifyAccessView.as_view(), name="modify_access"),
    re_path(
        rf"{LEGACY}list_course_role_members$",
        enrollment.ListCourseRoleMembersView.as_view(),
        name="list_course_role_members",
    ),
    re_path(
        rf"{LEGACY}get_student_progress_url$",
        enrollment.StudentProgressUrlView.as_view(),
        name="get_student_progress_url",
    ),
    re_path(rf"{LEGACY}get_anon_ids$", enrollment.GetAnonIdsView.as_view(), name="get_anon_ids"),
    re_path(
        rf"{LEGACY}get_students_features$",
        enrollment.GetStudentsFeaturesView.as_view(),
        name="get_students_features",
    ),
    re_path(
        rf"{LEGACY}get_students_features/csv$",
        enrollment.GetStudentsFeaturesCsvView.as_view(),
        name="get_students_features_csv",
    ),
    re_path(rf"{LEGACY}list_forum_members$", enrollment.ListForumMembersView.as_view(), name="list_forum_members"),
    re_path(
        rf"{LEGACY}update_forum_role_membership$",
        enrollment.UpdateForumRoleMembershipView.as_view(),
        name="update_forum_role_membership",
    ),
    # Grading.
    re_path(rf"{LEGACY}get_grading_config$", grading.GetGradingConfigView.as_view(), name="get_grading_config"),
    re_path(
        rf"{LEGACY}reset_student_attempts$",
        grading.ResetStudentAttemptsView.as_view(),
        name="reset_student_attempts",
    ),
    re_path(rf"{LEGACY}rescore_problem$", grading.RescoreProblemView.as_view(), name="rescore_problem"),
    re_path(
        rf"{LEGACY}override_problem_score$",
        grading.OverrideProblemScoreView.as_view(),
        name="override_problem_score",
    ),
    # Entrance exams.
    re_path(
        rf"{LEGACY}reset_student_attempts_for_entrance_exam$",
        entrance_exams.ResetStudentAttemptsForEntranceExamView.as_view(),
        name="reset_student_attempts_for_entrance_exam",
    ),
    re_path(
        rf"{LEGACY}rescore_entrance_exam$",
        entrance_exams.RescoreEntranceExamView.as_view(),
        name="rescore_entrance_exam",
    ),
    re_path(
        rf"{LEGACY}list_entrance_exam_instructor_tasks$",
        entrance_exams.ListEntranceExamInstructorTasksView.as_view(),
        name="list_entrance_exam_instructor_tasks",
    ),
    re_path(
        rf"{LEGACY}mark_student_can_skip_entrance_exam$",
        entrance_exams.MarkStudentCanSkipEntranceExamView.as_view(),
        name="mark_student_can_skip_entrance_exam",
    ),
    # Due dates.
    re_path(rf"{LEGACY}change_due_date$", due_dates.ChangeDueDateView.as_view(), name="change_due_date"),
    re_path(
        rf"{LEGACY}show_unit_extensions$",
        due_dates.ShowUnitExtensionsView.as_view(),
        name="show_unit_extensions",
    ),
    re_path(
        rf"{LEGACY}show_student_extensions$",
        due_dates.ShowStudentExtensionsView.as_view(),
        name="show_student_extensions",
    ),
    # Reports.
    re_path(
        rf"{LEGACY}list_report_downloads$", reports.ListReportDownloadsView.as_view(), name="list_report_downloads"
    ),
    re_path(rf"{LEGACY}calculate_grades_csv$", reports.CalculateGradesCsvView.as_view(), name="calculate_grades_csv"),
    re_path(rf"{LEGACY}problem_grade_report$", reports.ProblemGradeReportView.as_view(), name="problem_grade_report"),
    re_path(
        rf"{LEGACY}get_problem_responses$", reports.GetProblemResponsesView.as_view(), name="get_problem_responses"
    ),
    re_path(
        rf"{LEGACY}get_students_who_may_enroll$",
        reports.GetStudentsWhoMayEnrollView.as_view(),
        name="get_students_who_may_enroll",
    ),
    re_path(
        rf"{LEGACY}get_enrolled_students_with_inactive_account$",
        reports.GetInactiveEnrolledStudentsView.as_view(),
        name="get_enrolled_students_with_inactive_account",
    ),
    re_path(
        rf"{LEGACY}get_proctored_exam_results$",
        reports.GetProctoredExamResultsView.as_view(),
        name="get_proctored_exam_results",
    ),
    re_path(rf"{LEGACY}export_ora2_data$", reports.ExportOra2DataView.as_view(), name="export_ora2_data"),
    re_path(rf"{LEGACY}export_ora2_summary$", reports.ExportOra2SummaryView.as_view(), name="export_ora2_summary"),
    re_path(
        rf"{LEGACY}export_ora2_submission_files$",
        reports.ExportOra2SubmissionFilesView.as_view(),
        name="export_ora2_submission_files",
    ),
    # /api/instructor/v1/ (names prefixed, as the legacy list_report_downloads is served here too).
    re_path(
        rf"{API_V1}tasks/{COURSE_ID_PATTERN}$",
        instructor_v1.InstructorTasksView.as_view(),
        name="v1_list_instructor_tasks",
    ),
    re_path(
        rf"{API_V1}reports/{COURSE_ID_PATTERN}$",
        instructor_v1.ReportDownloadsView.as_view(),
        name="v1_list_report_downloads",
    ),
    re_path(
        rf"{API_V1}reports/{COURSE_ID_PATTERN}/generate/problem_responses$",
        instructor_v1.ProblemResponsesReportView.as_view(),
        name="v1_generate_problem_responses",
    ),
    re_path(
        rf"{LEGACY}register_and_enroll_students$",
        enrollment.RegisterAndEnrollStudentsView.as_view(),
        name="register_and_enroll_students",
    ),
    re_path(
        rf"{LEGACY}get_course_survey_results$",
        reports.GetCourseSurveyResultsView.as_view(),
        name="get_course_survey_results",
    ),
    re_path(
        rf"{LEGACY}list_course_enrollments$",
        enrollment.ListCourseEnrollmentsView.as_view(),
        name="list_course_enrollments",
    ),
    # Bulk email.
    re_path(rf"{LEGACY}send_email$", bulk_email.SendEmailView.as_view(), name="send_email"),
    re_path(
        rf"{LEGACY}list_background_email_tasks$",
        bulk_email.ListBackgroundEmailTasksView.as_view(),
        name="list_background_email_tasks",
    ),
    re_path(rf"{LEGACY}list_email_content$", bulk_email.ListEmailContentView.as_view(), name="list_email_content"),
    # Cohorts.
    re_path(rf"{LEGACY}add_users_to_cohorts$", cohorts.AddUsersToCohortsView.as_view(), name="add_users_to_cohorts"),
    # Certificates.
    re_path(
        rf"{LEGACY}get_issued_certificates/$",
        certificates.GetIssuedCertificatesView.as_view(),
        name="get_issued_certificates",
    ),
    re_path(
        rf"{LEGACY}certificate_task/(?P<action>[^/]+)$",
        certificates.CertificateTaskView.as_view(),
        name="certificate_task",
    ),
    re_path(
        rf"{LEGACY}enable_certificate_generation$",
        certificates.EnableCertificateGenerationView.as_view(),
        name="enable_certificate_generation",
    ),
    re_path(
        rf"{LEGACY}start_certificate_generation$",
        certificates.StartCertificateGenerationView.as_view(),
        name="start_certificate_generation",
    ),
    re_path(
        rf"{LEGACY}start_certificate_regeneration$",
        certificates.StartCertificateRegenerationView.as_view(),
        name="start_certificate_regeneration",
    ),
    re_path(
        rf"{LEGACY}certificate_exception_view/$",
        certificates.CertificateExceptionView.as_view(),
        name="certificate_exception_view",
    ),
    re_path(
        rf"{LEGACY}generate_certificate_exceptions/(?P<generate_for>[^/]*)$",
        certificates.GenerateCertificateExceptionsView.as_view(),
        name="generate_certificate_exceptions",
    ),
    re_path(
        rf"{LEGACY}generate_bulk_certificate_exceptions$",
        certificates.GenerateBulkCertificateExceptionsView.as_view(),
        name="generate_bulk_certificate_exceptions",
    ),
    re_path(
        rf"{LEGACY}certificate_invalidation_view/$",
        certificates.CertificateInvalidationView.as_view(),
        name="certificate_invalidation_view",
    ),
    # Any other path under /api/instructor/v1/ (a course id that is not one, say): a 404 in the envelope.
    re_path(API_V1, UnknownEndpointView.as_view(), name="v1_unknown_endpoint"),
]
