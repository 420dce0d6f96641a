"""URLs of the Instructor API v2 (namespace ``instructor_api_v2``), with its OpenAPI schema and docs."""

from django.urls import path, re_path

from ..course_id import COURSE_ID_PATTERN
from ..schema import InstructorDocsView, InstructorSchemaView
from ..views import UnknownEndpointView
from .views.bulk_email import CourseEmailsView
from .views.certificates import (
    BulkCertificateExceptionsView,
    CertificateConfigView,
    CertificateExceptionsView,
    CertificateGenerationHistoryView,
    CertificateInvalidationsView,
    IssuedCertificatesView,
    RegenerateCertificatesView,
    ToggleCertificateGenerationView,
)
from .views.course import CourseMetadataView
from .views.due_dates import ChangeDueDateView, GradedSubsectionsView, UnitExtensionsView
from .views.enrollments import (
    BetaTesterModifyView,
    CourseEnrollmentsView,
    EnrollmentModifyView,
)
from .views.grading import (
    DeleteStateView,
    GradingConfigView,
    ProblemView,
    RescoreView,
    ResetAttemptsView,
    ScoreOverrideView,
)
from .views.learners import LearnerView
from .views.open_responses import ORASummaryView, ORAView
from .views.reports import GenerateReportView, ReportDownloadsView, ReportDownloadView
from .views.special_exams import (
    CourseAllowancesView,
    CourseExamAttemptsView,
    ExamAllowanceView,
    ProctoringSettingsView,
    ResetExamAttemptView,
    SpecialExamAttemptsView,
    SpecialExamDetailView,
    SpecialExamsListView,
)
from .views.tasks import InstructorTaskListView, TaskResultsView, TaskStatusView
from .views.team import CourseTeamMemberView, CourseTeamRolesView, CourseTeamView

app_name = "instructor_api_v2"

COURSE = rf"^courses/{COURSE_ID_PATTERN}"
IDENTIFIER = r"(?P<email_or_username>[^/]+)"
TASK_ID = r"(?P<task_id>[^/]+)"
PROBLEM = r"(?P<problem>.+)"
EXAM = r"special_exams/(?P<exam_id>[0-9]+)"

urlpatterns = [
    path("schema/", InstructorSchemaView.as_view(), name="schema"),
    path("docs/", InstructorDocsView.as_view(), name="docs"),
    re_path(rf"{COURSE}$", CourseMetadataView.as_view(), name="course_metadata"),
    re_path(rf"{COURSE}/enrollments$", CourseEnrollmentsView.as_view(), name="course_enrollments"),
    re_path(rf"{COURSE}/enrollments/modify$", EnrollmentModifyView.as_view(), name="enrollment_modify"),
    re_path(rf"{COURSE}/beta_testers/modify$", BetaTesterModifyView.as_view(), name="beta_tester_modify"),
    re_path(rf"{COURSE}/learners/{IDENTIFIER}$", LearnerView.as_view(), name="learner_detail"),
    re_path(rf"{COURSE}/team/roles$", CourseTeamRolesView.as_view(), name="course_team_roles"),
    re_path(rf"{COURSE}/team$", CourseTeamView.as_view(), name="course_team"),
    re_path(rf"{COURSE}/team/{IDENTIFIER}$", CourseTeamMemberView.as_view(), name="course_team_member"),
    re_path(rf"{COURSE}/instructor_tasks$", InstructorTaskListView.as_view(), name="instructor_tasks"),
    re_path(rf"{COURSE}/tasks/{TASK_ID}$", TaskStatusView.as_view(), name="task_status"),
    re_path(rf"{COURSE}/tasks/{TASK_ID}/results$", TaskResultsView.as_view(), name="task_results"),
    re_path(rf"{COURSE}/reports$", ReportDownloadsView.as_view(), name="report_downloads"),
    re_path(
        rf"{COURSE}/reports/(?P<report_type>[^/]+)/generate$", GenerateReportView.as_view(), name="generate_report"
    ),
    re_path(rf"{COURSE}/reports/(?P<report_id>[0-9]+)/download$", ReportDownloadView.as_view(), name="report_download"),
    re_path(rf"{COURSE}/problems/(?P<location>.+)$", ProblemView.as_view(), name="problem_detail"),
    re_path(rf"{COURSE}/grading-config$", GradingConfigView.as_view(), name="grading_config"),
    re_path(rf"{COURSE}/{PROBLEM}/grading/attempts/reset$", ResetAttemptsView.as_view(), name="reset_attempts"),
    re_path(rf"{COURSE}/{PROBLEM}/grading/state$", DeleteStateView.as_view(), name="delete_state"),
    re_path(rf"{COURSE}/{PROBLEM}/grading/scores/rescore$", RescoreView.as_view(), name="rescore"),
    re_path(rf"{COURSE}/{PROBLEM}/grading/scores$", ScoreOverrideView.as_view(), name="score_override"),
    re_path(rf"{COURSE}/graded_subsections$", GradedSubsectionsView.as_view(), name="graded_subsections"),
    re_path(rf"{COURSE}/change_due_date$", ChangeDueDateView.as_view(), name="change_due_date"),
    re_path(rf"{COURSE}/unit_extensions$", UnitExtensionsView.as_view(), name="unit_extensions"),
    re_path(rf"{COURSE}/ora$", ORAView.as_view(), name="ora_assessments"),
    re_path(rf"{COURSE}/ora_summary$", ORASummaryView.as_view(), name="ora_summary"),
    re_path(rf"{COURSE}/certificates/issued$", IssuedCertificatesView.as_view(), name="issued_certificates"),
    re_path(
        rf"{COURSE}/certificates/generation_history$",
        CertificateGenerationHistoryView.as_view(),
        name="certificate_generation_history",
    ),
    re_path(
        rf"{COURSE}/certificates/regenerate$", RegenerateCertificatesView.as_view(), name="regenerate_certificates"
    ),
    re_path(rf"{COURSE}/certificates/config$", CertificateConfigView.as_view(), name="certificate_config"),
    re_path(
        rf"{COURSE}/certificates/toggle_generation$",
        ToggleCertificateGenerationView.as_view(),
        name="toggle_certificate_generation",
    ),
    re_path(rf"{COURSE}/certificates/exceptions$", CertificateExceptionsView.as_view(), name="certificate_exceptions"),
    re_path(
        rf"{COURSE}/certificates/exceptions/bulk$",
        BulkCertificateExceptionsView.as_view(),
        name="bulk_certificate_exceptions",
    ),
    re_path(
        rf"{COURSE}/certificates/invalidations$",
        CertificateInvalidationsView.as_view(),
        name="certificate_invalidations",
    ),
    re_path(rf"{COURSE}/special_exams$", SpecialExamsListView.as_view(), name="special_exams"),
    re_path(rf"{COURSE}/special_exams/allowances$", CourseAllowancesView.as_view(), name="special_exam_allowances"),
    re_path(rf"{COURSE}/special_exams/attempts$", CourseExamAttemptsView.as_view(), name="special_exam_attempts"),
    re_path(rf"{COURSE}/{EXAM}$", SpecialExamDetailView.as_view(), name="special_exam_detail"),
    re_path(rf"{COURSE}/{EXAM}/reset/(?P<username>[^/]+)$", ResetExamAttemptView.as_view(), name="special_exam_reset"),
    re_path(rf"{COURSE}/{EXAM}/attempts$", SpecialExamAttemptsView.as_view(), name="special_exam_exam_attempts"),
    re_path(rf"{COURSE}/{EXAM}/allowance$", ExamAllowanceView.as_view(), name="special_exam_allowance"),
    re_path(rf"{COURSE}/proctoring_settings$", ProctoringSettingsView.as_view(), name="proctoring_settings"),
    re_path(rf"{COURSE}/emails$", CourseEmailsView.as_view(), name="course_emails"),
    re_path(r"", UnknownEndpointView.as_view(), name="unknown_endpoint"),
]
