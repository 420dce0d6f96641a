"""
The frozen dataclasses that cross the backend boundary.

Backends speak in opaque keys, user ids and these records; they never hand a
host's model instance to the plugin.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from django.utils import timezone
from opaque_keys.edx.keys import CourseKey, UsageKey

T = TypeVar("T")


# --- Paging -----------------------------------------------------------------


@dataclass(frozen=True)
class PageRequest:
    """A slice of a list: ``limit`` items starting at ``offset``."""

    offset: int = 0
    limit: int = 10


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with the size of the whole filtered list."""

    items: Sequence[T]
    total: int


# --- Courses and content ----------------------------------------------------


@dataclass(frozen=True)
class CourseData:
    """A course run and the settings the dashboard reads or writes."""

    course_key: CourseKey
    display_name: str
    start: datetime | None = None
    end: datetime | None = None
    enrollment_start: datetime | None = None
    enrollment_end: datetime | None = None
    self_paced: bool = False
    grade_cutoffs: Mapping[str, float] = field(default_factory=dict)
    # The grading policy's GRADER entries: type, short_label (text), weight, min_count, drop_count (numbers).
    graders: Sequence[Mapping[str, str | float]] = ()
    enable_proctored_exams: bool = False
    enable_timed_exams: bool = False
    proctoring_provider: str | None = None
    proctoring_escalation_email: str | None = None
    create_zendesk_tickets: bool = False
    enable_ccx: bool = False
    teams_enabled: bool = False
    errors: Sequence[str] = ()
    # The enrollment API's course rules: invitation only, and a capacity (``None``: unlimited).
    invite_only: bool = False
    max_student_enrollments_allowed: int | None = None

    def has_started(self) -> bool:
        return self.start is None or self.start <= timezone.now()

    def has_ended(self) -> bool:
        return self.end is not None and self.end < timezone.now()


@dataclass(frozen=True)
class BlockData:
    """One block of a course's content tree."""

    usage_key: UsageKey
    block_type: str
    display_name: str
    parent_key: UsageKey | None = None
    graded: bool = False
    assignment_type: str = ""
    due: datetime | None = None
    max_attempts: int | None = None
    weight: float | None = None
    has_score: bool = False
    #: The block's definition, when the host keeps it (a problem's OLX markup); "" otherwise.
    data: str = ""


# --- Users ------------------------------------------------------------------


@dataclass(frozen=True)
class UserData:
    """A user of the host, with the profile fields the dashboard shows."""

    id: int
    username: str
    email: str
    full_name: str = ""
    is_active: bool = True
    is_staff: bool = False
    language: str | None = None


# --- Enrollments ------------------------------------------------------------


@dataclass(frozen=True)
class CourseModeData:
    """An enrollment track offered by a course (``audit``, ``verified``...)."""

    slug: str
    display_name: str


@dataclass(frozen=True)
class EnrollmentData:
    """One user's enrollment record in one course (active or not)."""

    user_id: int
    course_key: CourseKey
    mode: str
    is_active: bool
    created: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EnrollmentFilter:
    """Filters of the enrollments list; ``None`` means "do not filter"."""

    search: str | None = None
    is_beta_tester: bool | None = None


@dataclass(frozen=True)
class EnrolledLearner:
    """A row of the enrollments list."""

    user: UserData
    mode: str
    is_beta_tester: bool


@dataclass(frozen=True)
class AllowedEnrollmentData:
    """An email allowed to enroll before (or without) having an account."""

    email: str
    course_key: CourseKey
    auto_enroll: bool
    user_id: int | None = None
    created: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ManualEnrollmentAuditData:
    """The audit record of one enrollment change made by course staff."""

    enrolled_by_id: int | None
    enrolled_email: str
    course_key: CourseKey
    state_transition: str
    reason: str
    created: datetime | None = None


@dataclass(frozen=True)
class LearnerProfileData:
    """
    An enrolled learner with every profile field the enrolled-students report may show.

    ``cohort`` (the learner's cohort in the course) and ``external_user_key`` (their program's key for them
    in the course) are filled in report rows only: :meth:`EnrollmentService.iter_learner_profiles` leaves them empty.
    """

    id: int
    username: str
    email: str
    name: str = ""
    language: str = ""
    location: str = ""
    year_of_birth: int | None = None
    gender: str = ""
    level_of_education: str = ""
    mailing_address: str = ""
    goals: str = ""
    city: str = ""
    country: str = ""
    enrollment_mode: str = ""
    enrollment_date: datetime | None = None
    last_login: datetime | None = None
    date_joined: datetime | None = None
    external_user_key: str = ""
    team: str = ""
    cohort: str = ""


@dataclass(frozen=True)
class AnonymousIdData:
    """A learner's stable anonymous ids: one for every course, one for this course."""

    user_id: int
    anonymous_user_id: str
    course_anonymous_user_id: str


# --- Roles ------------------------------------------------------------------

BETA = "beta"
INSTRUCTOR = "instructor"
STAFF = "staff"
LIMITED_STAFF = "limited_staff"
CCX_COACH = "ccx_coach"
DATA_RESEARCHER = "data_researcher"
#: Course roles, held in one course or (``org_roles``) in every course of an org.
COURSE_ROLES = (BETA, INSTRUCTOR, STAFF, LIMITED_STAFF, CCX_COACH, DATA_RESEARCHER)

FORUM_ADMINISTRATOR = "Administrator"
FORUM_MODERATOR = "Moderator"
FORUM_GROUP_MODERATOR = "Group Moderator"
FORUM_COMMUNITY_TA = "Community TA"
#: Discussion-forum roles, held in one course.
FORUM_ROLES = (FORUM_ADMINISTRATOR, FORUM_MODERATOR, FORUM_GROUP_MODERATOR, FORUM_COMMUNITY_TA)


@dataclass(frozen=True)
class CourseAccessData:
    """The roles one user holds in one course (course-level, org-level and forum)."""

    user_id: int
    course_roles: frozenset[str] = frozenset()
    org_roles: frozenset[str] = frozenset()
    forum_roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TeamFilter:
    """Filters of the course team list."""

    course_roles: Sequence[str] = ()
    forum_roles: Sequence[str] = ()
    search: str | None = None


@dataclass(frozen=True)
class TeamMember:
    """A row of the course team list: a user and every team role they hold."""

    user: UserData
    course_roles: Sequence[str]
    forum_roles: Sequence[str]


# --- Learner state and grades -------------------------------------------------


@dataclass(frozen=True)
class ProblemStateData:
    """A learner's state on one problem."""

    user_id: int
    usage_key: UsageKey
    attempts: int
    score: float | None
    max_score: float | None
    state: Mapping[str, object] = field(default_factory=dict)
    modified: datetime | None = None


@dataclass(frozen=True)
class CourseGradeData:
    """A learner's course grade with the breakdown by assignment type."""

    user_id: int
    percent: float
    letter_grade: str | None
    passed: bool
    section_breakdown: Mapping[str, float] = field(default_factory=dict)
    #: The learner's username and email when the backend read them with the grade (``iter_course_grades``
    #: may, in the same query); None lets the reports look them up.
    username: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ScoreChangeData:
    """What a score change did: the learner's previous and new score, and their recomputed course grade."""

    user_id: int
    usage_key: UsageKey
    previous_score: float | None
    new_score: float | None
    max_score: float | None
    course_grade: CourseGradeData | None = None


# --- Due dates --------------------------------------------------------------


@dataclass(frozen=True)
class DueDateOverrideData:
    """A learner's personal due date on a block, with the block's title and original date."""

    user: UserData
    usage_key: UsageKey
    due: datetime
    original_due: datetime | None = None
    reason: str = ""
    actor_id: int | None = None
    display_name: str = ""


# --- Certificates -----------------------------------------------------------


@dataclass(frozen=True)
class CertificateData:
    """A generated certificate and the special cases attached to it."""

    user: UserData
    course_key: CourseKey
    status: str
    mode: str | None
    enrollment_track: str | None = None
    exception_granted: datetime | None = None
    exception_notes: str | None = None
    invalidated_by: str | None = None
    invalidation_date: datetime | None = None
    invalidation_note: str = ""


@dataclass(frozen=True)
class CertificateFilter:
    """Filters of the issued-certificates list."""

    status_filter: str = "all"
    search: str | None = None


@dataclass(frozen=True)
class CertificateGenerationRunData:
    """One entry of a course's certificate generation history."""

    is_regeneration: bool
    created: datetime
    candidates: str
    generated_by_id: int | None = None
    task_id: str | None = None


@dataclass(frozen=True)
class CertificateLearnerState:
    """Where a user stands for certificates in a course: what exception and invalidation checks need."""

    user: UserData
    enrolled: bool
    allowlisted: bool
    invalidated: bool
    certificate_status: str | None = None


# --- Special exams ----------------------------------------------------------


@dataclass(frozen=True)
class SpecialExamData:
    """A timed, proctored or practice exam."""

    id: int
    course_key: CourseKey
    content_id: str
    exam_name: str
    time_limit_mins: int | None
    is_proctored: bool
    is_practice_exam: bool
    is_active: bool
    hide_after_due: bool = False
    due_date: datetime | None = None
    backend: str | None = None


@dataclass(frozen=True)
class ExamAttemptData:
    """A learner's attempt at a special exam."""

    id: int
    user: UserData
    exam: SpecialExamData
    status: str
    started_at: datetime | None = None
    completed_at: datetime | None = None
    allowed_time_limit_mins: int | None = None
    ready_to_resume: bool = False


@dataclass(frozen=True)
class ExamAllowanceData:
    """An allowance granted to a learner on a special exam."""

    id: int
    user: UserData
    exam: SpecialExamData
    key: str
    value: str
    created: datetime | None = None
    modified: datetime | None = None


@dataclass(frozen=True)
class ExamListQuery:
    """
    Search, ordering and exam filter of an attempts or allowances list.

    ``search`` is a case-insensitive substring of the username or email. ``ordering`` is one of
    :data:`EXAM_ORDERINGS` (``-`` first for descending), None for username order.
    """

    search: str | None = None
    ordering: str | None = None
    exam_id: int | None = None


#: What an attempts or allowances list may be ordered by (``allowed_time_limit``, ``started_at``,
#: ``completed_at`` and ``status`` are attempt fields, ``key`` and ``value`` allowance fields).
EXAM_ORDERINGS = (
    "username",
    "email",
    "exam_name",
    "exam_type",
    "time_limit",
    "allowed_time_limit",
    "started_at",
    "completed_at",
    "status",
    "key",
    "value",
)


# --- Open responses ---------------------------------------------------------


@dataclass(frozen=True)
class OpenResponseCountsData:
    """Response counts of one open-response assessment block."""

    usage_key: UsageKey
    unit_name: str
    display_name: str
    total: int = 0
    training: int = 0
    peer: int = 0
    self: int = 0
    waiting: int = 0
    staff: int = 0
    done: int = 0
    #: Whether the block's workflow has a staff-assessment step (staff can grade its responses).
    has_staff_step: bool = False


@dataclass(frozen=True)
class OpenResponseSummaryData:
    """Response counts summed over a course's open-response assessments, with how many there are."""

    assessments: int = 0
    units: int = 0
    total: int = 0
    training: int = 0
    peer: int = 0
    self: int = 0
    waiting: int = 0
    staff: int = 0
    done: int = 0


@dataclass(frozen=True)
class OpenResponseFileData:
    """A file a learner attached to an open response, in the host's file storage."""

    name: str
    path: str
    description: str = ""


@dataclass(frozen=True)
class OpenResponseSubmissionData:
    """A learner's response to an open-response assessment, with its files and where it stands."""

    submission_uuid: str
    usage_key: UsageKey
    user_id: int
    username: str
    status: str
    answer_text: str = ""
    files: Sequence[OpenResponseFileData] = ()
    points_earned: float | None = None
    points_possible: float | None = None
    submitted_at: datetime | None = None


# --- Cohorts ----------------------------------------------------------------


@dataclass(frozen=True)
class CohortData:
    """A cohort of a course."""

    id: int
    name: str
    user_count: int
    assignment_type: str
    #: The content group the cohort is linked to (with its user partition), if any.
    group_id: int | None = None
    user_partition_id: int | None = None


#: How learners join a cohort: by staff only, or also at random when they first need one.
COHORT_MANUAL, COHORT_RANDOM = "manual", "random"
COHORT_ASSIGNMENT_TYPES = (COHORT_RANDOM, COHORT_MANUAL)


@dataclass(frozen=True)
class CohortSettingsData:
    """Whether a course divides its learners into cohorts; ``id`` identifies the settings record."""

    id: int
    is_cohorted: bool


@dataclass(frozen=True)
class CohortMove:
    """A learner put in a cohort: the cohort they left (``None`` if they had none)."""

    user_id: int
    previous_cohort: str | None


@dataclass(frozen=True)
class ContentGroupData:
    """A content group: a group of the course's cohort user partition, which cohorts link to."""

    id: int
    name: str
    version: int = 1


@dataclass(frozen=True)
class ContentGroupPartitionData:
    """The course's cohort user partition (Studio's "Content Groups" configuration) and its groups."""

    id: int
    name: str
    groups: tuple[ContentGroupData, ...]
    description: str = ""


# --- Course email -----------------------------------------------------------


@dataclass(frozen=True)
class EmailTargets:
    """
    The recipient groups of a course email.

    ``learners``, ``cohorts`` and ``modes`` select actively enrolled, active users and leave out those
    who opted out of the course's email; ``staff`` (course and org staff and instructors) and
    ``myself_id`` (the sender) are team mail and ignore opt-outs.
    """

    myself_id: int | None = None
    staff: bool = False
    learners: bool = False
    cohorts: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmailRecipientData:
    """One recipient of a course email."""

    user_id: int
    email: str
    full_name: str = ""
    language: str | None = None


# --- Mail -------------------------------------------------------------------


@dataclass(frozen=True)
class MailMessage:
    """A message of a known type for one recipient, rendered by the mail backend."""

    message_type: str
    recipient_email: str
    context: Mapping[str, object]
    recipient_user_id: int | None = None
    language: str | None = None


# --- Gradebook (grades REST v1) ---------------------------------------------


@dataclass(frozen=True)
class CursorRequest:
    """
    A slice of a list ordered by a unique integer key (the user id).

    ``after`` returns up to ``limit`` items with a larger key, ascending; ``before`` those with a
    smaller key, nearest first, handed back ascending; neither starts at the beginning.
    """

    after: int | None = None
    before: int | None = None
    limit: int = 50


@dataclass(frozen=True)
class CursorPage(Generic[T]):
    """One cursor slice, ascending, and whether more items lie beyond it in the direction of travel."""

    items: Sequence[T]
    has_more: bool


#: ``excluded_course_roles`` value excluding anyone holding any course role.
ALL_COURSE_ROLES = "all"


@dataclass(frozen=True)
class GradebookFilter:
    """
    Which actively enrolled learners a gradebook lists; every field narrows the list.

    Grades are percents 0..100. ``assignment_grade_min``/``max`` apply to ``assignment`` (a subsection),
    and match only learners with a grade there (attempted or overridden), the override winning; a
    ``course_grade_min`` of None or 0 also keeps learners never graded.
    """

    username: str | None = None
    user_contains: str | None = None
    username_contains: str | None = None
    cohort_id: int | None = None
    enrollment_mode: str | None = None
    assignment: UsageKey | None = None
    assignment_grade_min: float | None = None
    assignment_grade_max: float | None = None
    course_grade_min: float | None = None
    course_grade_max: float | None = None
    excluded_course_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class GradebookLearnerData:
    """An actively enrolled learner with their persisted course grade (0 when never graded)."""

    user: UserData
    mode: str
    percent: float = 0.0
    letter_grade: str | None = None
    passed: bool = False
    external_user_key: str = ""


@dataclass(frozen=True)
class SubsectionOverrideData:
    """The override in force on a learner's subsection grade (Open edX's PersistentSubsectionGradeOverride)."""

    id: int
    earned_all_override: float | None
    possible_all_override: float | None
    earned_graded_override: float | None
    possible_graded_override: float | None
    system: str
    override_reason: str
    created: datetime
    modified: datetime


@dataclass(frozen=True)
class SubsectionGradeData:
    """A learner's grade on a subsection, computed from their problem scores, and its override."""

    user_id: int
    usage_key: UsageKey
    earned_all: float
    possible_all: float
    earned_graded: float
    possible_graded: float
    attempted: bool
    override: SubsectionOverrideData | None = None


@dataclass(frozen=True)
class SubsectionOverrideHistoryData:
    """One change of an override: who (``history_user_id``, None for a system), when, why, and the values."""

    history_id: int
    override_id: int
    history_date: datetime
    history_type: str
    history_user_id: int | None
    history_user: str | None
    earned_all_override: float | None
    possible_all_override: float | None
    earned_graded_override: float | None
    possible_graded_override: float | None
    system: str
    override_reason: str


#: The four values an override may set.
OVERRIDE_FIELDS = ("earned_all_override", "possible_all_override", "earned_graded_override", "possible_graded_override")
# --- The enrollment API (seed 002) ------------------------------------------


@dataclass(frozen=True)
class CourseModeDetails:
    """An enrollment track with what the enrollment API shows of it: prices, expiry, SKUs."""

    slug: str
    name: str
    min_price: int = 0
    suggested_prices: str = ""
    currency: str = "usd"
    expiration_datetime: datetime | None = None
    description: str | None = None
    sku: str | None = None
    bulk_sku: str | None = None


@dataclass(frozen=True)
class EnrollmentAttributeData:
    """One ``namespace:name = value`` attribute of an enrollment."""

    namespace: str
    name: str
    value: str


@dataclass(frozen=True)
class EnrollmentSearch:
    """Filters of the site-wide enrollment search; empty means "do not filter"."""

    course_key: CourseKey | None = None
    #: Course ids containing any of these texts (case-insensitive), so a course key without its run matches.
    course_id_contains: Sequence[str] = ()
    usernames: Sequence[str] = ()
    emails: Sequence[str] = ()


@dataclass(frozen=True)
class EnrollmentCursor:
    """
    A position in the newest-first enrollment search: the rows after ``(created, id)``.

    ``backwards`` asks for the rows before it instead (the page preceding the position).
    """

    created: datetime
    id: int
    backwards: bool = False


@dataclass(frozen=True)
class EnrollmentSearchRow:
    """A row of the enrollment search: the enrollment, its user's username, and its position."""

    id: int
    username: str
    enrollment: EnrollmentData


@dataclass(frozen=True)
class UserRoleData:
    """One course or org role a user holds; ``course_key`` is ``None`` for an org-wide role."""

    org: str
    course_key: CourseKey | None
    role: str


# --- Gradebook: section breakdowns and submission history (grades REST v1) --


@dataclass(frozen=True)
class GradedEnrollmentData:
    """
    An active enrollment (``id``: its row, the cursor key) with the learner's course grade.

    ``breakdown`` is the course grade's percent (0..1) per assignment type.
    """

    id: int
    course_key: CourseKey
    learner: GradebookLearnerData
    breakdown: Mapping[str, float] = field(default_factory=dict)


# --- Program enrollments (seed 004) -----------------------------------------


@dataclass(frozen=True)
class CurriculumData:
    """One curriculum of a program: the course runs it holds."""

    uuid: str
    name: str
    is_active: bool
    course_keys: tuple[CourseKey, ...] = ()


@dataclass(frozen=True)
class ProgramData:
    """A program of the catalog with its curricula; ``org`` is the authoring organisation's short name."""

    uuid: str
    title: str
    marketing_slug: str
    program_type: str
    org: str
    curricula: tuple[CurriculumData, ...] = ()

    @property
    def course_keys(self) -> tuple[CourseKey, ...]:
        """Every course run of every curriculum, each once, in curriculum order."""
        return tuple(dict.fromkeys(key for curriculum in self.curricula for key in curriculum.course_keys))


@dataclass(frozen=True)
class ProgramEnrollmentData:
    """A learner's enrollment in a program, by external user key; ``user`` is None until an account is linked."""

    id: int
    program_uuid: str
    curriculum_uuid: str
    external_user_key: str
    status: str
    user: UserData | None = None


@dataclass(frozen=True)
class ProgramCourseEnrollmentData:
    """
    A program learner's enrollment in one of the program's course runs (``active`` or ``inactive``).

    ``course_staff`` is the course staff role asked for it (None: never asked), granted when the account exists.
    """

    id: int
    program_enrollment: ProgramEnrollmentData
    course_key: CourseKey
    status: str
    course_staff: bool | None = None


@dataclass(frozen=True)
class NewProgramEnrollment:
    """A program enrollment to create."""

    external_user_key: str
    curriculum_uuid: str
    status: str
    user_id: int | None = None


@dataclass(frozen=True)
class ProgramEnrollmentHistoryData:
    """One change of a program or program-course enrollment: its status then, who changed it and when."""

    history_type: str
    history_date: datetime
    history_user_id: int | None
    status: str
    user_id: int | None


@dataclass(frozen=True)
class NewProgramCourseEnrollment:
    """A program-course enrollment to create for an existing program enrollment."""

    program_enrollment_id: int
    status: str
    course_staff: bool | None = None


@dataclass(frozen=True)
class LearnerCourseRunData:
    """
    A learner's active enrollment in a course run, with what the program learner overview shows of it:
    course email (None where the course sends none), the certificate (status, when issued, where to
    download it, relative to the LMS) and the block to resume at (the last one completed).
    """

    course: CourseData
    mode: str
    emails_enabled: bool | None = None
    certificate_status: str | None = None
    certificate_created: datetime | None = None
    certificate_download_url: str | None = None
    resume_block: UsageKey | None = None


def learner_course_runs(
    user_id: int,
    enrollments: Sequence[tuple[CourseKey, str]],
    courses: Mapping[CourseKey, CourseData],
    opted_out: Collection[CourseKey],
    certificates: Mapping[CourseKey, tuple[str, datetime]],
    resume_blocks: Mapping[CourseKey, UsageKey],
) -> list[LearnerCourseRunData]:
    """
    The learner's ``(course, mode)`` enrollments as :class:`LearnerCourseRunData`, from what a backend read of
    them in sets (courses it does not know are left out; a ``downloadable`` certificate gets the LMS's URL).
    """

    def course_run(course_key: CourseKey, mode: str) -> LearnerCourseRunData:
        status, created = certificates.get(course_key, (None, None))
        download = f"/certificates/user/{user_id}/course/{course_key}" if status == "downloadable" else None
        return LearnerCourseRunData(
            course=courses[course_key],
            mode=mode,
            emails_enabled=course_key not in opted_out,
            certificate_status=status,
            certificate_created=created,
            certificate_download_url=download,
            resume_block=resume_blocks.get(course_key),
        )

    return [course_run(course_key, mode) for course_key, mode in enrollments if course_key in courses]


@dataclass(frozen=True)
class OrganizationResetData:
    """What an integration reset of an organisation deleted: rows of each kind."""

    program_enrollments: int
    program_course_enrollments: int
    course_enrollments: int
    users: int


# --- Batch enrollment: the states of many identifiers read in sets --


@dataclass(frozen=True)
class IdentifierEnrollmentState:
    """
    What enrolling one identifier (a username or an email) reads: the account it names, that account's
    enrollment, and the allowed-to-enroll entry of its email (of the identifier itself when no account).

    ``ambiguous``: more than one account matches, so ``user`` is ``None``.
    """

    identifier: str
    user: UserData | None
    enrollment: EnrollmentData | None
    allowed: AllowedEnrollmentData | None
    ambiguous: bool = False


# --- Entrance exams ----------------------------------------------------------


@dataclass(frozen=True)
class EntranceExamData:
    """
    A course's entrance exam: the section (chapter) learners must pass before the rest of the course.

    ``minimum_score_pct`` is the share of the section's points that passes, from 0 to 1.
    """

    course_key: CourseKey
    usage_key: UsageKey
    minimum_score_pct: float


def survey_rows(answers: Iterable[Sequence], field_names: Sequence[str]) -> Iterator[tuple]:
    """
    ``(user id, username, email, *answers)`` per learner from ``(user id, answer id, username, email, field name,
    value)`` answers by learner then answer id (as recorded): a field's later answer replaces an earlier one,
    an unanswered or unlisted field is "".
    """
    positions = {name: position for position, name in enumerate(field_names, 3)}
    unanswered = [""] * len(field_names)
    row: list | None = None
    for user_id, _answer_id, username, email, name, value in answers:
        if row is None or row[0] != user_id:
            if row is not None:
                yield tuple(row)
            row = [user_id, username, email, *unanswered]
        position = positions.get(name)
        if position is not None:
            row[position] = value
    if row is not None:
        yield tuple(row)
