"""
The demo course of the built-in backend: a realistic course, its team and as many learners as asked.

:func:`seed_demo_course` rebuilds one course's rows from scratch and leaves every other course alone.
Accounts are shared between courses, so they are updated in place rather than recreated: every
``learner<n>`` account gets the demo password and a fresh profile, and the first ``N`` are enrolled.
Everything is written in bulk so that 100,000 learners take seconds, not minutes.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from waffle.models import Flag

from ...conf import plugin_storage
from ..rows import insert_rows, stored_json
from .bulk_load import bulk_load
from .gradebook import BuiltinGradebookService
from .models import (
    Block,
    CertificateAllowlistEntry,
    CertificateGenerationRun,
    CertificateInvalidation,
    Cohort,
    CohortMembership,
    CohortSettings,
    ContentGroup,
    Course,
    CourseAccessRole,
    CourseEmailOptout,
    CourseEnrollment,
    CourseEnrollmentAllowed,
    CourseGrade,
    CourseMode,
    Curriculum,
    CurriculumCourse,
    DueDateChange,
    DueDateOverride,
    EntranceExam,
    EntranceExamSkip,
    ExamAllowance,
    ExamAttempt,
    ExternalUserKey,
    ForumRole,
    GeneratedCertificate,
    ManualEnrollmentAudit,
    OpenResponseSubmission,
    ProblemState,
    Program,
    ProgramCourseEnrollment,
    ProgramEnrollment,
    ProgramEnrollmentHistory,
    SpecialExam,
    SubsectionGradeOverride,
    SurveyAnswer,
    UserProfile,
)
from .problem_state import CourseGrader, grader_blocks

User = get_user_model()

DEMO_COURSE_ID = "course-v1:OpenedX+DemoX+Demo_Course"
DEMO_PASSWORD = "edx"
DEFAULT_LEARNERS = 50
API_V2_FLAG_NAME = "instructor_plugin.enable_api_v2"
BATCH_SIZE = 5000

LEARNER_PREFIX = "learner"
_LEARNER_USERNAME = re.compile(rf"{LEARNER_PREFIX}([0-9]+)")
_LEARNER_USERNAME_SQL = rf"^{LEARNER_PREFIX}[0-9]+$"
_EMAIL_DOMAIN = "@example.com"

GRADING_POLICY = {
    "GRADER": [
        {"type": "Homework", "min_count": 3, "drop_count": 1, "short_label": "HW", "weight": 0.3},
        {"type": "Lab", "min_count": 2, "drop_count": 0, "short_label": "Lab", "weight": 0.2},
        {"type": "Midterm Exam", "min_count": 1, "drop_count": 0, "short_label": "Midterm", "weight": 0.2},
        {"type": "Final Exam", "min_count": 1, "drop_count": 0, "short_label": "Final", "weight": 0.3},
    ],
    "GRADE_CUTOFFS": {"A": 0.85, "B": 0.7, "Pass": 0.5},
}

COURSE_MODES = (("audit", "Audit"), ("verified", "Verified Certificate"), ("honor", "Honor Code Certificate"))
#: What the enrollment API shows of the paid demo modes.
MODE_DETAILS: dict[str, dict[str, object]] = {
    "verified": {
        "min_price": 49,
        "suggested_prices": "49,99",
        "currency": "usd",
        "description": "A verified certificate of achievement.",
        "sku": "DEMO-VERIFIED",
        "bulk_sku": "DEMO-VERIFIED-BULK",
    },
    "honor": {"description": "An honor code certificate."},
}
#: The enrollment API's demo courses beside the demo course (CONTRACT.md, "Demo seed additions").
INVITE_ONLY_COURSE_ID = "course-v1:OpenedX+DemoX+Invite_Only"
CLOSED_COURSE_ID = "course-v1:OpenedX+DemoX+Closed_Course"
PENDING_INVITATIONS = (("invited1@example.com", True), ("invited2@example.com", True), ("invited3@example.com", False))

_MODE_BY_REMAINDER = ("audit",) * 6 + ("verified",) * 3 + ("honor",)
_LANGUAGE_BY_REMAINDER = {3: "es", 7: "fr"}
_COUNTRIES = ("US", "IN", "BR", "MX", "FR", "NG", "DE", "ES", "EG", "ID")
_GENDERS = ("f", "m", "o", "")
_EDUCATION_LEVELS = ("b", "m", "hs", "p", "a", "")


@dataclass(frozen=True)
class DemoUser:
    """A named demo account and what it holds in the demo course."""

    username: str
    name: str
    course_roles: tuple[str, ...] = ()
    forum_roles: tuple[str, ...] = ()
    enrollment_mode: str | None = None
    global_staff: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}{_EMAIL_DOMAIN}"


DEMO_USERS = (
    DemoUser("staff", "Sam Staff", global_staff=True),
    DemoUser("instructor", "Iris Instructor", course_roles=("instructor",)),
    DemoUser("course_staff", "Carl Coursestaff", course_roles=("staff",)),
    DemoUser("data_researcher", "Dana Researcher", course_roles=("data_researcher",)),
    DemoUser("beta_tester", "Bea Tester", course_roles=("beta",), enrollment_mode="audit"),
    DemoUser("discussion_admin", "Dino Discussion", course_roles=("staff",), forum_roles=("Administrator",)),
    DemoUser("outsider", "Otto Outsider"),
)


@dataclass(frozen=True)
class BlockSpec:
    """One block of the outline to create, with its children in order."""

    block_type: str
    block_id: str
    display_name: str
    children: tuple[BlockSpec, ...] = ()
    attributes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SeedResult:
    """What :func:`seed_demo_course` built."""

    course_key: CourseKey
    learners: int
    enrollments: int
    blocks: int


def seed_demo_course(course_id: str = DEMO_COURSE_ID, learners: int = DEFAULT_LEARNERS) -> SeedResult:
    """Rebuild the demo course with its team and ``learners`` enrolled learners, and open the v2 API."""
    if learners < 0:
        raise ValueError("The number of learners cannot be negative.")
    course_key = CourseKey.from_string(course_id)
    password = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        clear_course(course_key)
        course = create_course(course_key)
        blocks = create_blocks(course, demo_outline(timezone.now()))
        user_ids = upsert_demo_users(password)
        grant_roles(course_key, user_ids)
        with bulk_load(course_key) as loaded:
            learner_ids = upsert_learners(learners, password)
            loaded.update(learner_ids.values())
            rebuild_learner_profiles(learner_ids)
            enrollments = enroll_users(course_key, user_ids, learner_ids, learners)
            seed_certificates(course_key, learner_ids, learners)
            seed_special_exams(course, learner_ids, learners)
            seed_cohorts(course_key, learner_ids, learners)
        seed_problem_state(course, learner_ids, learners)
        invite_pending_emails(course_key)
        seed_open_responses(course, learner_ids, learners)
        seed_certificate_cases(course_key, user_ids["instructor"], learner_ids, learners)
        seed_due_date_extensions(course, user_ids["instructor"], learner_ids, learners)
        seed_survey_answers(course_key, learner_ids, learners)
        seed_gradebook(course, user_ids["instructor"], learner_ids, learners)
        turn_cohorts_on(course_key)
        seed_content_groups(course_key)
        if course_id == DEMO_COURSE_ID:
            seed_enrollment_api_courses()
            seed_demo_program(course_key, learner_ids, learners)
        enable_api_v2()
    analyse_tables()
    return SeedResult(course_key=course_key, learners=learners, enrollments=enrollments, blocks=blocks)


def analyse_tables() -> None:
    """
    Refresh the planner's statistics of the built-in tables after a bulk write.

    A freshly loaded PostgreSQL or MariaDB table has none, and their planners then pick plans for empty
    tables (rescoring ran six times slower until ``ANALYZE``); SQLite samples each index.
    """
    tables = [model._meta.db_table for model in apps.get_app_config("instructor_plugin_builtin").get_models()]
    tables.append(User._meta.db_table)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(quote(table) for table in tables)}")
        elif connection.vendor == "mysql" and not connection.in_atomic_block:  # it commits implicitly
            cursor.execute(f"ANALYZE TABLE {', '.join(quote(table) for table in tables)}")
            cursor.fetchall()
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")


def clear_course(course_key: CourseKey) -> None:
    """Delete every row of one course; the accounts themselves stay."""
    Course.objects.filter(course_key=course_key).delete()
    for model in (
        CourseEnrollment,
        CourseEnrollmentAllowed,
        ManualEnrollmentAudit,
        CourseAccessRole,
        ForumRole,
        Cohort,
        CohortSettings,
        CourseEmailOptout,
        ContentGroup,
        EntranceExamSkip,
        SurveyAnswer,
    ):
        model.objects.filter(course_key=course_key).delete()


def create_course(course_key: CourseKey) -> Course:
    """The course run, started a month ago and ending in two months, with its enrollment modes."""
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    course = Course.objects.create(
        course_key=course_key,
        display_name="Open edX Demo Course",
        start=today - timedelta(days=30),
        end=today + timedelta(days=60),
        enrollment_start=today - timedelta(days=60),
        enrollment_end=today + timedelta(days=45),
        grading_policy=GRADING_POLICY,
        enable_proctored_exams=True,
        enable_timed_exams=True,
        proctoring_provider="lti_external",
        proctoring_escalation_email="proctoring@example.com",
        certificate_generation_enabled=True,
    )
    CourseMode.objects.bulk_create(
        CourseMode(course=course, slug=slug, display_name=display_name, **MODE_DETAILS.get(slug, {}))
        for slug, display_name in COURSE_MODES
    )
    return course


def demo_outline(now: datetime) -> BlockSpec:
    """The course outline: four chapters of lessons, homework, labs, a timed midterm and a proctored final."""
    today = now.replace(hour=23, minute=59, second=0, microsecond=0)

    def due(days: int) -> datetime:
        return today + timedelta(days=days)

    return BlockSpec(
        "course",
        "course",
        "Open edX Demo Course",
        children=(
            _chapter(
                "introduction",
                "Introduction",
                _subsection("welcome", "Welcome", _unit("overview", "Course overview", _html("welcome"))),
                _subsection(
                    "homework_1",
                    "Homework 1: Getting started",
                    _unit("homework_1_questions", "Questions", *_questions("hw1", 2)),
                    assignment_type="Homework",
                    due=due(-10),
                ),
            ),
            _chapter(
                "core_concepts",
                "Core Concepts",
                _subsection(
                    "lesson_1",
                    "Lesson 1: The basics",
                    _unit("lesson_1_video", "Watch", _video("lesson_1")),
                    _unit("lesson_1_check", "Check your understanding", *_questions("lesson1", 1, max_attempts=None)),
                ),
                _subsection(
                    "homework_2",
                    "Homework 2: Practice",
                    _unit("homework_2_questions", "Questions", *_questions("hw2", 3)),
                    assignment_type="Homework",
                    due=due(7),
                ),
                _subsection(
                    "lab_1",
                    "Lab 1: Hands-on",
                    _unit("lab_1_exercise", "Exercise", *_questions("lab1", 1, max_attempts=5)),
                    _unit("lab_1_essay", "Essay", _openassessment("lab1_essay", "Peer-reviewed essay")),
                    assignment_type="Lab",
                    due=due(10),
                ),
            ),
            _chapter(
                "applying_concepts",
                "Applying the Concepts",
                _subsection(
                    "homework_3",
                    "Homework 3: Going further",
                    _unit("homework_3_questions", "Questions", *_questions("hw3", 2)),
                    assignment_type="Homework",
                    due=due(21),
                ),
                _subsection(
                    "lab_2",
                    "Lab 2: Project",
                    _unit("lab_2_project", "Project", _openassessment("lab2_project", "Self-assessed project")),
                    assignment_type="Lab",
                    due=due(24),
                ),
                _subsection(
                    "midterm_exam",
                    "Midterm Exam (timed)",
                    _unit("midterm_questions", "Questions", *_questions("midterm", 4, max_attempts=1)),
                    assignment_type="Midterm Exam",
                    due=due(28),
                ),
            ),
            _chapter(
                "wrapping_up",
                "Wrapping Up",
                _subsection("review", "Review", _unit("review_notes", "Summary", _html("review"))),
                _subsection(
                    "final_exam",
                    "Final Exam (proctored)",
                    _unit("final_questions", "Questions", *_questions("final", 5, max_attempts=1, weight=2.0)),
                    assignment_type="Final Exam",
                    due=due(56),
                ),
            ),
        ),
    )


def _chapter(block_id: str, name: str, *subsections: BlockSpec) -> BlockSpec:
    return BlockSpec("chapter", block_id, name, children=subsections)


def _subsection(
    block_id: str, name: str, *units: BlockSpec, assignment_type: str = "", due: datetime | None = None
) -> BlockSpec:
    """A sequential; giving it an assignment type grades it and every scored block inside."""
    if assignment_type:
        units = tuple(_graded(unit) for unit in units)
        attributes = {"graded": True, "assignment_type": assignment_type, "due": due}
    else:
        attributes = {"due": due}
    return BlockSpec("sequential", block_id, name, children=units, attributes=attributes)


def _graded(spec: BlockSpec) -> BlockSpec:
    attributes = {**spec.attributes, "graded": True} if spec.attributes.get("has_score") else spec.attributes
    return replace(spec, children=tuple(_graded(child) for child in spec.children), attributes=attributes)


def _unit(block_id: str, name: str, *components: BlockSpec) -> BlockSpec:
    return BlockSpec("vertical", block_id, name, children=components)


def _questions(prefix: str, count: int, *, max_attempts: int | None = 3, weight: float = 1.0) -> tuple[BlockSpec, ...]:
    """``count`` scored problems named "Question 1", "Question 2"..., each with its OLX."""
    attributes = {"has_score": True, "max_attempts": max_attempts, "weight": weight}
    return tuple(
        BlockSpec(
            "problem",
            f"{prefix}_q{number}",
            f"Question {number}",
            attributes={**attributes, "data": _problem_olx(f"Question {number}")},
        )
        for number in range(1, count + 1)
    )


def _problem_olx(name: str) -> str:
    """The OLX of a demo problem: one numerical input per answer part of its learners' state."""
    parts = "".join(
        f'<numericalresponse answer="{part}"><label>Part {part + 1}</label><formulaequationinput/></numericalresponse>'
        for part in range(_ANSWERS_PER_PROBLEM)
    )
    return f'<problem display_name="{name}">{parts}</problem>'


def _openassessment(block_id: str, name: str) -> BlockSpec:
    return BlockSpec("openassessment", block_id, name, attributes={"has_score": True})


def _html(block_id: str) -> BlockSpec:
    return BlockSpec("html", block_id, "Text")


def _video(block_id: str) -> BlockSpec:
    return BlockSpec("video", block_id, "Video")


def create_blocks(course: Course, root: BlockSpec) -> int:
    """Save the outline depth-first, so ``position`` is tree order; returns how many blocks were saved."""
    position = 0

    def save(spec: BlockSpec, parent: Block | None) -> None:
        nonlocal position
        block = Block.objects.create(
            course=course,
            usage_key=course.course_key.make_usage_key(spec.block_type, spec.block_id),
            parent=parent,
            block_type=spec.block_type,
            display_name=spec.display_name,
            position=position,
            **spec.attributes,
        )
        position += 1
        for child in spec.children:
            save(child, block)

    save(root, None)
    return position


def upsert_demo_users(password: str) -> dict[str, int]:
    """Create or reset the named accounts and their profiles; returns their ids by username."""
    user_ids = {}
    for demo_user in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=demo_user.username,
            defaults={
                "email": demo_user.email,
                "password": password,
                "is_active": True,
                "is_staff": demo_user.global_staff,
                "is_superuser": demo_user.global_staff,
            },
        )
        UserProfile.objects.update_or_create(user=user, defaults={"name": demo_user.name, "language": "en"})
        user_ids[demo_user.username] = user.pk
    return user_ids


def grant_roles(course_key: CourseKey, user_ids: dict[str, int]) -> None:
    """Give the named accounts their course and forum roles in the course."""
    CourseAccessRole.objects.bulk_create(
        CourseAccessRole(
            user_id=user_ids[demo_user.username], org=course_key.org or "", course_key=course_key, role=role
        )
        for demo_user in DEMO_USERS
        for role in demo_user.course_roles
    )
    ForumRole.objects.bulk_create(
        ForumRole(user_id=user_ids[demo_user.username], course_key=course_key, role=role)
        for demo_user in DEMO_USERS
        for role in demo_user.forum_roles
    )


def upsert_learners(count: int, password: str) -> dict[int, int]:
    """
    Make sure ``learner1`` ... ``learner<count>`` exist and reset every learner account.

    Returns the user id of each learner account by its number, including accounts beyond ``count``
    left by an earlier, larger run.
    """
    learners = User.objects.filter(username__regex=_LEARNER_USERNAME_SQL)
    learners.update(
        password=password,
        email=Concat("username", Value(_EMAIL_DOMAIN)),
        is_active=True,
        is_staff=False,
        is_superuser=False,
    )
    existing = set(learners.values_list("username", flat=True))
    missing = (f"{LEARNER_PREFIX}{number}" for number in range(1, count + 1))
    # Plain rows, as for the other large tables; every other column takes its field's default.
    given = ("username", "email", "password")
    others = [f for f in User._meta.concrete_fields if not f.primary_key and f.name not in given]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)
    insert_rows(
        User,
        (*given, *(f.name for f in others)),
        (
            (username, f"{username}{_EMAIL_DOMAIN}", password, *defaults)
            for username in missing
            if username not in existing
        ),
    )
    return {learner_number(username): user_id for username, user_id in learners.values_list("username", "pk")}


def learner_number(username: str) -> int:
    """The ``n`` of ``learner<n>``."""
    match = _LEARNER_USERNAME.fullmatch(username)
    if match is None:
        raise ValueError(f"{username!r} is not a demo learner's username")
    return int(match.group(1))


def rebuild_learner_profiles(learner_ids: dict[int, int]) -> None:
    """Replace the profile of every learner account with the demo one."""
    UserProfile.objects.filter(user__username__regex=_LEARNER_USERNAME_SQL).delete()
    insert_rows(
        UserProfile, _PROFILE_FIELDS, (learner_profile(number, user_id) for number, user_id in learner_ids.items())
    )


_PROFILE_FIELDS = (
    "user",
    "name",
    "language",
    "country",
    "city",
    "year_of_birth",
    "gender",
    "level_of_education",
    "goals",
)


def learner_profile(number: int, user_id: int) -> tuple:
    """
    The ``_PROFILE_FIELDS`` of a varied but reproducible profile: mostly English speakers, some Spanish and French.
    """
    return (
        user_id,
        f"Learner {number}",
        _LANGUAGE_BY_REMAINDER.get(number % 10, "en"),
        _COUNTRIES[number % len(_COUNTRIES)],
        "",
        1960 + number % 45,
        _GENDERS[number % len(_GENDERS)],
        _EDUCATION_LEVELS[number % len(_EDUCATION_LEVELS)],
        "",
    )


def enroll_users(course_key: CourseKey, user_ids: dict[str, int], learner_ids: dict[int, int], learners: int) -> int:
    """Enroll the named accounts that take the course and the first ``learners`` learners; returns the count."""
    named = [
        CourseEnrollment(
            user_id=user_ids[demo_user.username],
            course_key=course_key,
            mode=demo_user.enrollment_mode,
            username=demo_user.username,
        )
        for demo_user in DEMO_USERS
        if demo_user.enrollment_mode
    ]
    CourseEnrollment.objects.bulk_create(named)
    course, now = str(course_key), connection.ops.adapt_datetimefield_value(timezone.now())
    insert_rows(
        CourseEnrollment,
        ("user", "course_key", "mode", "is_active", "created", "username"),
        (
            # With the username given, the username trigger has nothing to write.
            (learner_ids[number], course, _MODE_BY_REMAINDER[number % len(_MODE_BY_REMAINDER)], True, now, name)
            for number, name in ((number, f"{LEARNER_PREFIX}{number}") for number in range(1, learners + 1))
        ),
    )
    return len(named) + learners


#: Learners with state on every problem; the others hold state on the first few only.
FULL_STATE_LEARNERS = 300
FEW_PROBLEMS = 2
_ANSWERS_PER_PROBLEM = 2
#: Each answer part is a digit below this.
_ANSWER_CHOICES = 7
#: How many of the two answers are right, cycled through: most learners do well, some don't.
_CORRECT_ANSWERS = (2, 2, 1, 2, 0)


def seed_problem_state(course: Course, learner_ids: dict[int, int], learners: int) -> int:
    """
    Give the first ``learners`` learners answers, attempts and scores, and their course grades.

    The first ``FULL_STATE_LEARNERS`` answered every problem, the others the first ``FEW_PROBLEMS``.
    Every tenth learner's saved score lags behind their answers, as after a problem fix, so that
    rescoring changes something. Rows go in as plain values, and the learners share a few answer
    patterns, so each distinct state and grade is built and serialised once. Returns how many
    states were written.
    """
    course_key = str(course.course_key)
    ProblemState.objects.filter(course_key=course.course_key).delete()
    CourseGrade.objects.filter(course_key=course.course_key).delete()
    blocks = list(Block.objects.filter(course=course).order_by("position"))
    problems = [block for block in blocks if block.block_type == "problem"]
    grader = CourseGrader(course, grader_blocks(course))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    states_by_pattern: dict[tuple, tuple] = {}
    grades_by_scores: dict[tuple, tuple] = {}

    def state_columns(number: int, index: int, problem: Block) -> tuple:
        """``(usage key, attempts, score, max score, stored state)`` of the learner on the problem."""
        pattern = (index, *_state_pattern(number, index, problem))
        columns = states_by_pattern.get(pattern)
        if columns is None:
            key, attempts, score, max_score, state = _problem_state(number, index, problem)
            columns = states_by_pattern[pattern] = (key, attempts, score, max_score, stored_json(ProblemState, state))
        return columns

    def grade_columns(user_id: int, scores: tuple) -> tuple:
        """``(percent, letter grade, passed, stored breakdown)`` of a learner with these problem scores."""
        columns = grades_by_scores.get(scores)
        if columns is None:
            grade = grader.grade(course.course_key, user_id, scores)
            breakdown = stored_json(CourseGrade, grade.breakdown)
            columns = grades_by_scores[scores] = (grade.percent, grade.letter_grade, grade.passed, breakdown)
        return columns

    written = 0
    for start in range(1, learners + 1, BATCH_SIZE):
        states: list[tuple] = []
        grades: list[tuple] = []
        for number in range(start, min(start + BATCH_SIZE, learners + 1)):
            user_id = learner_ids[number]
            answered = problems if number <= FULL_STATE_LEARNERS else problems[:FEW_PROBLEMS]
            learner_states = [state_columns(number, index, problem) for index, problem in enumerate(answered)]
            states.extend(
                (user_id, course_key, key, attempts, score, max_score, state, now, now)
                for key, attempts, score, max_score, state in learner_states
            )
            scores = tuple((key, score, max_score) for key, _, score, max_score, _ in learner_states)
            grades.append((user_id, course_key, *grade_columns(user_id, scores), now))
        insert_rows(ProblemState, _STATE_FIELDS, states)
        insert_rows(CourseGrade, _GRADE_FIELDS, grades)
        written += len(states)
    return written


_STATE_FIELDS = ("user", "course_key", "usage_key", "attempts", "score", "max_score", "state", "created", "modified")
_GRADE_FIELDS = ("user", "course_key", "percent", "letter_grade", "passed", "breakdown", "modified")


def _state_pattern(number: int, index: int, problem: Block) -> tuple[int, int, bool, int]:
    """What learner ``number``'s state on the ``index``-th problem depends on: right answers, attempts, lag, answers."""
    correct = _CORRECT_ANSWERS[(number * 3 + index) % len(_CORRECT_ANSWERS)]
    attempts = 1 + (number * 7 + index) % (problem.max_attempts or 3)
    return correct, attempts, number % 10 == 0, number % _ANSWER_CHOICES


def _problem_state(number: int, index: int, problem: Block) -> tuple[str, int, float, float, dict]:
    """``(usage key, attempts, score, max score, state)`` of learner ``number`` on the ``index``-th problem."""
    correct, attempts, lagging, _ = _state_pattern(number, index, problem)
    score = float(max(correct - 1, 0) if lagging else correct)
    answers = {
        f"{problem.usage_key.block_id}_{part}": str((number + part) % _ANSWER_CHOICES)
        for part in range(_ANSWERS_PER_PROBLEM)
    }
    correct_map = {
        key: {"correctness": "correct" if part < correct else "incorrect"} for part, key in enumerate(answers)
    }
    state = {"attempts": attempts, "student_answers": answers, "correct_map": correct_map, "done": True}
    return str(problem.usage_key), attempts, score, float(_ANSWERS_PER_PROBLEM), state


#: Submissions per open-response block, from the first learners, each with one small text file.
ORA_SUBMISSIONS_PER_BLOCK = 6
_ORA_STEPS = ("done", "peer", "self", "waiting", "staff", "training")


def seed_open_responses(course: Course, learner_ids: dict[int, int], learners: int) -> int:
    """
    A few responses to every open-response block, in every workflow step, each with a text file.

    The files go to ``ORA_FILE_STORAGE`` at fixed paths (replaced on every run). Returns how many were written.
    """
    OpenResponseSubmission.objects.filter(course_key=course.course_key).delete()
    storage = plugin_storage("ORA_FILE_STORAGE")
    folder = hashlib.sha256(str(course.course_key).encode()).hexdigest()[:16]
    submitted_at = timezone.now() - timedelta(days=3)
    submissions = []
    for block in Block.objects.filter(course=course, block_type="openassessment").order_by("position"):
        for number in range(1, min(learners, ORA_SUBMISSIONS_PER_BLOCK) + 1):
            path = f"ora_submissions/{folder}/{block.usage_key.block_id}/{LEARNER_PREFIX}{number}.txt"
            if storage.exists(path):
                storage.delete(path)
            text = f"Learner {number}'s response to {block.display_name}."
            saved = storage.save(path, ContentFile(text.encode()))
            step = _ORA_STEPS[(number - 1) % len(_ORA_STEPS)]
            submissions.append(
                OpenResponseSubmission(
                    user_id=learner_ids[number],
                    course_key=course.course_key,
                    usage_key=block.usage_key,
                    submission_uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"{block.usage_key}/{number}"),
                    status=step,
                    answer_text=text,
                    files=[{"name": "response.txt", "path": saved, "description": "My response"}],
                    points_earned=float(6 + number % 5) if step == "done" else None,
                    points_possible=10.0 if step == "done" else None,
                    submitted_at=submitted_at + timedelta(minutes=number),
                )
            )
    OpenResponseSubmission.objects.bulk_create(submissions)
    return len(submissions)


#: Every this many learners one has a certificate row (coprime with the 10 of the mode cycle, so every mode has some).
CERTIFICATE_EVERY = 3


def seed_certificates(course_key: CourseKey, learner_ids: dict[int, int], learners: int) -> int:
    """
    A certificate row for every ``CERTIFICATE_EVERY``-th learner, in the statuses Open edX uses: verified
    and honor learners mostly ``downloadable``, some ``notpassing`` or ``unavailable``; audit learners
    ``audit_passing`` or ``audit_notpassing``. Returns how many were written.
    """
    GeneratedCertificate.objects.filter(course_key=course_key).delete()
    numbers = range(CERTIFICATE_EVERY, learners + 1, CERTIFICATE_EVERY)
    course, now = str(course_key), connection.ops.adapt_datetimefield_value(timezone.now())
    insert_rows(
        GeneratedCertificate,
        ("user", "course_key", "status", "mode", "grade", "created", "modified", "username"),
        (
            (learner_ids[number], course, *_certificate_status(number), "", now, now, f"{LEARNER_PREFIX}{number}")
            for number in numbers
        ),
    )
    return len(numbers)


def _certificate_status(number: int) -> tuple[str, str]:
    """The ``(status, mode)`` of learner ``number``'s certificate."""
    mode = _MODE_BY_REMAINDER[number % len(_MODE_BY_REMAINDER)]
    turn = number // CERTIFICATE_EVERY
    if mode == "audit":
        status = "audit_notpassing" if turn % 4 == 0 else "audit_passing"
    else:
        status = ("downloadable", "downloadable", "downloadable", "notpassing", "unavailable")[turn % 5]
    return status, mode


#: Learners given a later due date by the instructor: learner number -> (subsection block id, extra days, reason).
DUE_DATE_EXTENSIONS = {
    2: ("homework_2", 3, "Medical leave"),
    5: ("homework_2", 7, "Family emergency"),
    7: ("lab_1", 5, "Joined the course late"),
    11: ("homework_3", 2, "Technical problems with the lab environment"),
}


def seed_due_date_extensions(course: Course, actor_id: int, learner_ids: dict[int, int], learners: int) -> int:
    """
    Give the learners of ``DUE_DATE_EXTENSIONS`` that exist a later date on a subsection, each with the
    instructor's change recorded; returns how many were written.
    """
    DueDateOverride.objects.filter(course_key=course.course_key).delete()
    DueDateChange.objects.filter(course_key=course.course_key).delete()
    extensions = [(number, *spec) for number, spec in DUE_DATE_EXTENSIONS.items() if number <= learners]
    keys = {block_id: course.course_key.make_usage_key("sequential", block_id) for _, block_id, _, _ in extensions}
    blocks = Block.objects.filter(course=course, usage_key__in=keys.values())
    original = {key: due for key, due in blocks.values_list("usage_key", "due") if due is not None}
    rows = [
        {
            "user_id": learner_ids[number],
            "course_key": course.course_key,
            "usage_key": keys[block_id],
            "due": original[keys[block_id]] + timedelta(days=days),
            "reason": reason,
            "actor_id": actor_id,
        }
        for number, block_id, days, reason in extensions
    ]
    DueDateOverride.objects.bulk_create(DueDateOverride(**row) for row in rows)
    DueDateChange.objects.bulk_create(DueDateChange(**row) for row in rows)
    return len(rows)


#: The special exams: subsection, name, time limit in minutes, proctored.
SPECIAL_EXAMS = (
    ("midterm_exam", "Midterm Exam (timed)", 60, False),
    ("final_exam", "Final Exam (proctored)", 120, True),
)
#: Learner numbers with attempts: subsection, status, ready to resume. Learner 4's proctoring session
#: failed and is not ready to resume (the dashboard offers "Resume"); learner 6's is.
EXAM_ATTEMPTS = {
    1: (("midterm_exam", "submitted", False), ("final_exam", "verified", False)),
    2: (("midterm_exam", "submitted", False), ("final_exam", "submitted", False)),
    3: (("midterm_exam", "started", False),),
    4: (("final_exam", "error", False),),
    5: (("midterm_exam", "ready_to_submit", False), ("final_exam", "rejected", False)),
    6: (("final_exam", "error", True),),
    7: (("final_exam", "started", False),),
}
#: Learner numbers holding an allowance: subsection, allowance type, value.
EXAM_ALLOWANCES = {
    2: ("midterm_exam", "additional_time_granted", "30"),
    5: ("final_exam", "time_multiplier", "1.5"),
    9: ("final_exam", "review_policy_exception", "Screen reader in use"),
}


def seed_special_exams(course: Course, learner_ids: dict[int, int], learners: int) -> int:
    """
    A timed midterm and a proctored final on their subsections, the attempts of ``EXAM_ATTEMPTS`` and the
    allowances of ``EXAM_ALLOWANCES`` for the learners that exist; returns how many attempts were written.
    """
    course_key = course.course_key
    SpecialExam.objects.filter(course_key=course_key).delete()
    keys = {block_id: course_key.make_usage_key("sequential", block_id) for block_id, *_ in SPECIAL_EXAMS}
    due = dict(Block.objects.filter(course=course, usage_key__in=keys.values()).values_list("usage_key", "due"))
    SpecialExam.objects.bulk_create(
        SpecialExam(
            course_key=course_key,
            content_id=keys[block_id],
            exam_name=name,
            time_limit_mins=minutes,
            is_proctored=proctored,
            due_date=due.get(keys[block_id]),
            backend=course.proctoring_provider if proctored else "",
        )
        for block_id, name, minutes, proctored in SPECIAL_EXAMS
    )
    exams = {exam.content_id.block_id: exam for exam in SpecialExam.objects.filter(course_key=course_key)}
    started = timezone.now() - timedelta(days=2)
    attempts = [
        ExamAttempt(
            exam=exams[block_id],
            user_id=learner_ids[number],
            status=status,
            started_at=started + timedelta(hours=number),
            completed_at=None if status in ("started", "error") else started + timedelta(hours=number, minutes=50),
            allowed_time_limit_mins=exams[block_id].time_limit_mins,
            ready_to_resume=ready,
        )
        for number, rows in EXAM_ATTEMPTS.items()
        if number <= learners
        for block_id, status, ready in rows
    ]
    ExamAttempt.objects.bulk_create(attempts)
    ExamAllowance.objects.bulk_create(
        ExamAllowance(exam=exams[block_id], user_id=learner_ids[number], key=key, value=value)
        for number, (block_id, key, value) in EXAM_ALLOWANCES.items()
        if number <= learners
    )
    return len(attempts)


#: Learner numbers granted a certificate exception, with the instructor's notes: an audit learner and a
#: verified one without a certificate, an audit learner holding one.
CERTIFICATE_EXCEPTIONS = {
    1: "Medical leave during the final exam",
    3: "Completed the work offline",
    8: "Appeal granted",
}
#: Learner numbers whose (verified) certificate is invalidated, with the reason.
CERTIFICATE_INVALIDATIONS = {18: "Plagiarised the final project", 27: "Shared exam answers"}


def seed_certificate_cases(course_key: CourseKey, actor_id: int, learner_ids: dict[int, int], learners: int) -> None:
    """A few certificate exceptions with notes, two invalidations and a generation-history entry."""
    CertificateAllowlistEntry.objects.filter(course_key=course_key).delete()
    CertificateGenerationRun.objects.filter(course_key=course_key).delete()
    CertificateGenerationRun.objects.create(
        course_key=course_key, generated_by_id=actor_id, is_regeneration=False, candidates="All learners"
    )
    CertificateAllowlistEntry.objects.bulk_create(
        CertificateAllowlistEntry(
            course_key=course_key, user_id=learner_ids[number], notes=notes, created_by_id=actor_id
        )
        for number, notes in CERTIFICATE_EXCEPTIONS.items()
        if number <= learners
    )
    invalidated = {
        learner_ids[number]: notes for number, notes in CERTIFICATE_INVALIDATIONS.items() if number <= learners
    }
    certificates = GeneratedCertificate.objects.filter(course_key=course_key, user_id__in=list(invalidated))
    CertificateInvalidation.objects.bulk_create(
        CertificateInvalidation(
            certificate=certificate, invalidated_by_id=actor_id, notes=invalidated[certificate.user_id]
        )
        for certificate in certificates
    )
    certificates.update(status="unavailable")


#: The demo course's cohorts; learner ``n`` is in ``DEMO_COHORTS[n % 2]``.
DEMO_COHORTS = ("Blue Team", "Red Team")
#: Learners who opted out of the course's email (bulk email skips them).
OPTED_OUT_LEARNERS = (3,)


def seed_cohorts(course_key: CourseKey, learner_ids: dict[int, int], learners: int) -> None:
    """Split the learners between two cohorts, and opt a learner out of course email."""
    cohorts = Cohort.objects.bulk_create(Cohort(course_key=course_key, name=name) for name in DEMO_COHORTS)
    cohort_ids = [cohort.pk for cohort in cohorts]
    if None in cohort_ids:
        cohort_ids = [Cohort.objects.get(course_key=course_key, name=name).pk for name in DEMO_COHORTS]
    course = str(course_key)
    insert_rows(
        CohortMembership,
        ("cohort", "user", "course_key", "username"),
        (
            # With the username given, the username trigger has nothing to write.
            (cohort_ids[number % 2], learner_ids[number], course, f"{LEARNER_PREFIX}{number}")
            for number in range(1, learners + 1)
        ),
    )
    CourseEmailOptout.objects.bulk_create(
        CourseEmailOptout(user_id=learner_ids[number], course_key=course_key)
        for number in OPTED_OUT_LEARNERS
        if number <= learners
    )


#: The demo course's survey: each of the first learners answers its fields (the survey report's columns).
SURVEY_FORM = "welcome_survey"
SURVEY_LEARNERS = 5
SURVEY_ANSWERS = {"goal": ("Career change", "Curiosity", "Degree credit"), "experience": ("None", "Some", "A lot")}


def seed_survey_answers(course_key: CourseKey, learner_ids: dict[int, int], learners: int) -> None:
    """The first learners' answers to the course's welcome survey."""
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            user_id=learner_ids[number],
            course_key=course_key,
            form_name=SURVEY_FORM,
            field_name=field_name,
            field_value=choices[number % len(choices)],
        )
        for number in range(1, min(learners, SURVEY_LEARNERS) + 1)
        for field_name, choices in SURVEY_ANSWERS.items()
    )


#: The demo cohort that takes learners at random (the other is filled by staff).
RANDOM_DEMO_COHORT = "Red Team"


def turn_cohorts_on(course_key: CourseKey) -> None:
    """Cohorts on for the course, with one random cohort, as the cohorts API and the MFE's Cohorts tab show them."""
    CohortSettings.objects.update_or_create(course_key=course_key, defaults={"is_cohorted": True})
    Cohort.objects.filter(course_key=course_key, name=RANDOM_DEMO_COHORT).update(assignment_type="random")


#: The demo course's cohort user partition and its content groups (id, name).
DEMO_CONTENT_GROUP_PARTITION = 50
DEMO_CONTENT_GROUPS = ((1, "Core Track"), (2, "Advanced Track"))


def seed_content_groups(course_key: CourseKey) -> None:
    """Two content groups in the demo course, for the Cohorts tab's content-group picker."""
    ContentGroup.objects.bulk_create(
        ContentGroup(course_key=course_key, partition_id=DEMO_CONTENT_GROUP_PARTITION, group_id=group_id, name=name)
        for group_id, name in DEMO_CONTENT_GROUPS
    )


def invite_pending_emails(course_key: CourseKey) -> None:
    """Allow a few emails without an account to enroll, as an instructor inviting them would."""
    CourseEnrollmentAllowed.objects.bulk_create(
        CourseEnrollmentAllowed(email=email, course_key=course_key, auto_enroll=auto_enroll)
        for email, auto_enroll in PENDING_INVITATIONS
    )


def enable_api_v2() -> None:
    """Turn on the waffle flag that serves the Instructor API v2, for everyone."""
    Flag.objects.update_or_create(name=API_V2_FLAG_NAME, defaults={"everyone": True})


# --- Gradebook: masters learners, subsection grade overrides with history, the gradebook flag ---

#: Learners enrolled in the ``masters`` track (``learner11`` ... ``learner20``: the first ten hold the
#: certificate cases, whose statuses follow their modes).
MASTERS_LEARNERS = range(11, 21)
#: Learners whose first homework grade the instructor overrode, then corrected.
OVERRIDDEN_LEARNERS = (1, 2)
WRITABLE_GRADEBOOK_FLAG_NAME = "grades.writable_gradebook"


def seed_gradebook(course: Course, actor_id: int, learner_ids: dict[int, int], learners: int) -> None:
    """Move the first learners to the ``masters`` track, override a homework grade twice, open the gradebook."""
    course_key = course.course_key
    SubsectionGradeOverride.objects.filter(course_key=course_key).delete()
    CourseMode.objects.get_or_create(course=course, slug="masters", defaults={"display_name": "Master's"})
    masters = [learner_ids[number] for number in MASTERS_LEARNERS if number <= learners]
    CourseEnrollment.objects.filter(course_key=course_key, user_id__in=masters).update(mode="masters")
    homework = (
        Block.objects.filter(course=course, graded=True, assignment_type="Homework", has_score=False)
        .order_by("position")
        .first()
    )
    service = BuiltinGradebookService()
    for number in OVERRIDDEN_LEARNERS:
        if homework is None or number > learners:
            continue
        grade = service.get_subsection_grade(course_key, homework.usage_key, learner_ids[number])
        possible = grade.possible_graded or 1.0
        for earned, reason in ((possible / 2, "Late submission accepted"), (possible, "Regraded after appeal")):
            service.override_subsection_grade(
                course_key,
                homework.usage_key,
                learner_ids[number],
                {"earned_graded_override": earned, "possible_graded_override": possible},
                reason,
                "GRADEBOOK",
                actor_id,
            )
    Flag.objects.update_or_create(name=WRITABLE_GRADEBOOK_FLAG_NAME, defaults={"everyone": True})


def seed_enrollment_api_courses() -> None:
    """Rebuild the invitation-only course and the course whose enrollment has ended, with the demo modes."""
    for course_id, name in (
        (INVITE_ONLY_COURSE_ID, "Open edX Demo Course (invitation only)"),
        (CLOSED_COURSE_ID, "Open edX Demo Course (enrollment closed)"),
    ):
        course_key = CourseKey.from_string(course_id)
        clear_course(course_key)
        course = create_course(course_key)
        course.display_name = name
        if course_id == INVITE_ONLY_COURSE_ID:
            course.invitation_only = True
            seed_entrance_exam(course)
        else:
            course.enrollment_end = timezone.now() - timedelta(days=7)
        course.save(update_fields=["display_name", "invitation_only", "enrollment_end"])


#: The section of the invitation-only course that is its entrance exam, and the share of its points that passes.
ENTRANCE_EXAM_BLOCK_ID = "entrance_exam"
ENTRANCE_EXAM_MINIMUM_SCORE_PCT = 0.65


def seed_entrance_exam(course: Course) -> None:
    """Give the course an outline whose first section is its entrance exam (three questions), and require it."""
    outline = BlockSpec(
        "course",
        "course",
        course.display_name,
        children=(
            _chapter(
                ENTRANCE_EXAM_BLOCK_ID,
                "Entrance Exam",
                _subsection(
                    "entrance_exam_questions",
                    "Entrance Exam",
                    _unit("entrance_exam_unit", "Questions", *_questions("entrance", 3, max_attempts=2)),
                ),
            ),
            _chapter(
                "introduction",
                "Introduction",
                _subsection("welcome", "Welcome", _unit("overview", "Course overview", _html("welcome"))),
            ),
        ),
    )
    create_blocks(course, outline)
    EntranceExam.objects.create(
        course=course,
        usage_key=course.course_key.make_usage_key("chapter", ENTRANCE_EXAM_BLOCK_ID),
        minimum_score_pct=ENTRANCE_EXAM_MINIMUM_SCORE_PCT,
    )


# --- Programs: the demo program and its learners' program enrollments (issue 12) ---

DEMO_PROGRAM_UUID = "6f1e7a4c-2b1d-4c57-9a53-0d3e2f1b7c10"
DEMO_CURRICULUM_UUID = "1c0b9e2a-4d8f-4f61-8a2e-5b7c3d9e0f21"
DEMO_PROGRAM_ORG = "OpenedX"
#: Learners enrolled in the demo program, each under the external key ``ext-learner<n>``.
PROGRAM_LEARNERS = range(1, 11)


def seed_demo_program(course_key: CourseKey, learner_ids: dict[int, int], learners: int) -> None:
    """
    Rebuild ``Demo Program``, whose curriculum holds the demo course, with ``learner1`` ... ``learner10``
    enrolled in it and in the course under ``ext-learner1`` ... (their accounts linked).

    Their course enrollments keep their modes: these learners hold the certificate cases, whose
    statuses follow their modes (the masters learners are ``learner11`` ... ``learner20``). A
    program-course enrollment written through the API converts audit and honor to masters.
    """
    Program.objects.filter(uuid=DEMO_PROGRAM_UUID).delete()
    program = Program.objects.create(
        uuid=DEMO_PROGRAM_UUID,
        title="Demo Program",
        marketing_slug="demo-program",
        program_type="masters",
        org=DEMO_PROGRAM_ORG,
    )
    curriculum = Curriculum.objects.create(program=program, uuid=DEMO_CURRICULUM_UUID, name="Demo Curriculum")
    CurriculumCourse.objects.create(curriculum=curriculum, course_key=course_key)
    numbers = [number for number in PROGRAM_LEARNERS if number <= learners]
    keys = {number: f"ext-learner{number}" for number in numbers}
    ExternalUserKey.objects.filter(org=DEMO_PROGRAM_ORG, key_lower__in=keys.values()).delete()
    ExternalUserKey.objects.bulk_create(
        ExternalUserKey(org=DEMO_PROGRAM_ORG, external_user_key=key, key_lower=key, user_id=learner_ids[number])
        for number, key in keys.items()
    )
    ProgramEnrollment.objects.bulk_create(
        ProgramEnrollment(
            program=program,
            curriculum=curriculum,
            user_id=learner_ids[number],
            external_user_key=key,
            key_lower=key,
            status="enrolled",
        )
        for number, key in keys.items()
    )
    enrollments = list(ProgramEnrollment.objects.filter(program=program).order_by("id"))
    ProgramCourseEnrollment.objects.bulk_create(
        ProgramCourseEnrollment(program_enrollment=enrollment, course_key=course_key, status="active")
        for enrollment in enrollments
    )
    course_enrollments = list(
        ProgramCourseEnrollment.objects.filter(program_enrollment__program=program).select_related("program_enrollment")
    )
    now = timezone.now()
    ProgramEnrollmentHistory.objects.bulk_create(
        [
            *(
                ProgramEnrollmentHistory(
                    program_enrollment=e, status=e.status, user_id=e.user_id, history_type="+", history_date=now
                )
                for e in enrollments
            ),
            *(
                ProgramEnrollmentHistory(
                    program_course_enrollment=e,
                    status=e.status,
                    user_id=e.program_enrollment.user_id,
                    history_type="+",
                    history_date=now,
                )
                for e in course_enrollments
            ),
        ]
    )
