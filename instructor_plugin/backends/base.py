"""
The interfaces the plugin needs from its host, one per capability.

A host implements these (or uses the built-in backend) and names its
implementation in ``INSTRUCTOR_PLUGIN["BACKEND"]``. Every list method takes its
filters and a :class:`~.data.PageRequest` and returns a :class:`~.data.Page`, so
the backend filters, counts and slices in its database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import IO, Protocol

from opaque_keys.edx.keys import CourseKey, UsageKey

from .data import (
    AllowedEnrollmentData,
    AnonymousIdData,
    BlockData,
    CertificateData,
    CertificateFilter,
    CertificateGenerationRunData,
    CertificateLearnerState,
    CohortData,
    CohortMove,
    CohortSettingsData,
    ContentGroupPartitionData,
    CourseAccessData,
    CourseData,
    CourseGradeData,
    CourseModeData,
    CourseModeDetails,
    CursorPage,
    CursorRequest,
    DueDateOverrideData,
    EmailRecipientData,
    EmailTargets,
    EnrolledLearner,
    EnrollmentAttributeData,
    EnrollmentCursor,
    EnrollmentData,
    EnrollmentFilter,
    EnrollmentSearch,
    EnrollmentSearchRow,
    EntranceExamData,
    ExamAllowanceData,
    ExamAttemptData,
    ExamListQuery,
    GradebookFilter,
    GradebookLearnerData,
    GradedEnrollmentData,
    IdentifierEnrollmentState,
    LearnerCourseRunData,
    LearnerProfileData,
    MailMessage,
    ManualEnrollmentAuditData,
    NewProgramCourseEnrollment,
    NewProgramEnrollment,
    OpenResponseCountsData,
    OpenResponseSubmissionData,
    OpenResponseSummaryData,
    OrganizationResetData,
    Page,
    PageRequest,
    ProblemStateData,
    ProgramCourseEnrollmentData,
    ProgramData,
    ProgramEnrollmentData,
    ProgramEnrollmentHistoryData,
    ScoreChangeData,
    SpecialExamData,
    SubsectionGradeData,
    SubsectionOverrideHistoryData,
    TeamFilter,
    TeamMember,
    UserData,
    UserRoleData,
)


class CourseService(Protocol):
    """Courses and their content tree."""

    def get_course(self, course_key: CourseKey) -> CourseData:
        """Return the course, or raise ``CourseNotFound``."""

    def get_block(self, course_key: CourseKey, usage_key: UsageKey) -> BlockData:
        """Return a block of this course, or raise ``BlockNotFound``."""

    def get_ancestors(self, course_key: CourseKey, usage_key: UsageKey) -> Sequence[BlockData]:
        """Return the block's ancestors, root first, excluding the block itself."""

    def get_blocks(self, course_key: CourseKey, block_types: Iterable[str] | None = None) -> Sequence[BlockData]:
        """Return the course's blocks in tree order, optionally only of some types."""

    def count_children(self, course_key: CourseKey, usage_key: UsageKey | None = None) -> int:
        """Count the direct children of a block (of the course root when ``usage_key`` is None)."""

    def has_blocks_of_type(self, course_key: CourseKey, block_type: str) -> bool:
        """Tell whether the course holds at least one attached block of this type."""

    def update_course_settings(self, course_key: CourseKey, **values: object) -> CourseData:
        """Write course-level settings (proctoring fields) and return the updated course."""


class UserService(Protocol):
    """Users and their profiles."""

    def get_user(self, user_id: int) -> UserData:
        """Return a user by id, or raise ``UserNotFound``."""

    def find_user(self, identifier: str) -> UserData:
        """
        Resolve a username or an email (case-insensitive) to one user.

        Raise ``UserNotFound`` or ``AmbiguousIdentifier``.
        """

    def find_user_by_email(self, email: str) -> UserData | None:
        """Return the user with this email (case-insensitive), if any."""

    def get_users(self, user_ids: Iterable[int]) -> Mapping[int, UserData]:
        """The users of these ids that exist, by id."""

    def anonymous_ids(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, AnonymousIdData]:
        """Stable anonymous ids of these users (site-wide and for this course), by user id."""

    # --- Org preferences (the enrollment API's ``email_opt_in``) ---

    def set_org_preference(self, user_id: int, org: str, key: str, value: str) -> None:
        """Record the user's preference ``key`` for an organization (Open edX's ``UserOrgTag``)."""

    def get_org_preference(self, user_id: int, org: str, key: str) -> str | None:
        """The user's preference ``key`` for the organization, if recorded."""

    def get_year_of_birth(self, user_id: int) -> int | None:
        """The user's year of birth from their profile, if known."""

    # --- Accounts and survey answers (the legacy instructor API) ---

    def create_account(self, username: str, email: str, full_name: str, country: str, password: str) -> UserData:
        """Create an active account with its profile, or raise ``AccountTaken`` (nothing created)."""

    def survey_field_names(self, course_key: CourseKey) -> Sequence[str]:
        """The distinct field names of the course's survey answers, sorted."""

    def iter_survey_rows(self, course_key: CourseKey, field_names: Sequence[str]) -> Iterator[Sequence[object]]:
        """
        ``(user id, username, email, *answers)`` of every user who answered the course's survey, by user id,
        streamed: the answer to each of ``field_names`` ("" when none; of several, the last recorded).
        """


class EnrollmentService(Protocol):
    """Enrollments, course modes, allowed-to-enroll entries and the manual-enrollment audit."""

    def get_enrollment(self, course_key: CourseKey, user_id: int) -> EnrollmentData | None:
        """Return the user's enrollment record (active or not), if any."""

    def enroll(self, course_key: CourseKey, user_id: int, mode: str | None = None) -> EnrollmentData:
        """Enroll (or re-activate) the user; ``mode=None`` keeps an existing mode or uses the default."""

    def unenroll(self, course_key: CourseKey, user_id: int) -> EnrollmentData | None:
        """Deactivate the user's enrollment and return it, if there was one."""

    def list_enrollments(
        self, course_key: CourseKey, filters: EnrollmentFilter, page: PageRequest
    ) -> Page[EnrolledLearner]:
        """Active enrollments ordered by username, with the beta-tester flag of each learner."""

    def count_by_mode(self, course_key: CourseKey) -> Mapping[str, int]:
        """Active enrollments per mode slug."""

    def count_learners(self, course_key: CourseKey) -> int:
        """Active enrollments of users holding no staff, instructor or CCX coach role."""

    def count_active(self, course_key: CourseKey, limit: int | None = None) -> int:
        """Active enrollments, counting no further than ``limit`` when given."""

    def list_modes(self, course_key: CourseKey) -> Sequence[CourseModeData]:
        """The enrollment tracks the course offers."""

    def get_allowed(self, course_key: CourseKey, email: str) -> AllowedEnrollmentData | None:
        """Return the allowed-to-enroll entry for this email (case-insensitive), if any."""

    def allow(self, course_key: CourseKey, email: str, auto_enroll: bool) -> AllowedEnrollmentData:
        """Create or update the allowed-to-enroll entry for this email."""

    def disallow(self, course_key: CourseKey, email: str) -> None:
        """Delete the allowed-to-enroll entry for this email."""

    def record_manual_enrollment(self, audit: ManualEnrollmentAuditData) -> None:
        """Append one row to the manual-enrollment audit."""

    # --- Writes in sets (batch enrollment: a fixed number of queries per chunk of identifiers) ---

    def enroll_many(self, course_key: CourseKey, user_ids: Collection[int]) -> Mapping[int, EnrollmentData]:
        """:meth:`enroll` (keeping existing modes) of every user, by user id."""

    def unenroll_many(self, course_key: CourseKey, user_ids: Collection[int]) -> Mapping[int, EnrollmentData]:
        """:meth:`unenroll` of every user, by user id; users never enrolled are left out."""

    def allow_many(
        self, course_key: CourseKey, emails: Collection[str], auto_enroll: bool
    ) -> Mapping[str, AllowedEnrollmentData]:
        """:meth:`allow` of every email, by the email stripped and lower-cased."""

    def disallow_many(self, course_key: CourseKey, emails: Collection[str]) -> None:
        """:meth:`disallow` of every email."""

    def record_manual_enrollments(self, audits: Sequence[ManualEnrollmentAuditData]) -> None:
        """Append these rows, in order, to the manual-enrollment audit."""

    def get_identifier_states(
        self, course_key: CourseKey, identifiers: Sequence[str]
    ) -> Mapping[str, IdentifierEnrollmentState]:
        """
        The state of every identifier (keyed as given), read in a fixed number of queries.

        An identifier names the account whose username equals it or whose email equals it ignoring
        case, after stripping spaces, as ``UserService.find_user`` does.
        """

    def iter_learner_profiles(self, course_key: CourseKey) -> Iterator[LearnerProfileData]:
        """Every active enrollment with its user's profile, ordered by user id, streamed."""

    def iter_learner_profile_rows(self, course_key: CourseKey, fields: Sequence[str]) -> Iterator[Sequence[object]]:
        """
        The values of ``fields`` (names of :class:`LearnerProfileData` fields) of every active learner, as
        :meth:`iter_learner_profiles` orders and fills them, one sequence per learner, streamed.

        Text fields hold ``str`` or ``None`` (an empty cell); the datetimes are ISO 8601 text (as
        ``isoformat()`` writes them) or ``None``; the numbers are ``int`` or ``None``. Unlike the profiles,
        the rows fill ``cohort`` and ``external_user_key`` as :meth:`CohortService.get_cohort_names` and
        :meth:`ProgramService.get_external_user_keys` give them (``None`` or ``""`` where there is none).
        """

    def iter_enrolled_user_ids(self, course_key: CourseKey) -> Iterator[int]:
        """Ids of the users actively enrolled, in increasing order, streamed."""

    def iter_pending_enrollment_emails(self, course_key: CourseKey) -> Iterator[str]:
        """Emails allowed to enroll that no actively enrolled user has, in order, streamed."""

    def iter_inactive_enrolled_emails(self, course_key: CourseKey) -> Iterator[str]:
        """Emails of the actively enrolled users whose account is not activated, ordered by user id, streamed."""

    def iter_email_recipients(self, course_key: CourseKey, targets: EmailTargets) -> Iterator[EmailRecipientData]:
        """Every user the targets select, each once however many targets match, ordered by user id, streamed."""

    def count_email_recipients(self, course_key: CourseKey, targets: EmailTargets) -> int:
        """How many users :meth:`iter_email_recipients` yields."""

    # --- The enrollment API (seed 002) ---

    def update_enrollment(
        self, course_key: CourseKey, user_id: int, mode: str | None = None, is_active: bool | None = None
    ) -> EnrollmentData | None:
        """Change the mode and/or the active flag of an existing enrollment; ``None`` if there is none."""

    def list_user_enrollments(self, user_id: int, include_inactive: bool = False) -> Sequence[EnrollmentData]:
        """The user's enrollments in every course, oldest first (active only unless ``include_inactive``)."""

    def unenroll_all(self, user_id: int) -> Sequence[CourseKey]:
        """Deactivate every active enrollment of the user, atomically; the courses it left."""

    def list_mode_details(self, course_key: CourseKey, include_expired: bool = False) -> Sequence[CourseModeDetails]:
        """The course's modes with prices and expiry; modes past their expiry only with ``include_expired``."""

    def get_enrollment_attributes(self, course_key: CourseKey, user_id: int) -> Sequence[EnrollmentAttributeData]:
        """The attributes of the user's enrollment (none when not enrolled)."""

    def set_enrollment_attributes(
        self, course_key: CourseKey, user_id: int, attributes: Sequence[EnrollmentAttributeData]
    ) -> None:
        """Create or update these attributes of the user's existing enrollment (by namespace and name)."""

    def search_enrollments(
        self, filters: EnrollmentSearch, cursor: EnrollmentCursor | None, limit: int
    ) -> Sequence[EnrollmentSearchRow]:
        """Up to ``limit`` enrollments (active or not) of every course, newest first, from ``cursor`` on."""

    def list_allowed_by_email(self, email: str) -> Sequence[AllowedEnrollmentData]:
        """The allowed-to-enroll entries of this email (case-insensitive) in every course, oldest first."""

    def get_enrollments(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, EnrollmentData]:
        """The users' enrollments (active or not) in the course, by user id; those not enrolled left out."""

    def set_enrollments(self, course_key: CourseKey, enrollments: Mapping[int, tuple[str, bool]]) -> None:
        """Give each user (by id) this ``(mode, is_active)`` in the course in bulk, creating missing enrollments."""


class EmbargoService(Protocol):
    """Which countries may enroll in restricted courses (Open edX's embargo app)."""

    def get_blocked_message_key(
        self, course_key: CourseKey, user_id: int | None, countries: Sequence[str]
    ) -> str | None:
        """
        The key of the course's blocked-enrollment message when the user's profile country or any of
        ``countries`` (ISO 3166-1 alpha-2, such as the request IP's) may not enroll; ``None`` when the
        course is not restricted or every country may. An empty country is never blocked.
        """


class EnterpriseService(Protocol):
    """Enterprise customers' course enrollments and their learners' consent (edx-enterprise)."""

    def create_enterprise_course_enrollment(self, user_id: int, course_key: CourseKey) -> None:
        """
        Record the course enrollment for the enterprise customer the learner acts for (idempotent);
        raise ``EnterpriseLinkFailed`` when the learner belongs to no enterprise customer.
        """

    def provide_consent(self, user_id: int, course_key: CourseKey, enterprise_customer_uuid: str) -> None:
        """
        Record the learner's data-sharing consent for the course with this customer; raise
        ``EnterpriseLinkFailed`` when the learner is not one of the customer's learners.
        """


class RetirementService(Protocol):
    """Users' retirement requests (Open edX's ``UserRetirementStatus``)."""

    def get_retirement_state(self, original_username: str) -> str | None:
        """The state name of the retirement request of the account first named ``original_username``, if any."""


class RoleService(Protocol):
    """Course roles (course-level, org-level, global staff) and forum roles."""

    def get_access(self, course_key: CourseKey, user_id: int) -> CourseAccessData:
        """Every role the user holds in the course, in its org, and in its forums."""

    def add_course_role(self, course_key: CourseKey, user_id: int, role: str) -> None:
        """Grant a course-level role (idempotent)."""

    def remove_course_role(self, course_key: CourseKey, user_id: int, role: str) -> None:
        """Revoke a course-level role (idempotent)."""

    def add_forum_role(self, course_key: CourseKey, user_id: int, role: str) -> None:
        """Grant a discussion-forum role (idempotent)."""

    def remove_forum_role(self, course_key: CourseKey, user_id: int, role: str) -> None:
        """Revoke a discussion-forum role (idempotent)."""

    def list_user_roles(self, user_id: int) -> Sequence[UserRoleData]:
        """Every course and org role the user holds, in every course (the enrollment API's ``roles``)."""

    def list_team(self, course_key: CourseKey, filters: TeamFilter, page: PageRequest) -> Page[TeamMember]:
        """Users holding any of the filtered roles, ordered by username (case-insensitive)."""


class ProblemStateService(Protocol):
    """
    Learner state on problems, and grades.

    Every method that changes a score recomputes the learner's course grade and returns it in
    the :class:`~.data.ScoreChangeData`. A learner without state raises ``StateNotFound``.
    """

    def get_state(self, course_key: CourseKey, usage_key: UsageKey, user_id: int) -> ProblemStateData | None:
        """The learner's state on the problem, if they have any."""

    def reset_attempts(self, course_key: CourseKey, usage_key: UsageKey, user_id: int) -> ProblemStateData:
        """Set the learner's attempts to zero and clear the answer histories, keeping the score."""

    def delete_state(self, course_key: CourseKey, usage_key: UsageKey, user_id: int) -> ScoreChangeData:
        """Delete the learner's state and score on the problem; ``previous_score`` is the deleted score."""

    def rescore(
        self, course_key: CourseKey, usage_key: UsageKey, user_id: int, only_if_higher: bool
    ) -> ScoreChangeData:
        """Grade the learner's saved answers again (keeping a higher score when ``only_if_higher``)."""

    def rescore_many(
        self, course_key: CourseKey, usage_key: UsageKey, user_ids: Iterable[int], only_if_higher: bool
    ) -> Mapping[int, ScoreChangeData]:
        """:meth:`rescore` for many learners at once, by user id; learners without state are left out."""

    def override_score(self, course_key: CourseKey, usage_key: UsageKey, user_id: int, score: float) -> ScoreChangeData:
        """Replace the learner's score; raise ``ValueError`` unless ``0 <= score <= max_score``."""

    def iter_learners_with_state(self, course_key: CourseKey, usage_key: UsageKey) -> Iterator[int]:
        """The ids of every learner holding state on the problem, ascending, streamed."""

    def iter_course_grades(self, course_key: CourseKey) -> Iterator[CourseGradeData]:
        """
        Course grades of every actively enrolled learner by user id, streamed (0% when never graded).

        Filling each grade's ``username`` and ``email`` (a join the database does) spares the grade
        reports a user lookup per chunk.
        """

    def iter_course_grade_rows(
        self, course_key: CourseKey, assignment_types: Sequence[str]
    ) -> Iterator[Sequence[object]]:
        """
        :meth:`iter_course_grades` as ``(user_id, email, username, percent, letter_grade, passed, *breakdown)``
        rows, ``breakdown`` holding the section breakdown's value of each of ``assignment_types``.

        ``percent``, ``letter_grade`` and ``passed`` may be ``None`` for a learner never graded, a
        breakdown value ``None`` when the grade has none, ``email`` and ``username`` ``None`` when unknown.
        """

    def iter_problem_states(
        self, course_key: CourseKey, usage_keys: Sequence[UsageKey] | None = None
    ) -> Iterator[ProblemStateData]:
        """Learner states in the course (optionally on some problems only), by user id then usage key, streamed."""

    def iter_problem_scores(
        self, course_key: CourseKey, usage_keys: Sequence[UsageKey]
    ) -> Iterator[tuple[int, UsageKey, float | None, float | None]]:
        """
        :meth:`iter_problem_states` of these problems as ``(user_id, usage_key, score, max_score)`` rows, in the
        same order, the states themselves not read.
        """

    def iter_problem_response_rows(
        self, course_key: CourseKey, usage_keys: Sequence[UsageKey]
    ) -> Iterator[Sequence[object]]:
        """
        :meth:`iter_problem_states` of these problems as ``(username, location, attempts, score, max_score,
        state)`` rows, ``location`` the usage key's text and ``state`` the decoded state (``{}`` when none).
        """


class DueDateService(Protocol):
    """
    Course due dates and per-learner overrides (the edx-when model).

    An override set on a block applies to the block and to every descendant with a due date; each
    change (a new date or a reset) is recorded with who made it, when and why.
    """

    def is_enabled(self, course_key: CourseKey) -> bool:
        """Tell whether the course has dates that can be extended."""

    def get_due_dates(self, course_key: CourseKey) -> Mapping[UsageKey, datetime]:
        """The original due date of every dated block."""

    def list_dated_blocks(self, course_key: CourseKey) -> Sequence[BlockData]:
        """The top-most dated blocks (a due date, no dated ancestor), in tree order: the "graded subsections"."""

    def set_override(
        self,
        course_key: CourseKey,
        usage_key: UsageKey,
        user_id: int,
        due: datetime,
        actor_id: int | None,
        reason: str,
    ) -> Sequence[UsageKey]:
        """
        Give the learner ``due`` on the block and on each of its dated descendants; return those blocks.

        Raise ``BlockNotFound``, ``NoDueDate`` (the block has none) or ``DueDateNotLater`` (``due`` is not
        later than some block's original date), writing nothing.
        """

    def remove_override(
        self, course_key: CourseKey, usage_key: UsageKey, user_id: int, actor_id: int | None, reason: str
    ) -> Sequence[UsageKey]:
        """
        Remove the learner's overrides on the block and its dated descendants; return the blocks that had one.

        Raise ``BlockNotFound`` or ``NoDueDate``. Removing nothing records nothing.
        """

    def get_learner_due_dates(self, course_key: CourseKey, user_id: int) -> Mapping[UsageKey, datetime]:
        """The due dates in force for one learner: the original dates with their overrides applied."""

    def list_overrides(
        self,
        course_key: CourseKey,
        usage_keys: Sequence[UsageKey] | None,
        search: str | None,
        page: PageRequest,
    ) -> Page[DueDateOverrideData]:
        """
        Overrides on these blocks (every block when None), by username (case-insensitive) then course order.

        ``search`` is a case-insensitive substring of the username or the email.
        """


class CertificateService(Protocol):
    """Certificates, their generation switch, exceptions (the allowlist), invalidations and history."""

    def is_generation_enabled(self, course_key: CourseKey) -> bool:
        """Tell whether learners may be issued certificates in this course."""

    def set_generation_enabled(self, course_key: CourseKey, enabled: bool) -> None:
        """Turn certificate generation on or off for the course."""

    def list_certificates(
        self, course_key: CourseKey, filters: CertificateFilter, page: PageRequest
    ) -> Page[CertificateData]:
        """
        Certificates with their special cases, filtered, ordered by username, counted and sliced at the source.

        ``granted_exceptions`` also lists allowlisted learners without a certificate, their status
        derived from their mode.
        """

    def list_generation_history(self, course_key: CourseKey, page: PageRequest) -> Page[CertificateGenerationRunData]:
        """Generation runs, newest first."""

    def record_generation_run(
        self, course_key: CourseKey, actor_id: int | None, is_regeneration: bool, candidates: str, task_id: str
    ) -> None:
        """Add an entry to the course's generation history."""

    def find_learners(
        self, course_key: CourseKey, identifiers: Iterable[str]
    ) -> Mapping[str, Sequence[CertificateLearnerState]]:
        """Every user each identifier (username, or email case-insensitively) matches, with their state."""

    def add_exceptions(self, course_key: CourseKey, notes_by_user: Mapping[int, str], actor_id: int | None) -> None:
        """Allowlist the learners (not yet on the list) with their notes."""

    def remove_exception(self, course_key: CourseKey, user_id: int) -> bool:
        """Remove the learner from the allowlist, their certificate becoming unavailable; False if not on it."""

    def invalidate(self, course_key: CourseKey, notes_by_user: Mapping[int, str], actor_id: int | None) -> None:
        """Invalidate the learners' (valid) certificates with the notes; the certificates become unavailable."""

    def remove_invalidation(self, course_key: CourseKey, user_id: int) -> bool:
        """Lift the active invalidation of the learner's certificate; False when there was none."""

    def select_candidates(self, course_key: CourseKey, statuses: Sequence[str], student_set: str) -> Sequence[int]:
        """
        The ids of the learners a (re)generation covers, in id order.

        ``student_set`` ``all`` (enrolled learners, or with ``statuses`` those whose certificate has one of
        them), ``allowlisted`` or ``allowlisted_not_generated`` (allowlisted learners without a certificate).
        """

    def generate(self, course_key: CourseKey, user_ids: Iterable[int], is_regeneration: bool) -> Mapping[int, str]:
        """
        Generate the learners' certificates from their grade and mode; return the status per learner.

        Learners who are not enrolled get none (they are absent from the result); an invalidated
        certificate stays unavailable.
        """

    def count_issued_by_mode(self, course_key: CourseKey) -> Mapping[str, int]:
        """Issued (downloadable) certificates per certificate mode."""


class SpecialExamService(Protocol):
    """Timed, proctored and practice exams, learners' attempts and allowances (the edx-proctoring model)."""

    def list_exams(self, course_key: CourseKey, exam_type: str | None = None) -> Sequence[SpecialExamData]:
        """
        The course's exams by id; ``exam_type`` ``proctored`` (not practice), ``practice`` or ``timed``
        (not proctored) filters them.
        """

    def get_exam(self, course_key: CourseKey, exam_id: int) -> SpecialExamData:
        """An exam of this course, or raise ``ExamNotFound`` (also for another course's exam)."""

    def get_exams(self, course_key: CourseKey, exam_ids: Iterable[int]) -> Mapping[int, SpecialExamData]:
        """The exams of these ids that belong to the course, by id."""

    def list_attempts(self, course_key: CourseKey, query: ExamListQuery, page: PageRequest) -> Page[ExamAttemptData]:
        """Attempts of the course (of one exam with ``query.exam_id``), searched, ordered and sliced in the DB."""

    def iter_attempt_rows(self, course_key: CourseKey, exam_id: int) -> Iterator[Sequence[object]]:
        """
        ``(username, email, track, status, started_at, completed_at, allowed_time_limit_mins)`` of every
        attempt at the course's exam, in the order :meth:`list_attempts` gives them when not asked for
        another, streamed. ``track`` is the mode of the learner's active enrollment in the course (``None``
        without one); the datetimes are ISO 8601 text (as ``isoformat()`` writes them) or ``None``.
        """

    def reset_attempts(self, course_key: CourseKey, exam_id: int, user_id: int, actor_id: int) -> int:
        """Remove the learner's attempts at the exam and return how many were removed."""

    def list_allowances(
        self, course_key: CourseKey, query: ExamListQuery, page: PageRequest
    ) -> Page[ExamAllowanceData]:
        """Allowances of the course (of one exam with ``query.exam_id``), searched, ordered and sliced in the DB."""

    def set_allowance(self, course_key: CourseKey, exam_id: int, user_id: int, key: str, value: str) -> None:
        """Add the learner's allowance on the exam, or replace the one they hold (of any type), atomically."""

    def remove_allowance(self, course_key: CourseKey, exam_id: int, user_id: int, key: str) -> bool:
        """Remove the learner's allowance of type ``key`` on the exam; False when there was none."""

    def supports_onboarding(self, course_key: CourseKey) -> bool:
        """Tell whether the course's proctoring provider has an onboarding exam."""

    def review_dashboard_available(self, course_key: CourseKey) -> bool:
        """Tell whether the course's proctoring provider offers a review dashboard."""


class OpenResponseService(Protocol):
    """Open-response assessments: response counts, submissions and their files."""

    def list_counts(self, course_key: CourseKey, page: PageRequest) -> Page[OpenResponseCountsData]:
        """Counts per assessment block, in course order."""

    def summarize(self, course_key: CourseKey) -> OpenResponseSummaryData:
        """Counts summed over every assessment of the course, with the number of assessments and of units."""

    def iter_submissions(self, course_key: CourseKey) -> Iterator[OpenResponseSubmissionData]:
        """Every submission of the course, ordered by block then submission time, streamed."""

    def iter_submission_rows(self, course_key: CourseKey) -> Iterator[Sequence[object]]:
        """
        :meth:`iter_submissions` as ``(submission_uuid, location, username, status, answer_text, file_names,
        points_earned, points_possible, submitted_at)`` rows: ``location`` the usage key's text, ``file_names``
        the files' names joined by ``"; "``, ``submitted_at`` ISO 8601 text (as ``isoformat()`` writes it) or ``None``.
        """

    def open_file(self, course_key: CourseKey, path: str) -> IO[bytes]:
        """Open a submission file of this course for binary reading; raise ``FileNotFoundError``."""


class CompletionService(Protocol):
    """How far learners completed blocks (Open edX's completion)."""

    def set_completion(self, course_key: CourseKey, user_id: int, usage_key: UsageKey, completion: float) -> None:
        """Record the learner's completion of one block, from 0.0 (not started) to 1.0 (complete)."""


class CohortService(Protocol):
    """Course cohorts."""

    def is_cohorted(self, course_key: CourseKey) -> bool:
        """Tell whether the course divides learners into cohorts."""

    def list_cohorts(self, course_key: CourseKey) -> Sequence[CohortData]:
        """The course's cohorts."""

    def get_cohort_names(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, str]:
        """The cohort name of each learner who has one."""

    # --- Managing cohorts (the cohorts API) ---

    def get_settings(self, course_key: CourseKey) -> CohortSettingsData:
        """The course's cohort settings (recorded on first read)."""

    def set_cohorted(self, course_key: CourseKey, is_cohorted: bool) -> CohortSettingsData:
        """Turn cohorts on or off for the course."""

    def list_cohorts_page(self, course_key: CourseKey, descending: bool, page: PageRequest) -> Page[CohortData]:
        """
        One page of the course's cohorts by name; ``user_count`` counts the actively enrolled members only.
        """

    def get_cohort(self, course_key: CourseKey, cohort_id: int) -> CohortData | None:
        """The course's cohort of this id (``user_count`` as in :meth:`list_cohorts_page`), if any."""

    def find_cohort(self, course_key: CourseKey, name: str) -> CohortData | None:
        """The course's cohort of this exact name, if any."""

    def create_cohort(
        self,
        course_key: CourseKey,
        name: str,
        assignment_type: str,
        group_id: int | None = None,
        user_partition_id: int | None = None,
    ) -> CohortData:
        """Create a cohort (the caller checked that the name is free)."""

    def update_cohort(
        self,
        course_key: CourseKey,
        cohort_id: int,
        name: str,
        assignment_type: str,
        group_id: int | None,
        user_partition_id: int | None,
    ) -> CohortData:
        """Save every field of an existing cohort of the course."""

    def list_members(self, course_key: CourseKey, cohort_id: int, page: PageRequest) -> Page[UserData]:
        """One page of the cohort's members, ordered by username."""

    def get_user_cohort(self, course_key: CourseKey, user_id: int) -> CohortData | None:
        """The learner's cohort in the course (at most one), if any."""

    def assign_member(self, course_key: CourseKey, cohort_id: int, user_id: int) -> CohortMove:
        """Put the learner in the cohort, taking them out of their previous cohort of the course."""

    def remove_member(self, course_key: CourseKey, cohort_id: int, user_id: int) -> bool:
        """Take the learner out of the cohort; ``False`` if they were not in it."""

    def preassign_email(self, course_key: CourseKey, cohort_id: int, email: str) -> None:
        """Remember that whoever registers with ``email`` joins this cohort (replacing an earlier preassignment)."""

    def pop_preassignment(self, course_key: CourseKey, email: str) -> int | None:
        """The cohort id preassigned to ``email`` in the course, forgetting the preassignment, if any."""

    def pop_preassignments(self, course_key: CourseKey, emails: Collection[str]) -> Mapping[str, int]:
        """:meth:`pop_preassignment` of every email at once: cohort ids by the email lower-cased."""

    def add_members(self, course_key: CourseKey, cohort_by_user: Mapping[int, int]) -> None:
        """Put each user, in no cohort of the course yet, in the cohort given by id (in one write where it can)."""

    # --- Content groups (cohort follow-ups) ---

    def get_content_group_partition(self, course_key: CourseKey) -> ContentGroupPartitionData | None:
        """The course's cohort user partition with its content groups; ``None`` when it has none."""


class MailService(Protocol):
    """Delivery of the plugin's messages."""

    def send(self, message: MailMessage) -> None:
        """Render and deliver one message."""


class SiteConfigService(Protocol):
    """Per-site and per-org configuration values."""

    def get_value(self, name: str, default: object = None, org: str | None = None) -> object:
        """A configuration value, looked up for the org first when given."""


class GradebookService(Protocol):
    """
    Subsection grades with their overrides and override history, and the gradebook's learner list.

    A subsection grade is computed from the learner's problem scores; an override replaces it, and
    every change of an override is kept in its history. Course grades apply overrides.
    """

    def list_gradebook(
        self, course_key: CourseKey, filters: GradebookFilter, cursor: CursorRequest
    ) -> CursorPage[GradebookLearnerData]:
        """Actively enrolled learners the filters keep, by user id, sliced at the cursor in the database."""

    def count_gradebook(self, course_key: CourseKey, filters: GradebookFilter) -> int:
        """How many actively enrolled learners the filters keep."""

    def get_subsection_grades(
        self, course_key: CourseKey, user_ids: Iterable[int]
    ) -> Mapping[int, Mapping[UsageKey, SubsectionGradeData]]:
        """The graded subsections each learner attempted or has an override on, by user id then subsection."""

    def get_subsection_grade(self, course_key: CourseKey, usage_key: UsageKey, user_id: int) -> SubsectionGradeData:
        """The learner's grade on a graded subsection (zero when never attempted); raise ``BlockNotFound``."""

    def list_override_history(
        self, course_key: CourseKey, usage_key: UsageKey, user_id: int, limit: int | None = None
    ) -> Sequence[SubsectionOverrideHistoryData]:
        """The override's changes, oldest first (the newest ``limit`` of them when given)."""

    def override_subsection_grade(
        self,
        course_key: CourseKey,
        usage_key: UsageKey,
        user_id: int,
        values: Mapping[str, float],
        reason: str,
        system: str,
        actor_id: int | None,
    ) -> SubsectionGradeData:
        """
        Create or update the learner's override of a graded subsection, record it in the history and
        recompute their course grade; a value not given keeps the computed one. Raise ``BlockNotFound``.
        """

    # --- section grades breakdown and submission history ---

    def list_graded_enrollments(
        self, course_key: CourseKey | None, usernames: Sequence[str], cursor: CursorRequest
    ) -> CursorPage[GradedEnrollmentData]:
        """
        Active enrollments of one course (every course when ``None``), of these usernames only when any
        are given, with the course grade; ordered and sliced by enrollment id in the database.
        """

    def get_problem_states(
        self, course_key: CourseKey, user_ids: Iterable[int]
    ) -> Mapping[int, Sequence[ProblemStateData]]:
        """The learners' states on the course's problems, by user id, each list ordered by usage key."""


class ProgramService(Protocol):
    """
    The program catalog (programs, curricula, their course runs), program and program-course
    enrollments with their history, and the mapping of organisations' external user keys to accounts.

    External user keys are compared case-insensitively. Every write records a history row naming
    ``actor_id``. Lists ordered by id are sliced at a :class:`~.data.CursorRequest` in the database.
    """

    def get_program(self, program_uuid: str) -> ProgramData | None:
        """The program with its curricula, or None."""

    def list_programs(
        self, program_type: str | None = None, course_keys: Iterable[CourseKey] | None = None
    ) -> Sequence[ProgramData]:
        """Programs of a type (any when None), only those holding one of ``course_keys`` when given."""

    def list_admin_program_uuids(self, user_id: int) -> Sequence[str]:
        """The programs the user administers."""

    def list_program_enrollments(self, program_uuid: str, cursor: CursorRequest) -> CursorPage[ProgramEnrollmentData]:
        """The program's enrollments by id, sliced at the cursor."""

    def fetch_program_enrollments(
        self,
        program_uuid: str | None = None,
        external_user_keys: Iterable[str] | None = None,
        user_ids: Iterable[int] | None = None,
        statuses: Iterable[str] | None = None,
        curriculum_uuids: Iterable[str] | None = None,
        realized: bool | None = None,
    ) -> Sequence[ProgramEnrollmentData]:
        """Program enrollments every given filter keeps (``realized``: with an account or without)."""

    def create_program_enrollments(
        self, program_uuid: str, enrollments: Sequence[NewProgramEnrollment], actor_id: int | None
    ) -> Sequence[ProgramEnrollmentData]:
        """Create these enrollments in bulk, with their history rows."""

    def set_program_enrollment_statuses(self, statuses: Mapping[int, str], actor_id: int | None) -> None:
        """Set the status of each enrollment (by id) in bulk, recording a history row for each change."""

    def link_program_enrollment(self, enrollment_id: int, user_id: int, actor_id: int | None) -> ProgramEnrollmentData:
        """Attach the account to a program enrollment, recording the change."""

    def list_program_course_enrollments(
        self, program_uuid: str, course_key: CourseKey, cursor: CursorRequest, realized: bool | None = None
    ) -> CursorPage[ProgramCourseEnrollmentData]:
        """The program's enrollments in the course run by id (with or without an account), sliced at the cursor."""

    def fetch_program_course_enrollments(
        self,
        program_uuid: str | None = None,
        course_keys: Iterable[CourseKey] | None = None,
        external_user_keys: Iterable[str] | None = None,
        user_ids: Iterable[int] | None = None,
        program_enrollment_ids: Iterable[int] | None = None,
        statuses: Iterable[str] | None = None,
    ) -> Sequence[ProgramCourseEnrollmentData]:
        """Program-course enrollments every given filter keeps."""

    def create_program_course_enrollments(
        self, course_key: CourseKey, enrollments: Sequence[NewProgramCourseEnrollment], actor_id: int | None
    ) -> Sequence[ProgramCourseEnrollmentData]:
        """Create these program-course enrollments in bulk, with their history rows."""

    def update_program_course_enrollments(
        self, changes: Mapping[int, tuple[str, bool | None]], actor_id: int | None
    ) -> Sequence[ProgramCourseEnrollmentData]:
        """
        Set ``(status, course staff request)`` of each enrollment (by id; a request of None is left as it
        is) in bulk, recording a history row for each change; the enrollments after, by id.
        """

    def list_history(
        self, program_enrollment_id: int | None = None, program_course_enrollment_id: int | None = None
    ) -> Sequence[ProgramEnrollmentHistoryData]:
        """The changes of one program (or program-course) enrollment, oldest first."""

    def get_users_by_external_keys(self, org: str, external_user_keys: Iterable[str]) -> Mapping[str, UserData | None]:
        """Each key (as given) to the account the organisation linked to it, or None."""

    def set_external_user_key(self, org: str, external_user_key: str, user_id: int) -> None:
        """Record that the organisation's ``external_user_key`` is this account."""

    def get_external_user_keys(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, str]:
        """The external user key of each learner enrolled in the course through a program (others left out)."""

    def get_course_grades(self, course_key: CourseKey, user_ids: Iterable[int]) -> Mapping[int, CourseGradeData]:
        """The course grade of each learner enrolled in the course (zero when never graded; others left out)."""

    def list_learner_course_runs(
        self, user_id: int, course_keys: Iterable[CourseKey], modes: Iterable[str]
    ) -> Sequence[LearnerCourseRunData]:
        """
        The user's active enrollments in these course runs in one of ``modes``, oldest first, each with its
        course, email setting, certificate and resume block; read in sets (no query per course run).
        """

    def reset_organization(self, org: str) -> OrganizationResetData | None:
        """
        Delete, atomically, the enrollments in the organisation's programs (program and program-course
        enrollments, and the course enrollments they gave accounts) and the accounts its external keys
        are linked to (sandboxes only); the counts, or None when no program or key names the organisation.
        """


class EntranceExamService(Protocol):
    """
    A course's entrance exam and the learners allowed to skip it.

    Open edX keeps the exam in the course's ``entrance_exam_id`` and ``entrance_exam_minimum_score_pct``
    and the learners who may skip it in ``EntranceExamConfiguration``.
    """

    def get_entrance_exam(self, course_key: CourseKey) -> EntranceExamData | None:
        """The course's entrance exam, or None when the course requires none."""

    def can_skip(self, course_key: CourseKey, user_id: int) -> bool:
        """Whether the learner may skip the course's entrance exam."""

    def allow_skip(self, course_key: CourseKey, user_id: int) -> bool:
        """Let the learner skip the course's entrance exam; False when they already could."""
