"""
The backend contract: what the plugin relies on from a backend's services, as pytest tests.

A backend runs the suite by subclassing :class:`BackendContract` (or only the capability
classes it implements) and providing the fixtures ``backend`` (a
:class:`~instructor_plugin.backends.registry.Backend`) and ``world`` (a :class:`World` writing
into that backend's storage); the package's docstring shows how.

The classes here have no ``Test`` prefix, so pytest collects them only through a subclass.
Tests call the backend's services directly; the :class:`World` builds what the services
cannot create themselves (courses, blocks, users, roles) and reads back what they do not
report (the manual-enrollment audit, delivered mail).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from opaque_keys.edx.keys import CourseKey, UsageKey

from instructor_plugin.backends.data import (
    AllowedEnrollmentData,
    CertificateFilter,
    CourseAccessData,
    CourseModeDetails,
    CursorRequest,
    EnrollmentAttributeData,
    EnrollmentCursor,
    EnrollmentData,
    EnrollmentFilter,
    EnrollmentSearch,
    EntranceExamData,
    ExamListQuery,
    GradebookFilter,
    MailMessage,
    ManualEnrollmentAuditData,
    NewProgramCourseEnrollment,
    NewProgramEnrollment,
    OpenResponseCountsData,
    OpenResponseSummaryData,
    PageRequest,
    TeamFilter,
    UserData,
    UserRoleData,
)
from instructor_plugin.backends.exceptions import (
    AmbiguousIdentifier,
    BlockNotFound,
    CourseNotFound,
    DueDateNotLater,
    EnterpriseLinkFailed,
    ExamNotFound,
    NoDueDate,
    StateNotFound,
    UserNotFound,
)

COURSE = CourseKey.from_string("course-v1:ContractX+C101+2026")
#: Another course of the same org.
SIBLING = CourseKey.from_string("course-v1:ContractX+C202+2026")
#: A course of another org.
FOREIGN = CourseKey.from_string("course-v1:ElsewhereX+C101+2026")
ROOT = COURSE.make_usage_key("course", "course")
EVERYONE = PageRequest(offset=0, limit=100)
NO_FILTER = EnrollmentFilter()
ALL_TEAM_ROLES = TeamFilter(
    course_roles=("staff", "limited_staff", "instructor", "beta", "data_researcher", "ccx_coach"),
    forum_roles=("Administrator", "Moderator", "Group Moderator", "Community TA"),
)


@dataclass(frozen=True)
class AttachedFile:
    """A file a :class:`World` attaches to an open response; ``content`` ``None`` lists it without storing it."""

    name: str
    description: str
    content: bytes | None


@dataclass(frozen=True)
class SentMail:
    """A delivered message, as the :class:`World` observed it."""

    recipients: tuple[str, ...]
    subject: str


class World(ABC):
    """Writes test data into a backend's own storage, and reads back what the services don't expose."""

    @abstractmethod
    def make_course(
        self,
        course_key: CourseKey,
        *,
        display_name: str = "Contract Course",
        modes: Sequence[str] = ("audit", "verified"),
        start: datetime | None = None,
        end: datetime | None = None,
        self_paced: bool = False,
        grade_cutoffs: Mapping[str, float] | None = None,
    ) -> None:
        """Create a course offering ``modes`` (in order) and its root block, ``make_usage_key("course", "course")``."""

    @abstractmethod
    def make_block(
        self,
        course_key: CourseKey,
        usage_key: UsageKey,
        parent: UsageKey | None,
        *,
        display_name: str = "",
        due: datetime | None = None,
    ) -> None:
        """Add a block under ``parent`` (``None``: an orphan); blocks are made in tree order."""

    @abstractmethod
    def make_user(
        self,
        username: str,
        email: str,
        full_name: str,
        *,
        is_staff: bool = False,
        is_active: bool = True,
        language: str | None = None,
    ) -> int:
        """Create a user and return their id."""

    @abstractmethod
    def grant(self, course_key: CourseKey, user_id: int, role: str, *, org_level: bool = False) -> None:
        """Give a course role in the course, or (``org_level``) in every course of its org."""

    @abstractmethod
    def grant_forum(self, course_key: CourseKey, user_id: int, role: str) -> None:
        """Give a discussion-forum role in the course."""

    @abstractmethod
    def manual_enrollment_audits(self, course_key: CourseKey) -> Sequence[ManualEnrollmentAuditData]:
        """The course's manual-enrollment audit, oldest first."""

    @abstractmethod
    def sent_mail(self) -> Sequence[SentMail]:
        """Every message delivered during the test, in order."""

    @abstractmethod
    def configure_site(self, values: Mapping[str, object], org_values: Mapping[str, Mapping[str, object]]) -> None:
        """Set site configuration values, and per-org values that take precedence for their org."""

    # --- Needed only by the contracts of some capabilities: the enrollment API, embargo, enterprise,
    # retirement, completion and special exams. A world implements those of the contracts it runs. ---

    def set_mode_details(self, course_key: CourseKey, details: CourseModeDetails) -> None:
        """Give the course's existing mode ``details.slug`` these name, prices, expiry, description and SKUs."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.set_mode_details")

    def set_profile_country(self, user_id: int, country: str) -> None:
        """Record the user's country (ISO 3166-1 alpha-2) in their profile."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.set_profile_country")

    def restrict_course(
        self, course_key: CourseKey, message_key: str, blocked: Sequence[str] = (), allowed: Sequence[str] = ()
    ) -> None:
        """Make the course restricted: ``blocked`` countries may not enroll; if ``allowed``, only those may."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.restrict_course")

    def make_enterprise_learner(self, enterprise_customer_uuid: str, user_id: int) -> None:
        """Make the user a learner of the enterprise customer."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_enterprise_learner")

    def enterprise_course_enrollments(self) -> Sequence[tuple[str, int, CourseKey, bool]]:
        """Every enterprise course enrollment: ``(customer uuid, user id, course key, consent granted)``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.enterprise_course_enrollments")

    def request_retirement(self, user_id: int, original_username: str, state: str) -> None:
        """Record the user's retirement request, in the retirement pipeline's state ``state``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.request_retirement")

    def completion(self, user_id: int, usage_key: UsageKey) -> float | None:
        """The learner's recorded completion of the block, if any."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.completion")

    def make_exam(
        self,
        course_key: CourseKey,
        name: str,
        *,
        is_proctored: bool = True,
        is_practice_exam: bool = False,
        backend: str | None = None,
    ) -> int:
        """Create an active 60-minute special exam named ``name`` on the subsection ``name``; return its id."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_exam")

    def make_exam_attempt(self, exam_id: int, user_id: int, status: str, started_at: datetime) -> None:
        """Record a learner's attempt at the exam."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_exam_attempt")

    def make_entrance_exam(self, course_key: CourseKey, usage_key: UsageKey, minimum_score_pct: float) -> None:
        """Make the section ``usage_key`` (made with :meth:`make_block`) the course's entrance exam."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_entrance_exam")

    def make_problem_state(
        self,
        course_key: CourseKey,
        usage_key: UsageKey,
        user_id: int,
        *,
        attempts: int,
        score: float | None,
        max_score: float | None,
        state: Mapping[str, object],
    ) -> None:
        """Record the learner's state on a problem: ``attempts`` and ``state`` (saved answers), the score."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_problem_state")

    def make_graded_subsection(
        self, course_key: CourseKey, usage_key: UsageKey, parent: UsageKey, *, assignment_type: str, possible: float
    ) -> None:
        """Add a graded subsection of ``assignment_type`` worth ``possible`` points (one scored problem)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_graded_subsection")

    def make_subsection_score(self, course_key: CourseKey, usage_key: UsageKey, user_id: int, earned: float) -> None:
        """Record that the learner attempted the graded subsection and earned ``earned`` of its points."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_subsection_score")

    def set_course_grade(self, course_key: CourseKey, user_id: int, percent: float, letter_grade: str) -> None:
        """Persist the learner's course grade (``percent`` 0..1; passed when ``letter_grade`` is not empty)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.set_course_grade")

    def make_certificate(self, course_key: CourseKey, user_id: int, status: str, mode: str) -> None:
        """Record a generated certificate of the learner in the course."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_certificate")

    def make_content_groups(self, course_key: CourseKey, partition_id: int, groups: Mapping[int, str]) -> None:
        """Give the course a cohort user partition ``partition_id`` with these content groups (id -> name)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_content_groups")

    def make_program(
        self,
        uuid: str,
        title: str,
        org: str,
        curricula: Mapping[str, Sequence[CourseKey]],
        *,
        program_type: str = "Masters",
    ) -> None:
        """Put a program of the organisation in the catalog, with active curricula (uuid -> course runs)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_program")

    def make_identity_provider(self, org: str) -> None:
        """Give the organisation what records its learners' external user keys (Open edX: a SAML provider)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_identity_provider")

    def make_open_response_block(
        self,
        course_key: CourseKey,
        usage_key: UsageKey,
        parent: UsageKey | None,
        *,
        display_name: str = "",
        staff_step: bool = False,
    ) -> None:
        """Add an open-response assessment (an ``openassessment`` block) under ``parent`` (``None``: an orphan)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_open_response_block")

    def make_open_response(
        self,
        course_key: CourseKey,
        usage_key: UsageKey,
        user_id: int,
        *,
        status: str,
        submitted_at: datetime,
        answer_text: str = "",
        files: Sequence[AttachedFile] = (),
        points: tuple[int, int] | None = None,
    ) -> str:
        """
        Record a learner's response to the assessment, at workflow step ``status``, with its files and
        (``points``: earned, possible) its score; return its submission uuid.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement World.make_open_response")


def block(name: str, block_type: str = "chapter", course_key: CourseKey = COURSE) -> UsageKey:
    return course_key.make_usage_key(block_type, name)


class CourseContract:
    """``courses``: course records and the content tree."""

    @pytest.fixture
    def tree(self, world):
        """root > week1 > hw1 > problem1 and ora1, root > week2, and an orphan ORA."""
        world.make_course(COURSE)
        world.make_block(COURSE, block("week1"), ROOT, display_name="Week 1")
        world.make_block(COURSE, block("hw1", "sequential"), block("week1"), display_name="Homework 1")
        world.make_block(COURSE, block("problem1", "problem"), block("hw1", "sequential"), display_name="Problem 1")
        world.make_block(COURSE, block("ora1", "openassessment"), block("hw1", "sequential"))
        world.make_block(COURSE, block("week2"), ROOT, display_name="Week 2")
        world.make_block(COURSE, block("lost", "openassessment"), None)

    def test_get_course(self, backend, world):
        start, end = datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 6, 30, tzinfo=UTC)
        world.make_course(
            COURSE, display_name="Contracts 101", start=start, end=end, self_paced=True, grade_cutoffs={"Pass": 0.5}
        )

        course = backend.courses.get_course(COURSE)

        assert course.course_key == COURSE
        assert course.display_name == "Contracts 101"
        assert (course.start, course.end) == (start, end)
        assert course.self_paced is True
        assert dict(course.grade_cutoffs) == {"Pass": 0.5}

    def test_unknown_course(self, backend, world):
        world.make_course(SIBLING)

        with pytest.raises(CourseNotFound):
            backend.courses.get_course(COURSE)

    def test_get_block(self, backend, tree):
        found = backend.courses.get_block(COURSE, block("hw1", "sequential"))

        assert found.usage_key == block("hw1", "sequential")
        assert found.block_type == "sequential"
        assert found.display_name == "Homework 1"
        assert found.parent_key == block("week1")

    def test_get_block_with_a_due_date(self, backend, world):
        due = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
        world.make_course(COURSE)
        world.make_block(COURSE, block("exam", "sequential"), ROOT, due=due)

        assert backend.courses.get_block(COURSE, block("exam", "sequential")).due == due

    def test_block_not_found(self, backend, tree, world):
        world.make_course(SIBLING)
        world.make_block(SIBLING, block("elsewhere", course_key=SIBLING), SIBLING.make_usage_key("course", "course"))

        with pytest.raises(BlockNotFound):
            backend.courses.get_block(COURSE, block("missing"))
        with pytest.raises(BlockNotFound):
            backend.courses.get_block(COURSE, block("elsewhere", course_key=SIBLING))

    def test_get_ancestors_root_first(self, backend, tree):
        ancestors = backend.courses.get_ancestors(COURSE, block("problem1", "problem"))

        assert [a.usage_key for a in ancestors] == [ROOT, block("week1"), block("hw1", "sequential")]
        assert [a.display_name for a in ancestors][1:] == ["Week 1", "Homework 1"]
        assert list(backend.courses.get_ancestors(COURSE, ROOT)) == []

    def test_get_ancestors_of_an_unknown_block(self, backend, tree):
        with pytest.raises(BlockNotFound):
            backend.courses.get_ancestors(COURSE, block("missing"))

    def test_get_blocks_in_tree_order(self, backend, tree):
        keys = [b.usage_key for b in backend.courses.get_blocks(COURSE, ["chapter", "problem"])]

        assert keys == [block("week1"), block("problem1", "problem"), block("week2")]

    def test_count_children(self, backend, tree):
        assert backend.courses.count_children(COURSE) == 2
        assert backend.courses.count_children(COURSE, block("hw1", "sequential")) == 2
        assert backend.courses.count_children(COURSE, block("week2")) == 0

    def test_has_blocks_of_type_ignores_orphans(self, backend, world):
        world.make_course(COURSE)
        world.make_block(COURSE, block("lost", "openassessment"), None)

        assert backend.courses.has_blocks_of_type(COURSE, "openassessment") is False

        world.make_block(COURSE, block("ora1", "openassessment"), ROOT)

        assert backend.courses.has_blocks_of_type(COURSE, "openassessment") is True
        assert backend.courses.has_blocks_of_type(COURSE, "problem") is False

    def test_has_blocks_of_type_per_course(self, backend, tree, world):
        world.make_course(SIBLING)

        assert backend.courses.has_blocks_of_type(SIBLING, "openassessment") is False

    def test_update_course_settings(self, backend, world):
        world.make_course(COURSE)

        updated = backend.courses.update_course_settings(
            COURSE, enable_proctored_exams=True, proctoring_escalation_email="help@example.com"
        )

        assert (updated.enable_proctored_exams, updated.proctoring_escalation_email) == (True, "help@example.com")
        reread = backend.courses.get_course(COURSE)
        assert (reread.enable_proctored_exams, reread.proctoring_escalation_email) == (True, "help@example.com")


class UserContract:
    """``users``: lookups by id, username and email."""

    def test_get_user(self, backend, world):
        user_id = world.make_user("ada", "ada@example.com", "Ada Lovelace", is_staff=True, language="fr")

        assert backend.users.get_user(user_id) == UserData(
            id=user_id,
            username="ada",
            email="ada@example.com",
            full_name="Ada Lovelace",
            is_active=True,
            is_staff=True,
            language="fr",
        )

    def test_inactive_user_without_language(self, backend, world):
        user_id = world.make_user("sleeper", "sleeper@example.com", "Sleeper", is_active=False)

        user = backend.users.get_user(user_id)

        assert (user.is_active, user.is_staff, user.language) == (False, False, None)

    def test_get_unknown_user(self, backend, world):
        user_id = world.make_user("ada", "ada@example.com", "Ada")

        with pytest.raises(UserNotFound):
            backend.users.get_user(user_id + 1000)

    @pytest.mark.parametrize("identifier", ["ada", "ada@example.com", "ADA@Example.COM"])
    def test_find_user(self, backend, world, identifier):
        user_id = world.make_user("ada", "ada@example.com", "Ada")
        world.make_user("bob", "bob@example.com", "Bob")

        assert backend.users.find_user(identifier).id == user_id

    @pytest.mark.parametrize("identifier", ["carol", "carol@example.com", "ada@"])
    def test_find_unknown_user(self, backend, world, identifier):
        world.make_user("ada", "ada@example.com", "Ada")

        with pytest.raises(UserNotFound):
            backend.users.find_user(identifier)

    def test_find_ambiguous_user(self, backend, world):
        world.make_user("shared@example.com", "first@example.com", "First")
        world.make_user("second", "Shared@Example.com", "Second")

        with pytest.raises(AmbiguousIdentifier):
            backend.users.find_user("shared@example.com")

    def test_find_user_by_email(self, backend, world):
        user_id = world.make_user("ada", "Ada@Example.com", "Ada")

        assert backend.users.find_user_by_email("ada@example.COM").id == user_id
        assert backend.users.find_user_by_email("ada") is None
        assert backend.users.find_user_by_email("nobody@example.com") is None

    def test_get_users(self, backend, world):
        ada = world.make_user("ada", "ada@example.com", "Ada Lovelace", language="fr")
        bob = world.make_user("bob", "bob@example.com", "Bob")

        users = backend.users.get_users([ada, bob, bob + 1000])

        assert set(users) == {ada, bob}
        assert users[ada] == backend.users.get_user(ada)

    def test_anonymous_ids_are_stable_distinct_and_per_course(self, backend, world):
        ada = world.make_user("ada", "ada@example.com", "Ada")
        bob = world.make_user("bob", "bob@example.com", "Bob")

        here = backend.users.anonymous_ids(COURSE, [ada, bob])
        there = backend.users.anonymous_ids(SIBLING, [ada])

        assert here == backend.users.anonymous_ids(COURSE, [bob, ada])
        assert here[ada].anonymous_user_id == there[ada].anonymous_user_id
        assert here[ada].course_anonymous_user_id != there[ada].course_anonymous_user_id
        assert len({here[ada].anonymous_user_id, here[bob].anonymous_user_id, here[ada].course_anonymous_user_id}) == 3


class EnrollmentContract:
    """``enrollments``: enrollments, modes, allowed-to-enroll entries and the audit."""

    @pytest.fixture
    def people(self, backend, world) -> dict[str, int]:
        """
        Active in COURSE: ann (audit), bob (verified, beta), carol (verified, staff), dan (audit, instructor).

        eve unenrolled from COURSE; frank enrolled in SIBLING only, where ann is staff and beta.
        """
        world.make_course(COURSE)
        world.make_course(SIBLING)
        ids = {
            "ann": world.make_user("ann", "ann@example.com", "Ann Archer"),
            "bob": world.make_user("bob", "bob@uni.example", "Robert Brown"),
            "carol": world.make_user("carol", "carol@example.com", "Carol Clark"),
            "dan": world.make_user("dan", "dan@example.com", "Dan Dunn"),
            "eve": world.make_user("eve", "eve@example.com", "Eve Evans"),
            "frank": world.make_user("frank", "frank@example.com", "Frank Fox"),
        }
        for name, mode in (("ann", "audit"), ("bob", "verified"), ("carol", "verified"), ("dan", "audit")):
            backend.enrollments.enroll(COURSE, ids[name], mode)
        backend.enrollments.enroll(COURSE, ids["eve"], "audit")
        backend.enrollments.unenroll(COURSE, ids["eve"])
        backend.enrollments.enroll(SIBLING, ids["frank"], "audit")
        world.grant(COURSE, ids["bob"], "beta")
        world.grant(COURSE, ids["carol"], "staff")
        world.grant(COURSE, ids["dan"], "instructor")
        world.grant(SIBLING, ids["ann"], "staff")
        world.grant(SIBLING, ids["ann"], "beta")
        return ids

    @staticmethod
    def listed(backend, filters: EnrollmentFilter = NO_FILTER) -> list[str]:
        return [row.user.username for row in backend.enrollments.list_enrollments(COURSE, filters, EVERYONE).items]

    def test_enroll(self, backend, world):
        world.make_course(COURSE)
        user_id = world.make_user("ann", "ann@example.com", "Ann")

        enrollment = backend.enrollments.enroll(COURSE, user_id)

        assert (enrollment.user_id, enrollment.course_key, enrollment.is_active) == (user_id, COURSE, True)
        assert enrollment.mode
        assert backend.enrollments.get_enrollment(COURSE, user_id) == enrollment

    def test_enrollment_lifecycle_keeps_the_mode(self, backend, world):
        world.make_course(COURSE)
        user_id = world.make_user("ann", "ann@example.com", "Ann")

        backend.enrollments.enroll(COURSE, user_id, "verified")
        kept = backend.enrollments.enroll(COURSE, user_id)
        unenrolled = backend.enrollments.unenroll(COURSE, user_id)
        reactivated = backend.enrollments.enroll(COURSE, user_id)
        switched = backend.enrollments.enroll(COURSE, user_id, "audit")

        assert (kept.mode, kept.is_active) == ("verified", True)
        assert unenrolled == EnrollmentData(user_id=user_id, course_key=COURSE, mode="verified", is_active=False)
        assert (reactivated.mode, reactivated.is_active) == ("verified", True)
        assert (switched.mode, switched.is_active) == ("audit", True)
        assert backend.enrollments.get_enrollment(COURSE, user_id) == switched

    def test_no_enrollment(self, backend, people):
        assert backend.enrollments.get_enrollment(COURSE, people["frank"]) is None
        assert backend.enrollments.unenroll(COURSE, people["frank"]) is None
        assert backend.enrollments.get_enrollment(SIBLING, people["frank"]).is_active is True

    def test_unenrolled_record_is_kept(self, backend, people):
        assert backend.enrollments.get_enrollment(COURSE, people["eve"]) == EnrollmentData(
            user_id=people["eve"], course_key=COURSE, mode="audit", is_active=False
        )

    def test_list_active_enrollments_by_username(self, backend, people):
        page = backend.enrollments.list_enrollments(COURSE, NO_FILTER, EVERYONE)

        assert page.total == 4
        assert [row.user.username for row in page.items] == ["ann", "bob", "carol", "dan"]
        rows = {row.user.username: row for row in page.items}
        assert (rows["bob"].mode, rows["bob"].is_beta_tester) == ("verified", True)
        assert (rows["ann"].mode, rows["ann"].is_beta_tester) == ("audit", False)
        assert rows["bob"].user == UserData(
            id=people["bob"], username="bob", email="bob@uni.example", full_name="Robert Brown"
        )

    @pytest.mark.parametrize(
        ("search", "expected"),
        [("ANN", ["ann"]), ("uni.example", ["bob"]), ("robert", ["bob"]), ("clark", ["carol"]), ("zzz", [])],
    )
    def test_search(self, backend, people, search, expected):
        assert self.listed(backend, EnrollmentFilter(search=search)) == expected

    def test_beta_tester_filter(self, backend, people):
        assert self.listed(backend, EnrollmentFilter(is_beta_tester=True)) == ["bob"]
        assert sorted(self.listed(backend, EnrollmentFilter(is_beta_tester=False))) == ["ann", "carol", "dan"]

    def test_paging(self, backend, people):
        everyone = self.listed(backend)

        page = backend.enrollments.list_enrollments(COURSE, NO_FILTER, PageRequest(offset=1, limit=2))
        filtered = backend.enrollments.list_enrollments(
            COURSE, EnrollmentFilter(is_beta_tester=False), PageRequest(offset=2, limit=2)
        )

        assert page.total == 4
        assert [row.user.username for row in page.items] == everyone[1:3]
        assert filtered.total == 3
        assert len(filtered.items) == 1

    def test_count_by_mode(self, backend, people):
        counts = backend.enrollments.count_by_mode(COURSE)

        assert {mode: n for mode, n in counts.items() if n} == {"audit": 2, "verified": 2}

    def test_count_learners_excludes_staff_and_instructors(self, backend, people, world):
        world.grant(COURSE, people["ann"], "data_researcher")

        assert backend.enrollments.count_learners(COURSE) == 2

        world.grant(COURSE, people["ann"], "ccx_coach")

        assert backend.enrollments.count_learners(COURSE) == 1

    @pytest.mark.parametrize(("limit", "expected"), [(None, 4), (10, 4), (4, 4), (2, 2)])
    def test_count_active(self, backend, people, limit, expected):
        assert backend.enrollments.count_active(COURSE, limit=limit) == expected

    def test_list_modes(self, backend, world):
        world.make_course(COURSE, modes=("verified", "audit", "honor"))

        assert [mode.slug for mode in backend.enrollments.list_modes(COURSE)] == ["verified", "audit", "honor"]

    def test_allowed_to_enroll(self, backend, world):
        world.make_course(COURSE)
        world.make_course(SIBLING)

        created = backend.enrollments.allow(COURSE, "New.Person@Example.com", auto_enroll=True)
        backend.enrollments.allow(SIBLING, "new.person@example.com", auto_enroll=False)

        assert isinstance(created, AllowedEnrollmentData)
        assert (created.course_key, created.auto_enroll) == (COURSE, True)
        assert created.email.lower() == "new.person@example.com"
        assert backend.enrollments.get_allowed(COURSE, "NEW.person@example.COM").auto_enroll is True
        assert backend.enrollments.get_allowed(COURSE, "someone.else@example.com") is None

    def test_allow_again_updates(self, backend, world):
        world.make_course(COURSE)
        backend.enrollments.allow(COURSE, "new@example.com", auto_enroll=True)

        backend.enrollments.allow(COURSE, "NEW@example.com", auto_enroll=False)

        assert backend.enrollments.get_allowed(COURSE, "new@example.com").auto_enroll is False

    def test_disallow(self, backend, world):
        world.make_course(COURSE)
        world.make_course(SIBLING)
        backend.enrollments.allow(COURSE, "new@example.com", auto_enroll=False)
        backend.enrollments.allow(SIBLING, "new@example.com", auto_enroll=False)

        backend.enrollments.disallow(COURSE, "New@Example.com")
        backend.enrollments.disallow(COURSE, "never@example.com")

        assert backend.enrollments.get_allowed(COURSE, "new@example.com") is None
        assert backend.enrollments.get_allowed(SIBLING, "new@example.com") is not None

    def test_iter_learner_profiles_by_user_id(self, backend, people):
        profiles = list(backend.enrollments.iter_learner_profiles(COURSE))

        expected = sorted(people[name] for name in ("ann", "bob", "carol", "dan"))
        assert [profile.id for profile in profiles] == expected
        ann = next(profile for profile in profiles if profile.id == people["ann"])
        assert (ann.username, ann.email, ann.name, ann.enrollment_mode) == (
            "ann", "ann@example.com", "Ann Archer", "audit",
        )  # fmt: skip

    def test_iter_enrolled_user_ids(self, backend, people):
        expected = sorted(people[name] for name in ("ann", "bob", "carol", "dan"))

        assert list(backend.enrollments.iter_enrolled_user_ids(COURSE)) == expected

    def test_iter_pending_enrollment_emails(self, backend, people):
        backend.enrollments.allow(COURSE, "new@example.com", auto_enroll=False)
        backend.enrollments.allow(COURSE, "ann@example.com", auto_enroll=False)
        backend.enrollments.allow(COURSE, "eve@example.com", auto_enroll=False)
        backend.enrollments.allow(SIBLING, "other@example.com", auto_enroll=False)

        pending = list(backend.enrollments.iter_pending_enrollment_emails(COURSE))

        assert pending == ["eve@example.com", "new@example.com"]

    def test_pending_enrollment_emails_match_ignoring_case_without_wildcards(self, backend, people, world):
        backend.enrollments.enroll(COURSE, world.make_user("axb", "axb@example.com", "Axb"), "audit")
        backend.enrollments.enroll(COURSE, world.make_user("mixed", "mixed@example.com", "Mixed"), "audit")
        backend.enrollments.allow(COURSE, "a_b@example.com", auto_enroll=False)
        backend.enrollments.allow(COURSE, "%@example.com", auto_enroll=False)
        backend.enrollments.allow(COURSE, "MIXED@Example.com", auto_enroll=False)

        pending = sorted(backend.enrollments.iter_pending_enrollment_emails(COURSE))

        assert pending == sorted(["%@example.com", "a_b@example.com"])

    def test_iter_inactive_enrolled_emails(self, backend, people, world):
        sleeper = world.make_user("sleeper", "sleeper@example.com", "Sleeper", is_active=False)
        insomniac = world.make_user("insomniac", "insomniac@example.com", "Insomniac", is_active=False)
        world.make_user("dreamer", "dreamer@example.com", "Dreamer", is_active=False)
        backend.enrollments.enroll(COURSE, insomniac, "audit")
        backend.enrollments.enroll(COURSE, sleeper, "audit")

        emails = list(backend.enrollments.iter_inactive_enrolled_emails(COURSE))

        assert emails == ["sleeper@example.com", "insomniac@example.com"]

    def test_enroll_many_keeps_modes_and_reactivates(self, backend, people, world):
        newcomer = world.make_user("gina", "gina@example.com", "Gina Gray")

        enrolled = backend.enrollments.enroll_many(COURSE, [people["bob"], people["eve"], newcomer])

        assert set(enrolled) == {people["bob"], people["eve"], newcomer}
        assert (enrolled[people["bob"]].mode, enrolled[people["bob"]].is_active) == ("verified", True)
        assert (enrolled[people["eve"]].mode, enrolled[people["eve"]].is_active) == ("audit", True)
        assert enrolled[newcomer].is_active is True
        for user_id, enrollment in enrolled.items():
            assert backend.enrollments.get_enrollment(COURSE, user_id) == enrollment
        assert backend.enrollments.get_enrollment(SIBLING, newcomer) is None

    def test_unenroll_many(self, backend, people):
        unenrolled = backend.enrollments.unenroll_many(COURSE, [people["ann"], people["eve"], people["frank"]])

        assert set(unenrolled) == {people["ann"], people["eve"]}
        assert unenrolled[people["ann"]] == EnrollmentData(
            user_id=people["ann"], course_key=COURSE, mode="audit", is_active=False
        )
        assert backend.enrollments.get_enrollment(COURSE, people["ann"]).is_active is False
        assert backend.enrollments.get_enrollment(SIBLING, people["frank"]).is_active is True

    def test_allow_many_and_disallow_many(self, backend, world):
        world.make_course(COURSE)
        world.make_course(SIBLING)
        backend.enrollments.allow(COURSE, "old@example.com", auto_enroll=False)
        backend.enrollments.allow(SIBLING, "new@example.com", auto_enroll=False)

        allowed = backend.enrollments.allow_many(COURSE, ["Old@Example.com", " new@example.com"], auto_enroll=True)

        assert sorted(allowed) == ["new@example.com", "old@example.com"]
        assert all(entry.auto_enroll and entry.course_key == COURSE for entry in allowed.values())
        assert backend.enrollments.get_allowed(COURSE, "old@example.com").auto_enroll is True
        backend.enrollments.disallow_many(COURSE, ["OLD@example.com", "new@example.com", "never@example.com"])
        assert backend.enrollments.get_allowed(COURSE, "old@example.com") is None
        assert backend.enrollments.get_allowed(COURSE, "new@example.com") is None
        assert backend.enrollments.get_allowed(SIBLING, "new@example.com").auto_enroll is False

    def test_record_manual_enrollments_in_order(self, backend, world):
        world.make_course(COURSE)
        records = [
            ManualEnrollmentAuditData(
                enrolled_by_id=None,
                enrolled_email=f"person{n}@example.com",
                course_key=COURSE,
                state_transition="from unenrolled to allowed to enroll",
                reason="batch",
            )
            for n in range(3)
        ]

        backend.enrollments.record_manual_enrollments(records)

        stored = world.manual_enrollment_audits(COURSE)
        assert [(a.enrolled_email, a.state_transition, a.reason) for a in stored] == [
            (r.enrolled_email, r.state_transition, r.reason) for r in records
        ]

    def test_record_manual_enrollment(self, backend, world):
        world.make_course(COURSE)
        staff_id = world.make_user("staff", "staff@example.com", "Staff")
        records = [
            ManualEnrollmentAuditData(
                enrolled_by_id=staff_id,
                enrolled_email="ann@example.com",
                course_key=COURSE,
                state_transition="from unenrolled to enrolled",
                reason="<b>late</b> registration",
            ),
            ManualEnrollmentAuditData(
                enrolled_by_id=None,
                enrolled_email="new@example.com",
                course_key=COURSE,
                state_transition="from unenrolled to allowed to enroll",
                reason="",
            ),
        ]

        for record in records:
            backend.enrollments.record_manual_enrollment(record)

        stored = world.manual_enrollment_audits(COURSE)
        assert [(a.enrolled_by_id, a.enrolled_email, a.course_key, a.state_transition, a.reason) for a in stored] == [
            (r.enrolled_by_id, r.enrolled_email, r.course_key, r.state_transition, r.reason) for r in records
        ]
        assert world.manual_enrollment_audits(SIBLING) == []


class EnrollmentApiContract:
    """``enrollments``, ``users`` and ``roles``: what the enrollment API (seed 002, issue 11) adds to them."""

    @pytest.fixture
    def api_people(self, backend, world) -> dict[str, int]:
        """ann: audit in COURSE, then verified in SIBLING; bob: audit in COURSE, unenrolled from SIBLING."""
        world.make_course(COURSE)
        world.make_course(SIBLING)
        ids = {
            "ann": world.make_user("ann", "ann@example.com", "Ann Archer"),
            "bob": world.make_user("bob", "bob@uni.example", "Robert Brown"),
        }
        backend.enrollments.enroll(COURSE, ids["ann"], "audit")
        backend.enrollments.enroll(SIBLING, ids["ann"], "verified")
        backend.enrollments.enroll(COURSE, ids["bob"], "audit")
        backend.enrollments.enroll(SIBLING, ids["bob"], "audit")
        backend.enrollments.unenroll(SIBLING, ids["bob"])
        return ids

    def test_update_enrollment(self, backend, api_people):
        enrollments = backend.enrollments

        moved = enrollments.update_enrollment(COURSE, api_people["ann"], mode="verified")
        deactivated = enrollments.update_enrollment(COURSE, api_people["ann"], is_active=False)

        assert (moved.mode, moved.is_active) == ("verified", True)
        assert deactivated == EnrollmentData(
            user_id=api_people["ann"], course_key=COURSE, mode="verified", is_active=False
        )
        assert enrollments.get_enrollment(COURSE, api_people["ann"]) == deactivated
        assert enrollments.update_enrollment(FOREIGN, api_people["ann"], mode="audit") is None

    def test_list_user_enrollments_oldest_first(self, backend, api_people):
        active = backend.enrollments.list_user_enrollments(api_people["bob"])
        everything = backend.enrollments.list_user_enrollments(api_people["bob"], include_inactive=True)

        assert [(e.course_key, e.is_active) for e in active] == [(COURSE, True)]
        assert [(e.course_key, e.is_active) for e in everything] == [(COURSE, True), (SIBLING, False)]
        assert [e.mode for e in backend.enrollments.list_user_enrollments(api_people["ann"])] == ["audit", "verified"]

    def test_unenroll_all(self, backend, api_people):
        left = backend.enrollments.unenroll_all(api_people["ann"])

        assert sorted(map(str, left)) == sorted([str(COURSE), str(SIBLING)])
        assert backend.enrollments.list_user_enrollments(api_people["ann"]) == []
        assert backend.enrollments.unenroll_all(api_people["ann"]) == []
        assert backend.enrollments.get_enrollment(COURSE, api_people["bob"]).is_active is True

    def test_list_mode_details_hides_expired_modes_unless_asked(self, backend, world):
        world.make_course(COURSE, modes=("audit", "verified", "honor"))
        verified = CourseModeDetails(
            slug="verified",
            name="Verified Certificate",
            min_price=49,
            suggested_prices="49,99",
            currency="eur",
            expiration_datetime=datetime(2999, 1, 1, tzinfo=UTC),
            description="A certificate.",
            sku="SKU-1",
            bulk_sku="BULK-1",
        )
        world.set_mode_details(COURSE, verified)
        world.set_mode_details(
            COURSE, CourseModeDetails(slug="honor", name="Honor", expiration_datetime=datetime(2001, 1, 1, tzinfo=UTC))
        )

        current = backend.enrollments.list_mode_details(COURSE)
        every = backend.enrollments.list_mode_details(COURSE, include_expired=True)

        assert [mode.slug for mode in current] == ["audit", "verified"]
        assert current[1] == verified
        assert [mode.slug for mode in every] == ["audit", "verified", "honor"]
        assert backend.enrollments.list_mode_details(FOREIGN) == []

    def test_enrollment_attributes(self, backend, api_people):
        enrollments = backend.enrollments
        provider = EnrollmentAttributeData("credit", "provider_id", "hogwarts")

        enrollments.set_enrollment_attributes(COURSE, api_people["ann"], [provider])
        enrollments.set_enrollment_attributes(
            COURSE, api_people["ann"], [EnrollmentAttributeData("credit", "provider_id", "beauxbatons")]
        )
        enrollments.set_enrollment_attributes(FOREIGN, api_people["ann"], [provider])

        assert list(enrollments.get_enrollment_attributes(COURSE, api_people["ann"])) == [
            EnrollmentAttributeData("credit", "provider_id", "beauxbatons")
        ]
        assert list(enrollments.get_enrollment_attributes(SIBLING, api_people["ann"])) == []
        assert list(enrollments.get_enrollment_attributes(FOREIGN, api_people["ann"])) == []

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            (EnrollmentSearch(), {("ann", COURSE), ("ann", SIBLING), ("bob", COURSE), ("bob", SIBLING)}),
            (EnrollmentSearch(course_key=SIBLING), {("ann", SIBLING), ("bob", SIBLING)}),
            (EnrollmentSearch(course_id_contains=["c202"]), {("ann", SIBLING), ("bob", SIBLING)}),
            (EnrollmentSearch(usernames=["bob"]), {("bob", COURSE), ("bob", SIBLING)}),
            (EnrollmentSearch(emails=["ann@example.com"], course_key=COURSE), {("ann", COURSE)}),
            (EnrollmentSearch(usernames=["nobody"]), set()),
        ],
    )
    def test_search_enrollments_filters(self, backend, api_people, filters, expected):
        rows = backend.enrollments.search_enrollments(filters, None, 100)

        assert {(row.username, row.enrollment.course_key) for row in rows} == expected

    def test_search_enrollments_pages_newest_first_by_cursor(self, backend, api_people):
        search = backend.enrollments.search_enrollments
        everything = search(EnrollmentSearch(), None, 100)
        first = search(EnrollmentSearch(), None, 2)
        last_of_first = first[-1]
        rest = search(EnrollmentSearch(), EnrollmentCursor(last_of_first.enrollment.created, last_of_first.id), 100)
        before = search(
            EnrollmentSearch(), EnrollmentCursor(rest[0].enrollment.created, rest[0].id, backwards=True), 100
        )

        assert [row.id for row in first] + [row.id for row in rest] == [row.id for row in everything]
        assert [row.id for row in before] == [row.id for row in first]
        keys = [(row.enrollment.created, row.id) for row in everything]
        assert keys == sorted(keys, reverse=True)

    def test_list_allowed_by_email(self, backend, api_people):
        backend.enrollments.allow(SIBLING, "New@Example.com", auto_enroll=True)
        backend.enrollments.allow(COURSE, "new@example.com", auto_enroll=False)

        rows = backend.enrollments.list_allowed_by_email("NEW@example.com")

        assert [(row.course_key, row.auto_enroll) for row in rows] == [(SIBLING, True), (COURSE, False)]
        assert backend.enrollments.list_allowed_by_email("other@example.com") == []

    def test_org_preferences_and_year_of_birth(self, backend, api_people):
        users = backend.users

        users.set_org_preference(api_people["ann"], "ContractX", "email-optin", "True")
        users.set_org_preference(api_people["ann"], "ContractX", "email-optin", "False")

        assert users.get_org_preference(api_people["ann"], "ContractX", "email-optin") == "False"
        assert users.get_org_preference(api_people["ann"], "ElsewhereX", "email-optin") is None
        assert users.get_org_preference(api_people["bob"], "ContractX", "email-optin") is None
        assert users.get_year_of_birth(api_people["ann"]) is None

    def test_list_user_roles(self, backend, api_people, world):
        world.grant(COURSE, api_people["ann"], "staff")
        world.grant(SIBLING, api_people["ann"], "instructor", org_level=True)

        roles = set(backend.roles.list_user_roles(api_people["ann"]))

        assert roles == {
            UserRoleData(org="ContractX", course_key=COURSE, role="staff"),
            UserRoleData(org="ContractX", course_key=None, role="instructor"),
        }
        assert list(backend.roles.list_user_roles(api_people["bob"])) == []


class EmbargoContract:
    """``embargo``: which countries may enroll in restricted courses."""

    @pytest.fixture
    def country_learner(self, world) -> int:
        world.make_course(COURSE)
        world.make_course(SIBLING)
        return world.make_user("ann", "ann@example.com", "Ann")

    def test_a_course_not_restricted_blocks_nobody(self, backend, country_learner, world):
        world.set_profile_country(country_learner, "IR")

        assert backend.embargo.get_blocked_message_key(COURSE, country_learner, ["IR"]) is None

    def test_blocked_countries_by_profile_or_given(self, backend, country_learner, world):
        world.restrict_course(COURSE, "embargo", blocked=["IR", "CU"])

        assert backend.embargo.get_blocked_message_key(COURSE, country_learner, []) is None
        assert backend.embargo.get_blocked_message_key(COURSE, country_learner, ["cu"]) == "embargo"
        assert backend.embargo.get_blocked_message_key(COURSE, None, ["FR", "IR"]) == "embargo"
        assert backend.embargo.get_blocked_message_key(COURSE, country_learner, ["", "FR"]) is None
        world.set_profile_country(country_learner, "IR")
        assert backend.embargo.get_blocked_message_key(COURSE, country_learner, ["FR"]) == "embargo"
        assert backend.embargo.get_blocked_message_key(SIBLING, country_learner, ["IR"]) is None

    def test_an_allowed_list_admits_only_its_countries(self, backend, country_learner, world):
        world.restrict_course(COURSE, "default", allowed=["FR", "DE"])

        assert backend.embargo.get_blocked_message_key(COURSE, country_learner, ["FR"]) is None
        assert backend.embargo.get_blocked_message_key(COURSE, country_learner, ["FR", "US"]) == "default"


class EnterpriseContract:
    """``enterprise``: enterprise course enrollments and consent."""

    CUSTOMER = "5a7c2b1e-9d3f-4e6a-8b2c-1f0e9d8c7b6a"
    OTHER = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"

    @pytest.fixture
    def enterprise_learner(self, world) -> int:
        world.make_course(COURSE)
        return world.make_user("ann", "ann@example.com", "Ann")

    def test_link_and_consent(self, backend, enterprise_learner, world):
        world.make_enterprise_learner(self.CUSTOMER, enterprise_learner)

        backend.enterprise.create_enterprise_course_enrollment(enterprise_learner, COURSE)
        backend.enterprise.create_enterprise_course_enrollment(enterprise_learner, COURSE)
        assert list(world.enterprise_course_enrollments()) == [(self.CUSTOMER, enterprise_learner, COURSE, False)]
        backend.enterprise.provide_consent(enterprise_learner, COURSE, self.CUSTOMER)

        assert list(world.enterprise_course_enrollments()) == [(self.CUSTOMER, enterprise_learner, COURSE, True)]

    def test_a_user_of_no_customer_cannot_be_linked(self, backend, enterprise_learner, world):
        with pytest.raises(EnterpriseLinkFailed):
            backend.enterprise.create_enterprise_course_enrollment(enterprise_learner, COURSE)
        world.make_enterprise_learner(self.CUSTOMER, enterprise_learner)
        for customer in (self.OTHER, "not-a-uuid"):
            with pytest.raises(EnterpriseLinkFailed):
                backend.enterprise.provide_consent(enterprise_learner, COURSE, customer)
        assert list(world.enterprise_course_enrollments()) == []


class RetirementContract:
    """``retirement``: users' retirement requests."""

    def test_the_state_by_exact_original_username(self, backend, world):
        user_id = world.make_user("ann", "ann@example.com", "Ann")
        world.make_user("bob", "bob@example.com", "Bob")
        world.request_retirement(user_id, "ann", "RETIRING_ENROLLMENTS")

        assert backend.retirement.get_retirement_state("ann") == "RETIRING_ENROLLMENTS"
        assert backend.retirement.get_retirement_state("ANN") is None
        assert backend.retirement.get_retirement_state("bob") is None


class RoleContract:
    """``roles``: course, org-level and forum roles, and the course team list."""

    @pytest.fixture
    def team(self, world) -> dict[str, int]:
        """In COURSE: Zoe staff + Moderator, amy instructor, bea beta; elsewhere: sid staff of SIBLING only."""
        world.make_course(COURSE)
        world.make_course(SIBLING)
        ids = {
            "Zoe": world.make_user("Zoe", "zoe@example.com", "Zoe Z"),
            "amy": world.make_user("amy", "amy@team.example", "Amy Adams"),
            "bea": world.make_user("bea", "bea@example.com", "Bea"),
            "sid": world.make_user("sid", "sid@example.com", "Sid"),
        }
        world.grant(COURSE, ids["Zoe"], "staff")
        world.grant_forum(COURSE, ids["Zoe"], "Moderator")
        world.grant(COURSE, ids["amy"], "instructor")
        world.grant(COURSE, ids["bea"], "beta")
        world.grant(SIBLING, ids["sid"], "staff")
        world.grant_forum(SIBLING, ids["sid"], "Administrator")
        return ids

    @staticmethod
    def members(backend, filters: TeamFilter) -> dict[str, set[str]]:
        listed = backend.roles.list_team(COURSE, filters, EVERYONE).items
        return {m.user.username: {*m.course_roles, *m.forum_roles} for m in listed}

    def test_get_access(self, backend, world):
        world.make_course(COURSE)
        user_id = world.make_user("ann", "ann@example.com", "Ann")
        world.grant(COURSE, user_id, "staff")
        world.grant(COURSE, user_id, "instructor", org_level=True)
        world.grant_forum(COURSE, user_id, "Administrator")
        world.grant(SIBLING, user_id, "beta")
        world.grant_forum(SIBLING, user_id, "Moderator")
        world.grant(FOREIGN, user_id, "data_researcher", org_level=True)

        assert backend.roles.get_access(COURSE, user_id) == CourseAccessData(
            user_id=user_id,
            course_roles=frozenset({"staff"}),
            org_roles=frozenset({"instructor"}),
            forum_roles=frozenset({"Administrator"}),
        )

    def test_no_access(self, backend, team):
        assert backend.roles.get_access(COURSE, team["sid"]) == CourseAccessData(user_id=team["sid"])

    def test_course_roles_are_idempotent(self, backend, team):
        backend.roles.add_course_role(COURSE, team["bea"], "staff")
        backend.roles.add_course_role(COURSE, team["bea"], "staff")

        assert backend.roles.get_access(COURSE, team["bea"]).course_roles == {"beta", "staff"}
        assert self.members(backend, TeamFilter(course_roles=("staff",))) == {"bea": {"staff"}, "Zoe": {"staff"}}

        backend.roles.remove_course_role(COURSE, team["bea"], "staff")
        backend.roles.remove_course_role(COURSE, team["bea"], "staff")

        assert backend.roles.get_access(COURSE, team["bea"]).course_roles == {"beta"}

    def test_removing_a_course_role_leaves_other_courses(self, backend, team):
        backend.roles.add_course_role(COURSE, team["sid"], "staff")

        backend.roles.remove_course_role(COURSE, team["sid"], "staff")

        assert backend.roles.get_access(SIBLING, team["sid"]).course_roles == {"staff"}

    def test_forum_roles_are_idempotent(self, backend, team):
        backend.roles.add_forum_role(COURSE, team["bea"], "Community TA")
        backend.roles.add_forum_role(COURSE, team["bea"], "Community TA")

        assert backend.roles.get_access(COURSE, team["bea"]).forum_roles == {"Community TA"}
        assert self.members(backend, TeamFilter(forum_roles=("Community TA",))) == {"bea": {"Community TA"}}

        backend.roles.remove_forum_role(COURSE, team["bea"], "Community TA")
        backend.roles.remove_forum_role(COURSE, team["bea"], "Community TA")
        backend.roles.remove_forum_role(COURSE, team["sid"], "Administrator")

        assert backend.roles.get_access(COURSE, team["bea"]).forum_roles == frozenset()
        assert backend.roles.get_access(SIBLING, team["sid"]).forum_roles == {"Administrator"}

    def test_list_team(self, backend, team):
        page = backend.roles.list_team(COURSE, ALL_TEAM_ROLES, EVERYONE)

        assert page.total == 3
        assert [m.user.username for m in page.items] == ["amy", "bea", "Zoe"]
        zoe = page.items[2]
        assert zoe.user == UserData(id=team["Zoe"], username="Zoe", email="zoe@example.com", full_name="Zoe Z")
        assert (set(zoe.course_roles), set(zoe.forum_roles)) == ({"staff"}, {"Moderator"})

    def test_list_team_by_role(self, backend, team):
        assert self.members(backend, TeamFilter(course_roles=("staff", "beta"))) == {"bea": {"beta"}, "Zoe": {"staff"}}
        assert self.members(backend, TeamFilter(forum_roles=("Moderator",))) == {"Zoe": {"Moderator"}}
        assert self.members(backend, TeamFilter(forum_roles=("Administrator",))) == {}

    @pytest.mark.parametrize(("search", "expected"), [("ZO", ["Zoe"]), ("team.example", ["amy"]), ("nobody", [])])
    def test_list_team_search(self, backend, team, search, expected):
        page = backend.roles.list_team(COURSE, TeamFilter(ALL_TEAM_ROLES.course_roles, (), search), EVERYONE)

        assert [m.user.username for m in page.items] == expected
        assert page.total == len(expected)

    def test_list_team_paging(self, backend, team):
        page = backend.roles.list_team(COURSE, ALL_TEAM_ROLES, PageRequest(offset=1, limit=1))

        assert page.total == 3
        assert [m.user.username for m in page.items] == ["bea"]


class CertificateContract:
    """``certificates``: the course's generation switch, the list, exceptions, invalidations and history."""

    def test_generation_switch(self, backend, world):
        world.make_course(COURSE)
        world.make_course(SIBLING)

        backend.certificates.set_generation_enabled(COURSE, False)

        assert backend.certificates.is_generation_enabled(COURSE) is False

        backend.certificates.set_generation_enabled(COURSE, True)
        backend.certificates.set_generation_enabled(SIBLING, False)

        assert backend.certificates.is_generation_enabled(COURSE) is True
        assert backend.certificates.is_generation_enabled(SIBLING) is False

    @pytest.fixture
    def certified(self, backend, world) -> dict[str, int]:
        """Ann (verified, certified), Bob (audit), Cy (verified, no certificate) and a staff member."""
        world.make_course(COURSE)
        world.make_course(SIBLING)
        people = {name: world.make_user(name, f"{name}@example.com", name.title()) for name in ("ann", "bob", "cy")}
        people["staff"] = world.make_user("staff", "staff@example.com", "Staff", is_staff=True)
        for name, mode in (("ann", "verified"), ("bob", "audit"), ("cy", "verified")):
            backend.enrollments.enroll(COURSE, people[name], mode)
        world.make_certificate(COURSE, people["ann"], "downloadable", "verified")
        world.make_certificate(COURSE, people["bob"], "audit_passing", "audit")
        world.make_certificate(SIBLING, people["cy"], "downloadable", "verified")
        return people

    def issued(self, backend, status_filter="all", search=None, page=EVERYONE):
        page = backend.certificates.list_certificates(COURSE, CertificateFilter(status_filter, search), page)
        return page.total, [(c.user.username, c.status, c.mode, c.enrollment_track) for c in page.items]

    def test_list_filtered_searched_and_paged(self, backend, certified):
        assert self.issued(backend) == (
            2,
            [("ann", "downloadable", "verified", "verified"), ("bob", "audit_passing", "audit", "audit")],
        )
        assert self.issued(backend, "received") == (1, [("ann", "downloadable", "verified", "verified")])
        assert self.issued(backend, "audit_passing")[1] == [("bob", "audit_passing", "audit", "audit")]
        assert self.issued(backend, "not_received") == (0, [])
        assert self.issued(backend, search="BOB@") == (1, [("bob", "audit_passing", "audit", "audit")])
        assert self.issued(backend, page=PageRequest(offset=1, limit=1)) == (
            2,
            [("bob", "audit_passing", "audit", "audit")],
        )
        assert backend.certificates.count_issued_by_mode(COURSE) == {"verified": 1}

    def test_exceptions(self, backend, certified):
        ann, bob, cy = certified["ann"], certified["bob"], certified["cy"]

        backend.certificates.add_exceptions(COURSE, {ann: "late", cy: "illness"}, certified["staff"])
        backend.certificates.add_exceptions(COURSE, {cy: "again"}, certified["staff"])

        page = backend.certificates.list_certificates(COURSE, CertificateFilter("granted_exceptions"), EVERYONE)
        assert [(c.user.username, c.status, c.exception_notes) for c in page.items] == [
            ("ann", "downloadable", "late"),
            ("cy", "downloadable", "illness"),
        ]
        assert all(c.exception_granted is not None for c in page.items)
        assert backend.certificates.select_candidates(COURSE, [], "allowlisted") == [ann, cy]
        assert backend.certificates.select_candidates(COURSE, [], "allowlisted_not_generated") == [cy]
        assert backend.certificates.select_candidates(COURSE, ["audit_passing"], "all") == [bob]
        assert backend.certificates.select_candidates(COURSE, [], "all") == [ann, bob, cy]
        found = backend.certificates.find_learners(COURSE, ["ann", "CY@example.com", "nobody"])
        assert [(s.user.id, s.enrolled, s.allowlisted, s.certificate_status) for s in found["ann"]] == [
            (ann, True, True, "downloadable")
        ]
        assert [(s.user.id, s.allowlisted, s.certificate_status) for s in found["CY@example.com"]] == [(cy, True, None)]
        assert found["nobody"] == []

        assert backend.certificates.remove_exception(COURSE, ann) is True
        assert backend.certificates.remove_exception(COURSE, ann) is False
        assert backend.certificates.remove_exception(SIBLING, cy) is False
        assert self.issued(backend, "not_received") == (1, [("ann", "unavailable", "verified", "verified")])
        assert backend.certificates.select_candidates(COURSE, [], "allowlisted") == [cy]

    def test_invalidations(self, backend, certified):
        ann, bob, cy, staff = certified["ann"], certified["bob"], certified["cy"], certified["staff"]

        backend.certificates.invalidate(COURSE, {ann: "copied", cy: "no certificate here"}, staff)

        page = backend.certificates.list_certificates(COURSE, CertificateFilter("invalidated"), EVERYONE)
        assert [(c.user.id, c.status, c.invalidated_by, c.invalidation_note) for c in page.items] == [
            (ann, "unavailable", "staff@example.com", "copied")
        ]
        assert page.items[0].invalidation_date is not None
        assert [s.invalidated for s in backend.certificates.find_learners(COURSE, ["ann"])["ann"]] == [True]
        assert backend.certificates.remove_invalidation(COURSE, bob) is False
        assert backend.certificates.remove_invalidation(SIBLING, ann) is False

        assert backend.certificates.remove_invalidation(COURSE, ann) is True

        assert backend.certificates.remove_invalidation(COURSE, ann) is False
        assert backend.certificates.list_certificates(COURSE, CertificateFilter("invalidated"), EVERYONE).total == 0
        assert [s.invalidated for s in backend.certificates.find_learners(COURSE, ["ann"])["ann"]] == [False]

    def test_generation_history_newest_first(self, backend, certified):
        staff = certified["staff"]
        first, second, elsewhere = (str(uuid4()) for _ in range(3))
        backend.certificates.record_generation_run(COURSE, staff, False, "All learners", first)
        backend.certificates.record_generation_run(COURSE, staff, True, "Learners with status: error", second)
        backend.certificates.record_generation_run(SIBLING, staff, False, "All learners", elsewhere)

        page = backend.certificates.list_generation_history(COURSE, PageRequest(offset=0, limit=1))

        assert page.total == 2
        assert [(r.is_regeneration, r.candidates, r.generated_by_id, r.task_id) for r in page.items] == [
            (True, "Learners with status: error", staff, second)
        ]


class CohortContract:
    """``cohorts``: settings, cohorts, their members, preassigned emails and content groups."""

    @pytest.fixture
    def cohorted(self, backend, world) -> dict[str, int]:
        """Cohorts "Blue" and "Red" in COURSE, "Green" in SIBLING; Ann, Bob and Cy enrolled in COURSE."""
        world.make_course(COURSE)
        world.make_course(SIBLING)
        ids = {name: world.make_user(name, f"{name}@example.com", name.title()) for name in ("ann", "bob", "cy")}
        for name in ("ann", "bob", "cy"):
            backend.enrollments.enroll(COURSE, ids[name], "audit")
        backend.cohorts.set_cohorted(COURSE, True)
        ids["red"] = backend.cohorts.create_cohort(COURSE, "Red", "random").id
        ids["blue"] = backend.cohorts.create_cohort(COURSE, "Blue", "manual").id
        ids["green"] = backend.cohorts.create_cohort(SIBLING, "Green", "manual").id
        return ids

    def test_settings(self, backend, world):
        world.make_course(COURSE)

        assert backend.cohorts.get_settings(COURSE).is_cohorted is False

        settings = backend.cohorts.set_cohorted(COURSE, True)

        assert settings.is_cohorted is True
        assert backend.cohorts.get_settings(COURSE) == settings
        assert backend.cohorts.is_cohorted(COURSE) is True

    def test_cohorts_found_paged_and_kept_per_course(self, backend, cohorted):
        red = backend.cohorts.get_cohort(COURSE, cohorted["red"])
        assert (red.name, red.assignment_type, red.user_count, red.group_id) == ("Red", "random", 0, None)
        assert backend.cohorts.find_cohort(COURSE, "Blue").id == cohorted["blue"]
        assert backend.cohorts.find_cohort(COURSE, "Green") is None
        assert backend.cohorts.get_cohort(COURSE, cohorted["green"]) is None
        assert [c.name for c in backend.cohorts.list_cohorts(COURSE)] == ["Blue", "Red"]
        page = backend.cohorts.list_cohorts_page(COURSE, True, PageRequest(offset=0, limit=1))
        assert (page.total, [c.name for c in page.items]) == (2, ["Red"])
        assert [c.name for c in backend.cohorts.list_cohorts_page(COURSE, False, EVERYONE).items] == ["Blue", "Red"]

    def test_members_added_and_preassignments_popped_in_sets(self, backend, cohorted):
        ann, bob = cohorted["ann"], cohorted["bob"]
        backend.cohorts.preassign_email(COURSE, cohorted["red"], "New@Example.com")
        backend.cohorts.preassign_email(COURSE, cohorted["blue"], "other@example.com")
        backend.cohorts.preassign_email(SIBLING, cohorted["green"], "new@example.com")

        assert backend.cohorts.pop_preassignments(COURSE, ["new@example.com", "nobody@example.com"]) == {
            "new@example.com": cohorted["red"]
        }
        assert backend.cohorts.pop_preassignments(COURSE, ["NEW@example.com"]) == {}
        assert backend.cohorts.pop_preassignment(COURSE, "other@example.com") == cohorted["blue"]
        assert backend.cohorts.pop_preassignment(SIBLING, "new@example.com") == cohorted["green"]

        backend.cohorts.add_members(COURSE, {ann: cohorted["red"], bob: cohorted["blue"]})

        assert backend.cohorts.get_cohort_names(COURSE, [ann, bob]) == {ann: "Red", bob: "Blue"}
        assert {c.name: c.user_count for c in backend.cohorts.list_cohorts(COURSE)} == {"Blue": 1, "Red": 1}

    def test_report_rows_carry_each_learners_cohort(self, backend, cohorted):
        backend.cohorts.add_members(COURSE, {cohorted["ann"]: cohorted["red"], cohorted["cy"]: cohorted["blue"]})

        rows = backend.enrollments.iter_learner_profile_rows(COURSE, ["username", "cohort", "email"])

        assert [[cell or "" for cell in row] for row in rows] == [
            ["ann", "Red", "ann@example.com"],
            ["bob", "", "bob@example.com"],
            ["cy", "Blue", "cy@example.com"],
        ]

    def test_members_move_between_cohorts(self, backend, cohorted):
        ann, bob, cy = cohorted["ann"], cohorted["bob"], cohorted["cy"]

        assert backend.cohorts.assign_member(COURSE, cohorted["red"], ann).previous_cohort is None
        backend.cohorts.assign_member(COURSE, cohorted["red"], bob)
        backend.cohorts.assign_member(COURSE, cohorted["red"], cy)
        assert backend.cohorts.assign_member(COURSE, cohorted["blue"], cy).previous_cohort == "Red"
        backend.enrollments.unenroll(COURSE, bob)

        assert backend.cohorts.get_user_cohort(COURSE, cy).name == "Blue"
        assert backend.cohorts.get_user_cohort(SIBLING, cy) is None
        assert backend.cohorts.get_cohort_names(COURSE, [ann, bob, cy]) == {ann: "Red", bob: "Red", cy: "Blue"}
        assert backend.cohorts.get_cohort(COURSE, cohorted["red"]).user_count == 1
        assert {c.name: c.user_count for c in backend.cohorts.list_cohorts(COURSE)} == {"Blue": 1, "Red": 2}
        members = backend.cohorts.list_members(COURSE, cohorted["red"], PageRequest(offset=1, limit=5))
        assert (members.total, [u.username for u in members.items]) == (2, ["bob"])

        assert backend.cohorts.remove_member(COURSE, cohorted["red"], ann) is True
        assert backend.cohorts.remove_member(COURSE, cohorted["red"], ann) is False
        assert backend.cohorts.remove_member(COURSE, cohorted["red"], cy) is False
        assert backend.cohorts.get_user_cohort(COURSE, ann) is None

    def test_update_links_a_content_group(self, backend, cohorted, world):
        world.make_content_groups(COURSE, 50, {1: "Beginners", 2: "Experts"})

        updated = backend.cohorts.update_cohort(COURSE, cohorted["red"], "Crimson", "manual", 2, 50)

        assert (updated.name, updated.assignment_type, updated.group_id, updated.user_partition_id) == (
            "Crimson",
            "manual",
            2,
            50,
        )
        unlinked = backend.cohorts.update_cohort(COURSE, cohorted["red"], "Crimson", "random", None, None)
        assert (unlinked.assignment_type, unlinked.group_id, unlinked.user_partition_id) == ("random", None, None)
        partition = backend.cohorts.get_content_group_partition(COURSE)
        assert (partition.id, [(g.id, g.name) for g in partition.groups]) == (50, [(1, "Beginners"), (2, "Experts")])
        assert backend.cohorts.get_content_group_partition(SIBLING) is None

    def test_preassigned_emails(self, backend, cohorted):
        backend.cohorts.preassign_email(COURSE, cohorted["red"], "new@example.com")
        backend.cohorts.preassign_email(COURSE, cohorted["blue"], "New@example.com")

        assert backend.cohorts.pop_preassignment(SIBLING, "new@example.com") is None
        assert backend.cohorts.pop_preassignment(COURSE, "NEW@example.com") == cohorted["blue"]
        assert backend.cohorts.pop_preassignment(COURSE, "new@example.com") is None


class OpenResponseContract:
    """``open_responses``: response counts per assessment and for the course, and the submissions themselves."""

    UNIT1 = block("unit1", "vertical")
    UNIT2 = block("unit2", "vertical")
    ORA1 = block("ora1", "openassessment")
    ORA2 = block("ora2", "openassessment")
    ORA3 = block("ora3", "openassessment")
    LOST = block("lost", "openassessment")
    AT = datetime(2026, 3, 2, 9, tzinfo=UTC)

    @pytest.fixture
    def assessments(self, world) -> dict[str, int]:
        """
        Unit 1 holds "Essay" (ora2, with a staff step) then "Reflection" (ora1), Unit 2 "Project" (ora3),
        and "Removed" (lost) is an orphan. Responses on Essay: Ann peer, Bob staff, Cid done, Dee cancelled
        (submitted in the order Dee, Bob, Cid, Ann); on Reflection Ann waiting, on Removed Ann done; on
        SIBLING's one assessment Ann training.
        """
        world.make_course(COURSE)
        world.make_course(SIBLING)
        world.make_block(COURSE, block("week1"), ROOT, display_name="Week 1")
        world.make_block(COURSE, self.UNIT1, block("week1"), display_name="Unit 1")
        world.make_block(COURSE, self.UNIT2, block("week1"), display_name="Unit 2")
        world.make_open_response_block(COURSE, self.ORA2, self.UNIT1, display_name="Essay", staff_step=True)
        world.make_open_response_block(COURSE, self.ORA1, self.UNIT1, display_name="Reflection")
        world.make_open_response_block(COURSE, self.ORA3, self.UNIT2, display_name="Project")
        world.make_open_response_block(COURSE, self.LOST, None, display_name="Removed")
        sibling_ora = block("ora1", "openassessment", SIBLING)
        world.make_open_response_block(SIBLING, sibling_ora, SIBLING.make_usage_key("course", "course"))
        names = ("ann", "bob", "cid", "dee")
        people = {name: world.make_user(name, f"{name}@example.com", name.title()) for name in names}
        responses = [
            (self.ORA2, "ann", "peer", 3),
            (self.ORA2, "bob", "staff", 1),
            (self.ORA2, "cid", "done", 2),
            (self.ORA2, "dee", "cancelled", 0),
            (self.ORA1, "ann", "waiting", 4),
            (self.LOST, "ann", "done", 5),
        ]
        for usage_key, name, status, minute in responses:
            world.make_open_response(
                COURSE, usage_key, people[name], status=status, submitted_at=self.AT + timedelta(minutes=minute)
            )
        world.make_open_response(SIBLING, sibling_ora, people["ann"], status="training", submitted_at=self.AT)
        return people

    def test_counts_per_assessment_in_course_order(self, backend, assessments):
        page = backend.open_responses.list_counts(COURSE, EVERYONE)

        assert page.total == 3
        assert list(page.items) == [
            OpenResponseCountsData(
                usage_key=self.ORA2,
                unit_name="Unit 1",
                display_name="Essay",
                total=3,
                peer=1,
                staff=1,
                done=1,
                has_staff_step=True,
            ),
            OpenResponseCountsData(
                usage_key=self.ORA1, unit_name="Unit 1", display_name="Reflection", total=1, waiting=1
            ),
            OpenResponseCountsData(usage_key=self.ORA3, unit_name="Unit 2", display_name="Project"),
        ]

    def test_counts_paged(self, backend, assessments):
        page = backend.open_responses.list_counts(COURSE, PageRequest(offset=1, limit=1))

        assert (page.total, [item.usage_key for item in page.items]) == (3, [self.ORA1])

    @pytest.mark.parametrize(("offset", "limit", "listed"), [(2, 5, 1), (3, 5, 0), (9, 5, 0), (0, 3, 3)])
    def test_every_page_counts_every_assessment(self, backend, assessments, offset, limit, listed):
        page = backend.open_responses.list_counts(COURSE, PageRequest(offset=offset, limit=limit))

        assert (page.total, len(page.items)) == (3, listed)

    def test_summary_per_course(self, backend, assessments):
        assert backend.open_responses.summarize(COURSE) == OpenResponseSummaryData(
            assessments=3, units=2, total=4, peer=1, waiting=1, staff=1, done=1
        )
        assert backend.open_responses.summarize(SIBLING) == OpenResponseSummaryData(
            assessments=1, units=1, total=1, training=1
        )

    def test_a_course_without_assessments(self, backend, assessments):
        assert backend.open_responses.summarize(FOREIGN) == OpenResponseSummaryData()
        assert backend.open_responses.list_counts(FOREIGN, EVERYONE).total == 0
        assert list(backend.open_responses.iter_submissions(FOREIGN)) == []
        assert list(backend.open_responses.iter_submission_rows(FOREIGN)) == []

    def test_submissions_by_block_then_submission_time(self, backend, assessments):
        listed = [(s.usage_key, s.username, s.status) for s in backend.open_responses.iter_submissions(COURSE)]

        assert listed == [
            (self.LOST, "ann", "done"),
            (self.ORA1, "ann", "waiting"),
            (self.ORA2, "dee", "cancelled"),
            (self.ORA2, "bob", "staff"),
            (self.ORA2, "cid", "done"),
            (self.ORA2, "ann", "peer"),
        ]

    def test_submission_rows_in_the_order_of_the_submissions(self, backend, assessments):
        rows = backend.open_responses.iter_submission_rows(COURSE)

        assert [row[:4] for row in rows] == [
            (s.submission_uuid, str(s.usage_key), s.username, s.status)
            for s in backend.open_responses.iter_submissions(COURSE)
        ]

    def test_a_submission_row_in_full(self, backend, world):
        world.make_course(COURSE)
        world.make_block(COURSE, self.UNIT1, ROOT)
        world.make_open_response_block(COURSE, self.ORA1, self.UNIT1)
        ann = world.make_user("ann", "ann@example.com", "Ann")
        bob = world.make_user("bob", "bob@example.com", "Bob")
        files = [AttachedFile("notes.txt", "My notes", b"notes"), AttachedFile("draft.pdf", "", b"%PDF")]
        submitted_at = self.AT.replace(microsecond=120)
        graded = world.make_open_response(
            COURSE,
            self.ORA1,
            ann,
            status="done",
            submitted_at=submitted_at,
            answer_text="=1+1",
            files=files,
            points=(3, 4),
        )
        later = world.make_open_response(
            COURSE, self.ORA1, bob, status="peer", submitted_at=self.AT + timedelta(hours=1)
        )

        assert list(backend.open_responses.iter_submission_rows(COURSE)) == [
            (graded, str(self.ORA1), "ann", "done", "=1+1", "notes.txt; draft.pdf", 3.0, 4.0, submitted_at.isoformat()),
            (later, str(self.ORA1), "bob", "peer", "", "", None, None, (self.AT + timedelta(hours=1)).isoformat()),
        ]

    def test_a_submission_in_full(self, backend, world):
        world.make_course(COURSE)
        world.make_block(COURSE, self.UNIT1, ROOT)
        world.make_open_response_block(COURSE, self.ORA1, self.UNIT1)
        ann = world.make_user("ann", "ann@example.com", "Ann")
        bob = world.make_user("bob", "bob@example.com", "Bob")
        files = [AttachedFile("notes.txt", "My notes", b"notes"), AttachedFile("draft.pdf", "", b"%PDF")]
        graded = world.make_open_response(
            COURSE,
            self.ORA1,
            ann,
            status="done",
            submitted_at=self.AT,
            answer_text="My essay",
            files=files,
            points=(3, 4),
        )
        world.make_open_response(COURSE, self.ORA1, bob, status="peer", submitted_at=self.AT + timedelta(hours=1))

        first, second = backend.open_responses.iter_submissions(COURSE)

        assert (first.submission_uuid, first.usage_key, first.user_id, first.username, first.status) == (
            graded,
            self.ORA1,
            ann,
            "ann",
            "done",
        )
        assert (first.answer_text, first.points_earned, first.points_possible, first.submitted_at) == (
            "My essay",
            3.0,
            4.0,
            self.AT,
        )
        assert [(f.name, f.description) for f in first.files] == [("notes.txt", "My notes"), ("draft.pdf", "")]
        assert (second.username, second.points_earned, second.points_possible, list(second.files)) == (
            "bob",
            None,
            None,
            [],
        )

    def test_counting_takes_as_many_queries_for_many_responses(self, backend, world):
        world.make_course(COURSE)
        world.make_block(COURSE, self.UNIT1, ROOT)
        world.make_open_response_block(COURSE, self.ORA1, self.UNIT1, staff_step=True)
        world.make_open_response_block(COURSE, self.ORA2, self.UNIT1)
        learners = [world.make_user(f"learner{n}", f"learner{n}@example.com", f"Learner {n}") for n in range(10)]
        steps = ("training", "peer", "self", "waiting", "staff", "done")

        def respond(first: int, count: int) -> None:
            for n in range(first, first + count):
                world.make_open_response(
                    COURSE,
                    (self.ORA1, self.ORA2)[n % 2],
                    learners[n % len(learners)],
                    status=steps[n % len(steps)],
                    submitted_at=self.AT,
                )

        def queries() -> list[int]:
            counted = []
            for call in (
                lambda: backend.open_responses.list_counts(COURSE, EVERYONE),
                lambda: backend.open_responses.summarize(COURSE),
            ):
                with CaptureQueriesContext(connection) as captured:
                    call()
                counted.append(len(captured))
            return counted

        respond(0, 10)
        few = queries()
        respond(10, 990)

        assert queries() == few
        assert backend.open_responses.summarize(COURSE).total == 1000


class OpenResponseFileContract:
    """``open_responses.open_file``: the files learners attached to their responses."""

    def test_open_a_submission_file(self, backend, world):
        ora = block("ora1", "openassessment")
        world.make_course(COURSE)
        world.make_open_response_block(COURSE, ora, ROOT)
        ann = world.make_user("ann", "ann@example.com", "Ann")
        files = [AttachedFile("notes.txt", "", b"first notes\n"), AttachedFile("gone.txt", "", None)]
        world.make_open_response(
            COURSE, ora, ann, status="done", submitted_at=datetime(2026, 3, 2, tzinfo=UTC), files=files
        )
        [submission] = backend.open_responses.iter_submissions(COURSE)
        stored, missing = submission.files

        with backend.open_responses.open_file(COURSE, stored.path) as opened:
            assert opened.read() == b"first notes\n"
        with pytest.raises(FileNotFoundError):
            backend.open_responses.open_file(COURSE, missing.path)


class DueDateContract:
    """``due_dates``: the course's dated blocks and learners' overrides on them."""

    FIRST = datetime(2026, 2, 1, 12, tzinfo=UTC)
    LATER = datetime(2026, 2, 5, 12, tzinfo=UTC)

    @pytest.fixture
    def dated(self, backend, world) -> dict[str, int]:
        """week1 > hw1 (due FIRST) > unit > q1 (due FIRST); week1 > lesson > lesson_unit (due FIRST); ann and bob."""
        world.make_course(COURSE)
        world.make_block(COURSE, block("week1"), ROOT)
        world.make_block(COURSE, block("hw1", "sequential"), block("week1"), display_name="HW 1", due=self.FIRST)
        world.make_block(COURSE, block("unit", "vertical"), block("hw1", "sequential"))
        world.make_block(COURSE, block("q1", "problem"), block("unit", "vertical"), due=self.FIRST)
        world.make_block(COURSE, block("lesson", "sequential"), block("week1"))
        world.make_block(COURSE, block("lesson_unit", "vertical"), block("lesson", "sequential"), due=self.FIRST)
        return {
            "ann": world.make_user("ann", "ann@example.com", "Ann"),
            "bob": world.make_user("bob", "bob@example.com", "Bob"),
        }

    def test_list_dated_blocks_is_the_top_most_dated_blocks(self, backend, dated):
        keys = [b.usage_key for b in backend.due_dates.list_dated_blocks(COURSE)]

        assert keys == [block("hw1", "sequential"), block("lesson_unit", "vertical")]

    def test_an_override_moves_the_dated_descendants(self, backend, dated):
        hw1 = block("hw1", "sequential")

        moved = backend.due_dates.set_override(COURSE, hw1, dated["ann"], self.LATER, dated["bob"], "ill")

        assert set(moved) == {hw1, block("q1", "problem")}
        dates = backend.due_dates.get_learner_due_dates(COURSE, dated["ann"])
        assert (dates[hw1], dates[block("q1", "problem")]) == (self.LATER, self.LATER)
        assert backend.due_dates.get_learner_due_dates(COURSE, dated["bob"])[hw1] == self.FIRST
        row = backend.due_dates.list_overrides(COURSE, [hw1], None, EVERYONE).items[0]
        assert (row.user.username, row.due, row.original_due) == ("ann", self.LATER, self.FIRST)
        assert row.display_name == "HW 1"

    def test_an_override_must_be_later(self, backend, dated):
        with pytest.raises(DueDateNotLater):
            backend.due_dates.set_override(COURSE, block("hw1", "sequential"), dated["ann"], self.FIRST, None, "")
        with pytest.raises(NoDueDate):
            backend.due_dates.set_override(COURSE, block("lesson", "sequential"), dated["ann"], self.LATER, None, "")
        with pytest.raises(BlockNotFound):
            backend.due_dates.set_override(SIBLING, block("hw1", "sequential"), dated["ann"], self.LATER, None, "")

        assert backend.due_dates.list_overrides(COURSE, None, None, EVERYONE).total == 0

    def test_remove_override(self, backend, dated):
        hw1 = block("hw1", "sequential")
        backend.due_dates.set_override(COURSE, hw1, dated["ann"], self.LATER, None, "")

        removed = backend.due_dates.remove_override(COURSE, hw1, dated["ann"], None, "done")

        assert set(removed) == {hw1, block("q1", "problem")}
        assert backend.due_dates.list_overrides(COURSE, None, None, EVERYONE).total == 0
        assert backend.due_dates.remove_override(COURSE, hw1, dated["ann"], None, "") == []

    def test_list_overrides_searches_and_pages(self, backend, dated):
        hw1 = block("hw1", "sequential")
        for name in ("bob", "ann"):
            backend.due_dates.set_override(COURSE, hw1, dated[name], self.LATER, None, "")

        def listed(search=None, page=EVERYONE):
            return [r.user.username for r in backend.due_dates.list_overrides(COURSE, [hw1], search, page).items]

        assert listed() == ["ann", "bob"]
        assert listed("BOB@") == ["bob"]
        assert listed(page=PageRequest(offset=1, limit=1)) == ["bob"]

    def test_no_due_dates(self, backend, world):
        world.make_course(COURSE)
        world.make_block(COURSE, block("week1"), ROOT)

        assert backend.due_dates.is_enabled(COURSE) is False
        assert dict(backend.due_dates.get_due_dates(COURSE)) == {}

    def test_due_dates(self, backend, world):
        first, second = datetime(2026, 2, 1, 12, tzinfo=UTC), datetime(2026, 3, 1, 12, tzinfo=UTC)
        world.make_course(COURSE)
        world.make_course(SIBLING)
        world.make_block(COURSE, block("week1"), ROOT)
        world.make_block(COURSE, block("hw1", "sequential"), block("week1"), due=first)
        world.make_block(COURSE, block("hw2", "sequential"), block("week1"), due=second)
        world.make_block(SIBLING, block("hw", "sequential", SIBLING), None, due=first)

        assert backend.due_dates.is_enabled(COURSE) is True
        assert dict(backend.due_dates.get_due_dates(COURSE)) == {
            block("hw1", "sequential"): first,
            block("hw2", "sequential"): second,
        }


class MailContract:
    """``mail``: every message type the plugin sends is delivered to its recipient."""

    CONTEXT = {
        "display_name": "Contracts 101",
        "course_id": str(COURSE),
        "site_name": "lms.example.com",
        "course_url": f"https://lms.example.com/courses/{COURSE}/",
        "course_about_url": f"https://lms.example.com/courses/{COURSE}/about",
        "registration_url": "https://lms.example.com/register",
        "platform_name": "Example Platform",
        "auto_enroll": True,
        "email_address": "ann@example.com",
        "full_name": "Ann Archer",
    }

    @pytest.mark.parametrize(
        "message_type",
        [
            "enrolled_enroll",
            "allowed_enroll",
            "enrolled_unenroll",
            "allowed_unenroll",
            "add_beta_tester",
            "remove_beta_tester",
        ],
    )
    def test_send(self, backend, world, message_type):
        backend.mail.send(
            MailMessage(message_type=message_type, recipient_email="ann@example.com", context=self.CONTEXT)
        )

        [sent] = world.sent_mail()
        assert sent.recipients == ("ann@example.com",)
        assert "Contracts 101" in sent.subject

    def test_send_in_the_recipient_language(self, backend, world):
        message = MailMessage(
            message_type="enrolled_enroll",
            recipient_email="ann@example.com",
            context=self.CONTEXT,
            recipient_user_id=7,
            language="es",
        )

        backend.mail.send(message)

        assert [sent.recipients for sent in world.sent_mail()] == [("ann@example.com",)]


class SiteConfigContract:
    """``site_config``: site values with per-org overrides."""

    def test_get_value(self, backend, world):
        world.configure_site(
            {"PLATFORM_NAME": "Example", "SITE_NAME": "lms.example.com"},
            {"ContractX": {"PLATFORM_NAME": "Contract Academy"}},
        )

        assert backend.site_config.get_value("PLATFORM_NAME") == "Example"
        assert backend.site_config.get_value("PLATFORM_NAME", org="ContractX") == "Contract Academy"
        assert backend.site_config.get_value("PLATFORM_NAME", org="ElsewhereX") == "Example"
        assert backend.site_config.get_value("SITE_NAME", org="ContractX") == "lms.example.com"
        assert backend.site_config.get_value("MISSING", "fallback") == "fallback"
        assert backend.site_config.get_value("MISSING", "fallback", org="ContractX") == "fallback"
        assert backend.site_config.get_value("MISSING") is None


class CompletionContract:
    """``completion``: learners' completion of blocks."""

    def test_set_completion(self, backend, world):
        world.make_course(COURSE)
        world.make_block(COURSE, block("problem1", "problem"), ROOT)
        ann = world.make_user("ann", "ann@example.com", "Ann")
        bob = world.make_user("bob", "bob@example.com", "Bob")

        backend.completion.set_completion(COURSE, ann, block("problem1", "problem"), 0.5)
        backend.completion.set_completion(COURSE, ann, block("problem1", "problem"), 1.0)

        assert world.completion(ann, block("problem1", "problem")) == 1.0
        assert world.completion(bob, block("problem1", "problem")) is None


class ProblemStateContract:
    """``problem_state``: learners' state on problems, its resets and rescoring, and course grades."""

    #: Saved answers: one of two parts correct.
    HALF_RIGHT = {"correct_map": {"part1": {"correctness": "correct"}, "part2": {"correctness": "incorrect"}}}

    @pytest.fixture
    def problems(self, backend, world) -> dict[str, int]:
        """Ann, Bob (with state on problem1, Ann on problem2 too), Cid enrolled without state, Dee not enrolled."""
        world.make_course(COURSE)
        world.make_block(COURSE, block("chapter1"), ROOT)
        for name in ("problem1", "problem2"):
            world.make_block(COURSE, block(name, "problem"), block("chapter1"))
        people = {name: world.make_user(name, f"{name}@example.com", name.title()) for name in ("ann", "bob", "cid")}
        people["dee"] = world.make_user("dee", "dee@example.com", "Dee")
        for name in ("ann", "bob", "cid"):
            backend.enrollments.enroll(COURSE, people[name], "audit")
        world.make_problem_state(
            COURSE,
            block("problem1", "problem"),
            people["ann"],
            attempts=3,
            score=2.0,
            max_score=2.0,
            state={**self.HALF_RIGHT, "attempts": 3},
        )
        world.make_problem_state(
            COURSE,
            block("problem1", "problem"),
            people["bob"],
            attempts=1,
            score=0.0,
            max_score=2.0,
            state={**self.HALF_RIGHT, "attempts": 1},
        )
        world.make_problem_state(
            COURSE, block("problem2", "problem"), people["ann"], attempts=1, score=1.0, max_score=4.0, state={}
        )
        return people

    def test_get_state(self, backend, problems):
        state = backend.problem_state.get_state(COURSE, block("problem1", "problem"), problems["ann"])

        assert (state.user_id, state.usage_key, state.attempts, state.score, state.max_score) == (
            problems["ann"],
            block("problem1", "problem"),
            3,
            2.0,
            2.0,
        )
        assert state.state["correct_map"] == self.HALF_RIGHT["correct_map"]
        assert backend.problem_state.get_state(COURSE, block("problem2", "problem"), problems["bob"]) is None

    def test_reset_attempts_keeps_the_score(self, backend, problems):
        reset = backend.problem_state.reset_attempts(COURSE, block("problem1", "problem"), problems["ann"])

        stored = backend.problem_state.get_state(COURSE, block("problem1", "problem"), problems["ann"])
        assert (reset.attempts, reset.score) == (0, 2.0)
        assert (stored.attempts, stored.score) == (0, 2.0)
        with pytest.raises(StateNotFound):
            backend.problem_state.reset_attempts(COURSE, block("problem1", "problem"), problems["cid"])

    def test_delete_state(self, backend, problems):
        change = backend.problem_state.delete_state(COURSE, block("problem1", "problem"), problems["ann"])

        assert (change.user_id, change.previous_score, change.new_score, change.max_score) == (
            problems["ann"],
            2.0,
            None,
            2.0,
        )
        assert change.course_grade is not None and change.course_grade.user_id == problems["ann"]
        assert backend.problem_state.get_state(COURSE, block("problem1", "problem"), problems["ann"]) is None
        assert backend.problem_state.get_state(COURSE, block("problem2", "problem"), problems["ann"]) is not None
        with pytest.raises(StateNotFound):
            backend.problem_state.delete_state(COURSE, block("problem1", "problem"), problems["ann"])

    def test_rescore_only_if_higher_keeps_a_higher_score(self, backend, problems):
        kept = backend.problem_state.rescore(COURSE, block("problem1", "problem"), problems["ann"], only_if_higher=True)
        lowered = backend.problem_state.rescore(
            COURSE, block("problem1", "problem"), problems["ann"], only_if_higher=False
        )

        assert (kept.previous_score, kept.new_score) == (2.0, 2.0)
        assert (lowered.previous_score, lowered.new_score) == (2.0, 1.0)
        assert lowered.course_grade is not None and lowered.course_grade.user_id == problems["ann"]
        stored = backend.problem_state.get_state(COURSE, block("problem1", "problem"), problems["ann"])
        assert stored.score == 1.0
        with pytest.raises(StateNotFound):
            backend.problem_state.rescore(COURSE, block("problem1", "problem"), problems["cid"], only_if_higher=False)

    def test_rescore_many_leaves_out_learners_without_state(self, backend, problems):
        learners = [problems["ann"], problems["bob"], problems["cid"]]

        changes = backend.problem_state.rescore_many(COURSE, block("problem1", "problem"), learners, True)

        assert {user_id: (c.previous_score, c.new_score) for user_id, c in changes.items()} == {
            problems["ann"]: (2.0, 2.0),
            problems["bob"]: (0.0, 1.0),
        }
        assert backend.problem_state.get_state(COURSE, block("problem1", "problem"), problems["bob"]).score == 1.0

    def test_override_score(self, backend, problems):
        change = backend.problem_state.override_score(COURSE, block("problem2", "problem"), problems["ann"], 3.5)

        assert (change.previous_score, change.new_score, change.max_score) == (1.0, 3.5, 4.0)
        assert change.course_grade is not None and change.course_grade.user_id == problems["ann"]
        for out_of_range in (4.5, -1.0):
            with pytest.raises(ValueError):
                backend.problem_state.override_score(
                    COURSE, block("problem2", "problem"), problems["ann"], out_of_range
                )
        assert backend.problem_state.get_state(COURSE, block("problem2", "problem"), problems["ann"]).score == 3.5
        with pytest.raises(StateNotFound):
            backend.problem_state.override_score(COURSE, block("problem2", "problem"), problems["bob"], 1.0)

    def test_iter_learners_with_state(self, backend, problems):
        assert list(backend.problem_state.iter_learners_with_state(COURSE, block("problem1", "problem"))) == sorted(
            [problems["ann"], problems["bob"]]
        )
        assert list(backend.problem_state.iter_learners_with_state(SIBLING, block("problem1", "problem"))) == []

    def test_iter_course_grades_of_enrolled_learners(self, backend, problems):
        grades = {grade.user_id: grade for grade in backend.problem_state.iter_course_grades(COURSE)}

        assert list(grades) == sorted([problems["ann"], problems["bob"], problems["cid"]])
        never_graded = grades[problems["cid"]]
        assert (never_graded.percent, never_graded.passed) == (0.0, False)
        names = {problems[name]: name for name in ("ann", "bob", "cid")}
        assert all(grade.username in (None, names[user_id]) for user_id, grade in grades.items())

    def test_iter_problem_states_by_learner_then_problem(self, backend, problems):
        def listed(usage_keys=None):
            states = backend.problem_state.iter_problem_states(COURSE, usage_keys)
            return [(state.user_id, state.usage_key.block_id, state.score) for state in states]

        ann, bob = problems["ann"], problems["bob"]
        assert listed() == sorted([(ann, "problem1", 2.0), (ann, "problem2", 1.0), (bob, "problem1", 0.0)])
        assert listed([block("problem2", "problem")]) == [(ann, "problem2", 1.0)]

    def test_iter_problem_scores_are_the_states_scores(self, backend, problems):
        keys = [block("problem1", "problem"), block("problem2", "problem")]

        scores = [tuple(row) for row in backend.problem_state.iter_problem_scores(COURSE, keys)]

        states = backend.problem_state.iter_problem_states(COURSE, keys)
        assert len(scores) == 3
        assert scores == [(state.user_id, state.usage_key, state.score, state.max_score) for state in states]
        assert [row[0] for row in backend.problem_state.iter_problem_scores(COURSE, keys[1:])] == [problems["ann"]]


class GradebookContract:
    """``gradebook``: the learner list with its filters, subsection grades, overrides and their history."""

    HW1 = block("hw1", "sequential")
    HW2 = block("hw2", "sequential")

    @pytest.fixture
    def graded(self, backend, world) -> dict[str, int]:
        """
        Ann (verified, 8/10 on hw1, 80% "Pass"), Bob (3/10 on hw1, 30%), Cid (staff, never graded),
        Dee (unenrolled); hw2 (4 points) attempted by nobody.
        """
        world.make_course(COURSE)
        world.make_block(COURSE, block("chapter1"), ROOT)
        world.make_graded_subsection(COURSE, self.HW1, block("chapter1"), assignment_type="Homework", possible=10.0)
        world.make_graded_subsection(COURSE, self.HW2, block("chapter1"), assignment_type="Homework", possible=4.0)
        people = {name: world.make_user(name, f"{name}@example.com", name.title()) for name in ("ann", "bob", "cid")}
        people["dee"] = world.make_user("dee", "dee@example.org", "Dee")
        backend.enrollments.enroll(COURSE, people["ann"], "verified")
        for name in ("bob", "cid", "dee"):
            backend.enrollments.enroll(COURSE, people[name], "audit")
        backend.enrollments.unenroll(COURSE, people["dee"])
        world.grant(COURSE, people["cid"], "staff")
        world.make_subsection_score(COURSE, self.HW1, people["ann"], 8.0)
        world.make_subsection_score(COURSE, self.HW1, people["bob"], 3.0)
        world.set_course_grade(COURSE, people["ann"], 0.8, "Pass")
        world.set_course_grade(COURSE, people["bob"], 0.3, "")
        return people

    @staticmethod
    def gradebook_listed(backend, filters: GradebookFilter | None = None, cursor: CursorRequest | None = None):
        page = backend.gradebook.list_gradebook(COURSE, filters or GradebookFilter(), cursor or CursorRequest())
        return [learner.user.username for learner in page.items], page.has_more

    def test_list_gradebook_with_persisted_course_grades(self, backend, graded):
        page = backend.gradebook.list_gradebook(COURSE, GradebookFilter(), CursorRequest())

        rows = [(g.user.id, g.user.email, g.mode, g.percent, g.letter_grade, g.passed) for g in page.items]
        assert rows == [
            (graded["ann"], "ann@example.com", "verified", 0.8, "Pass", True),
            (graded["bob"], "bob@example.com", "audit", 0.3, None, False),
            (graded["cid"], "cid@example.com", "audit", 0.0, None, False),
        ]
        assert page.items[0].user.full_name == "Ann"
        assert backend.gradebook.count_gradebook(COURSE, GradebookFilter()) == 3

    def test_list_gradebook_cursor(self, backend, graded):
        assert self.gradebook_listed(backend, cursor=CursorRequest(limit=2)) == (["ann", "bob"], True)
        assert self.gradebook_listed(backend, cursor=CursorRequest(after=graded["bob"], limit=2)) == (["cid"], False)
        assert self.gradebook_listed(backend, cursor=CursorRequest(before=graded["cid"], limit=1)) == (["bob"], True)

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            (GradebookFilter(username="bob"), ["bob"]),
            (GradebookFilter(user_contains="ANN@EXAMPLE"), ["ann"]),
            (GradebookFilter(username_contains="i"), ["cid"]),
            (GradebookFilter(enrollment_mode="audit"), ["bob", "cid"]),
            (GradebookFilter(excluded_course_roles=("staff",)), ["ann", "bob"]),
            (GradebookFilter(excluded_course_roles=("all",)), ["ann", "bob"]),
            (GradebookFilter(excluded_course_roles=("instructor",)), ["ann", "bob", "cid"]),
            (GradebookFilter(course_grade_min=50), ["ann"]),
            (GradebookFilter(course_grade_max=30), ["bob", "cid"]),
            (GradebookFilter(assignment=HW1, assignment_grade_min=50), ["ann"]),
            (GradebookFilter(assignment=HW1, assignment_grade_max=30), ["bob"]),
            (GradebookFilter(assignment=HW2, assignment_grade_min=0), []),
        ],
    )
    def test_list_gradebook_filters(self, backend, graded, filters, expected):
        assert self.gradebook_listed(backend, filters) == (expected, False)
        assert backend.gradebook.count_gradebook(COURSE, filters) == len(expected)

    def test_subsection_grades_of_attempted_subsections(self, backend, graded):
        grades = backend.gradebook.get_subsection_grades(COURSE, [graded["ann"], graded["cid"]])

        ann = grades[graded["ann"]]
        assert list(ann) == [self.HW1]
        hw1 = ann[self.HW1]
        assert (hw1.earned_graded, hw1.possible_graded, hw1.attempted, hw1.override) == (8.0, 10.0, True, None)
        assert not grades.get(graded["cid"])

    def test_get_subsection_grade(self, backend, graded):
        attempted = backend.gradebook.get_subsection_grade(COURSE, self.HW1, graded["bob"])
        never = backend.gradebook.get_subsection_grade(COURSE, self.HW2, graded["bob"])

        assert (attempted.earned_all, attempted.possible_all, attempted.attempted) == (3.0, 10.0, True)
        assert (never.earned_graded, never.attempted, never.override) == (0.0, False, None)
        for not_graded in (block("chapter1"), block("missing", "sequential")):
            with pytest.raises(BlockNotFound):
                backend.gradebook.get_subsection_grade(COURSE, not_graded, graded["bob"])

    def test_override_keeps_unset_values_and_records_history(self, backend, graded, world):
        actor = world.make_user("teacher", "teacher@example.com", "Teacher")

        first = backend.gradebook.override_subsection_grade(
            COURSE, self.HW1, graded["ann"], {"earned_graded_override": 9.0}, "regrade", "GRADEBOOK", actor
        )
        second = backend.gradebook.override_subsection_grade(
            COURSE, self.HW1, graded["ann"], {"earned_graded_override": 10.0}, "x" * 400, "GRADEBOOK", None
        )

        override = second.override
        assert first.override is not None and first.override.earned_graded_override == 9.0
        assert (override.id, override.earned_graded_override) == (first.override.id, 10.0)
        assert (override.earned_all_override, override.possible_graded_override) == (8.0, 10.0)
        assert (override.system, len(override.override_reason)) == ("GRADEBOOK", 300)
        history = backend.gradebook.list_override_history(COURSE, self.HW1, graded["ann"])
        assert [(h.history_type, h.history_user, h.earned_graded_override) for h in history] == [
            ("+", "teacher", 9.0),
            ("~", None, 10.0),
        ]
        assert history[0].override_reason == "regrade" and history[0].override_id == override.id
        newest = backend.gradebook.list_override_history(COURSE, self.HW1, graded["ann"], limit=1)
        assert [h.earned_graded_override for h in newest] == [10.0]
        assert backend.gradebook.list_override_history(COURSE, self.HW1, graded["bob"]) == []

    def test_an_override_counts_where_nothing_was_attempted(self, backend, graded):
        backend.gradebook.override_subsection_grade(
            COURSE,
            self.HW2,
            graded["cid"],
            {"earned_graded_override": 3.0, "possible_graded_override": 4.0},
            "",
            "GRADEBOOK",
            None,
        )

        grades = backend.gradebook.get_subsection_grades(COURSE, [graded["cid"]])[graded["cid"]]
        assert list(grades) == [self.HW2]
        assert grades[self.HW2].override.earned_graded_override == 3.0
        high = GradebookFilter(assignment=self.HW2, assignment_grade_min=70)
        assert self.gradebook_listed(backend, high) == (["cid"], False)
        with pytest.raises(BlockNotFound):
            backend.gradebook.override_subsection_grade(
                COURSE, block("chapter1"), graded["cid"], {"earned_graded_override": 1.0}, "", "GRADEBOOK", None
            )

    def test_list_graded_enrollments(self, backend, graded):
        page = backend.gradebook.list_graded_enrollments(COURSE, [], CursorRequest())
        only_bob = backend.gradebook.list_graded_enrollments(None, ["bob"], CursorRequest())

        assert [(e.course_key, e.learner.user.username, e.learner.percent) for e in page.items] == [
            (COURSE, "ann", 0.8),
            (COURSE, "bob", 0.3),
            (COURSE, "cid", 0.0),
        ]
        ids = [e.id for e in page.items]
        assert ids == sorted(ids)
        assert [e.learner.user.username for e in only_bob.items] == ["bob"]
        after = backend.gradebook.list_graded_enrollments(COURSE, [], CursorRequest(after=ids[0], limit=1))
        assert ([e.id for e in after.items], after.has_more) == ([ids[1]], True)

    def test_get_problem_states_by_learner(self, backend, graded, world):
        for name in ("problem2", "problem1"):
            world.make_block(COURSE, block(name, "problem"), block("chapter1"))
            world.make_problem_state(
                COURSE, block(name, "problem"), graded["bob"], attempts=1, score=1.0, max_score=1.0, state={}
            )

        states = backend.gradebook.get_problem_states(COURSE, [graded["bob"], graded["cid"]])

        assert [s.usage_key.block_id for s in states[graded["bob"]]] == ["hw1_points", "problem1", "problem2"]
        assert graded["cid"] not in states


class SpecialExamContract:
    """``special_exams``: a course's exams, its learners' attempts and allowances."""

    ADDITIONAL_TIME = "additional_time_granted"

    @pytest.fixture
    def exams(self, world) -> dict[str, int]:
        """In COURSE: final (proctored), practice, timed; in SIBLING: elsewhere."""
        world.make_course(COURSE)
        world.make_course(SIBLING)
        return {
            "final": world.make_exam(COURSE, "final"),
            "practice": world.make_exam(COURSE, "practice", is_practice_exam=True),
            "timed": world.make_exam(COURSE, "timed", is_proctored=False),
            "elsewhere": world.make_exam(SIBLING, "elsewhere"),
        }

    @pytest.fixture
    def learners(self, world) -> dict[str, int]:
        return {name: world.make_user(name, f"{name}@example.com", name.title()) for name in ("ann", "bob", "staff")}

    def allowances(self, backend, page: PageRequest = EVERYONE, **query) -> tuple[int, list[tuple[str, str, str]]]:
        listed = backend.special_exams.list_allowances(COURSE, ExamListQuery(**query), page)
        return listed.total, [(row.user.username, row.exam.exam_name, row.value) for row in listed.items]

    def test_exams_by_type(self, backend, exams):
        def names(exam_type=None):
            return [exam.exam_name for exam in backend.special_exams.list_exams(COURSE, exam_type)]

        assert names() == ["final", "practice", "timed"]
        assert (names("proctored"), names("practice"), names("timed")) == (["final"], ["practice"], ["timed"])
        final = backend.special_exams.get_exam(COURSE, exams["final"])
        assert (final.course_key, final.exam_name, final.time_limit_mins, final.is_active) == (
            COURSE,
            "final",
            60,
            True,
        )
        assert set(backend.special_exams.get_exams(COURSE, [exams["final"], exams["elsewhere"]])) == {exams["final"]}

    def test_another_course_exam_is_not_found(self, backend, exams):
        with pytest.raises(ExamNotFound):
            backend.special_exams.get_exam(COURSE, exams["elsewhere"])

    def test_a_learner_holds_one_allowance_per_exam(self, backend, exams, learners):
        backend.special_exams.set_allowance(COURSE, exams["final"], learners["ann"], self.ADDITIONAL_TIME, "30")
        backend.special_exams.set_allowance(COURSE, exams["final"], learners["ann"], "time_multiplier", "1.5")

        listed = backend.special_exams.list_allowances(COURSE, ExamListQuery(), EVERYONE).items
        assert [(row.user.id, row.exam.id, row.key, row.value) for row in listed] == [
            (learners["ann"], exams["final"], "time_multiplier", "1.5")
        ]

    def test_remove_allowance(self, backend, exams, learners):
        backend.special_exams.set_allowance(COURSE, exams["final"], learners["ann"], self.ADDITIONAL_TIME, "30")

        assert (
            backend.special_exams.remove_allowance(COURSE, exams["final"], learners["ann"], "time_multiplier") is False
        )
        assert backend.special_exams.remove_allowance(COURSE, exams["final"], learners["ann"], self.ADDITIONAL_TIME)
        assert self.allowances(backend) == (0, [])

    def test_an_allowance_on_another_course_exam_is_refused(self, backend, exams, learners):
        with pytest.raises(ExamNotFound):
            backend.special_exams.set_allowance(COURSE, exams["elsewhere"], learners["ann"], self.ADDITIONAL_TIME, "30")

        assert backend.special_exams.list_allowances(SIBLING, ExamListQuery(), EVERYONE).total == 0

    def test_allowances_searched_ordered_and_paged(self, backend, exams, learners):
        backend.special_exams.set_allowance(COURSE, exams["final"], learners["bob"], self.ADDITIONAL_TIME, "10")
        backend.special_exams.set_allowance(COURSE, exams["practice"], learners["ann"], self.ADDITIONAL_TIME, "20")
        backend.special_exams.set_allowance(SIBLING, exams["elsewhere"], learners["ann"], self.ADDITIONAL_TIME, "5")

        ann, bob = ("ann", "practice", "20"), ("bob", "final", "10")
        assert self.allowances(backend) == (2, [ann, bob])
        assert self.allowances(backend, ordering="-value") == (2, [ann, bob])
        assert self.allowances(backend, ordering="exam_name") == (2, [bob, ann])
        assert self.allowances(backend, search="BOB@") == (1, [bob])
        assert self.allowances(backend, exam_id=exams["practice"]) == (1, [ann])
        assert self.allowances(backend, PageRequest(offset=1, limit=1)) == (2, [bob])

    def test_attempts_ordered_and_searched(self, backend, world, exams, learners):
        world.make_exam_attempt(exams["final"], learners["ann"], "submitted", datetime(2026, 3, 2, tzinfo=UTC))
        world.make_exam_attempt(exams["final"], learners["bob"], "started", datetime(2026, 3, 5, tzinfo=UTC))
        world.make_exam_attempt(exams["elsewhere"], learners["bob"], "started", datetime(2026, 3, 6, tzinfo=UTC))

        def listed(**query):
            page = backend.special_exams.list_attempts(COURSE, ExamListQuery(**query), EVERYONE)
            return page.total, [(row.user.username, row.status) for row in page.items]

        assert listed() == (2, [("ann", "submitted"), ("bob", "started")])
        assert listed(ordering="-started_at") == (2, [("bob", "started"), ("ann", "submitted")])
        assert listed(search="ann@") == (1, [("ann", "submitted")])

    def test_reset_attempts(self, backend, world, exams, learners):
        world.make_exam_attempt(exams["final"], learners["ann"], "ready_to_start", datetime(2026, 3, 2, tzinfo=UTC))
        world.make_exam_attempt(exams["final"], learners["bob"], "started", datetime(2026, 3, 2, tzinfo=UTC))

        removed = backend.special_exams.reset_attempts(COURSE, exams["final"], learners["ann"], learners["staff"])

        assert removed == 1
        remaining = backend.special_exams.list_attempts(COURSE, ExamListQuery(), EVERYONE).items
        assert [row.user.username for row in remaining] == ["bob"]
        assert backend.special_exams.reset_attempts(SIBLING, exams["final"], learners["bob"], learners["staff"]) == 0


class EntranceExamContract:
    """``entrance_exams``: a course's entrance exam and the learners allowed to skip it."""

    def test_a_course_without_an_entrance_exam(self, backend, world):
        world.make_course(COURSE)

        assert backend.entrance_exams.get_entrance_exam(COURSE) is None
        assert backend.entrance_exams.get_entrance_exam(FOREIGN) is None

    def test_the_entrance_exam_section_and_passing_share(self, backend, world):
        world.make_course(COURSE)
        world.make_course(SIBLING)
        world.make_block(COURSE, block("exam"), ROOT, display_name="Entrance Exam")
        world.make_entrance_exam(COURSE, block("exam"), 0.7)

        assert backend.entrance_exams.get_entrance_exam(COURSE) == EntranceExamData(
            course_key=COURSE, usage_key=block("exam"), minimum_score_pct=0.7
        )
        assert backend.entrance_exams.get_entrance_exam(SIBLING) is None

    def test_allow_skip_once_per_course(self, backend, world):
        world.make_course(COURSE)
        world.make_course(SIBLING)
        world.make_block(COURSE, block("exam"), ROOT)
        world.make_entrance_exam(COURSE, block("exam"), 0.5)
        ann = world.make_user("ann", "ann@example.com", "Ann")

        assert backend.entrance_exams.can_skip(COURSE, ann) is False
        assert backend.entrance_exams.allow_skip(COURSE, ann) is True
        assert backend.entrance_exams.allow_skip(COURSE, ann) is False
        assert backend.entrance_exams.can_skip(COURSE, ann) is True
        assert backend.entrance_exams.can_skip(SIBLING, ann) is False


PROGRAM = "5a1c6f2e-1111-4aaa-8bbb-000000000001"
PROGRAM_CURRICULUM = "5a1c6f2e-2222-4aaa-8bbb-000000000001"
#: A MicroMasters program holding the sibling course only.
MICRO = "5a1c6f2e-1111-4aaa-8bbb-000000000002"
MICRO_CURRICULUM = "5a1c6f2e-2222-4aaa-8bbb-000000000002"
UNKNOWN_PROGRAM = "5a1c6f2e-1111-4aaa-8bbb-0000000000ff"


class ProgramContract:
    """``programs``: the catalog, program and program-course enrollments with history, external user keys."""

    @pytest.fixture
    def programmed(self, world) -> dict[str, int]:
        world.make_course(COURSE, modes=("audit", "verified", "masters"))
        world.make_course(SIBLING, display_name="Sibling", modes=("audit", "verified", "masters"))
        world.make_program(PROGRAM, "Contract Program", COURSE.org, {PROGRAM_CURRICULUM: [COURSE, SIBLING]})
        world.make_program(
            MICRO, "Micro Program", COURSE.org, {MICRO_CURRICULUM: [SIBLING]}, program_type="MicroMasters"
        )
        return {
            name: world.make_user(name, f"{name}@example.com", name.title()) for name in ("ann", "bob", "carl", "staff")
        }

    @staticmethod
    def enroll_in_program(backend, people, actor=None):
        """``S-1`` (Ann's account, enrolled), ``s-2`` and ``s-3`` (no account yet, pending)."""
        return backend.programs.create_program_enrollments(
            PROGRAM,
            [
                NewProgramEnrollment("S-1", PROGRAM_CURRICULUM, "enrolled", people["ann"]),
                NewProgramEnrollment("s-2", PROGRAM_CURRICULUM, "pending"),
                NewProgramEnrollment("s-3", PROGRAM_CURRICULUM, "pending"),
            ],
            actor,
        )

    def test_get_program_with_its_curricula(self, backend, programmed):
        program = backend.programs.get_program(PROGRAM)

        assert (program.uuid, program.title, program.program_type.lower(), program.org) == (
            PROGRAM,
            "Contract Program",
            "masters",
            COURSE.org,
        )
        assert [(c.uuid, c.is_active, c.course_keys) for c in program.curricula] == [
            (PROGRAM_CURRICULUM, True, (COURSE, SIBLING))
        ]
        assert program.course_keys == (COURSE, SIBLING)
        assert backend.programs.get_program(UNKNOWN_PROGRAM) is None
        assert backend.programs.get_program("not-a-uuid") is None

    def test_list_programs_by_type_and_course_run(self, backend, programmed):
        def uuids(*args):
            return sorted(program.uuid for program in backend.programs.list_programs(*args))

        assert uuids("masters") == [PROGRAM]
        assert uuids("MICROMASTERS") == [MICRO]
        assert uuids(None) == sorted([PROGRAM, MICRO])
        assert uuids(None, [COURSE]) == [PROGRAM]
        assert uuids(None, [SIBLING]) == sorted([PROGRAM, MICRO])
        assert uuids("micromasters", [SIBLING]) == [MICRO]
        assert uuids(None, [FOREIGN]) == []
        assert uuids(None, []) == []

    def test_a_learner_administers_no_program(self, backend, programmed):
        assert list(backend.programs.list_admin_program_uuids(programmed["ann"])) == []

    def test_create_and_fetch_program_enrollments(self, backend, programmed):
        created = self.enroll_in_program(backend, programmed)
        ann = programmed["ann"]

        assert [(e.external_user_key, e.status, e.program_uuid, e.curriculum_uuid) for e in created] == [
            ("S-1", "enrolled", PROGRAM, PROGRAM_CURRICULUM),
            ("s-2", "pending", PROGRAM, PROGRAM_CURRICULUM),
            ("s-3", "pending", PROGRAM, PROGRAM_CURRICULUM),
        ]
        assert created[0].user == UserData(ann, "ann", "ann@example.com", "Ann", True, False)
        assert created[1].user is None

        def keys(**filters):
            return [e.external_user_key for e in backend.programs.fetch_program_enrollments(**filters)]

        assert keys(program_uuid=PROGRAM, external_user_keys=["s-1", "S-2"]) == ["S-1", "s-2"]
        assert keys(program_uuid=PROGRAM, realized=False) == ["s-2", "s-3"]
        assert keys(program_uuid=PROGRAM, realized=True) == ["S-1"]
        assert keys(program_uuid=PROGRAM, statuses=["pending"]) == ["s-2", "s-3"]
        assert keys(program_uuid=PROGRAM, curriculum_uuids=[PROGRAM_CURRICULUM]) == ["S-1", "s-2", "s-3"]
        assert keys(program_uuid=PROGRAM, curriculum_uuids=[MICRO_CURRICULUM]) == []
        assert keys(user_ids=[ann], statuses=["enrolled", "pending"]) == ["S-1"]
        assert keys(external_user_keys=["S-3"], realized=False) == ["s-3"]
        assert keys(program_uuid=MICRO) == []
        assert keys(program_uuid=PROGRAM, external_user_keys=[]) == []
        assert keys(program_uuid="not-a-uuid") == []

    def test_list_program_enrollments_by_cursor(self, backend, programmed):
        ids = [e.id for e in self.enroll_in_program(backend, programmed)]

        first = backend.programs.list_program_enrollments(PROGRAM, CursorRequest(limit=2))
        second = backend.programs.list_program_enrollments(PROGRAM, CursorRequest(after=first.items[-1].id, limit=2))
        back = backend.programs.list_program_enrollments(PROGRAM, CursorRequest(before=ids[2], limit=1))

        assert ([e.id for e in first.items], first.has_more) == (ids[:2], True)
        assert ([e.id for e in second.items], second.has_more) == (ids[2:], False)
        assert ([e.id for e in back.items], back.has_more) == ([ids[1]], True)
        assert backend.programs.list_program_enrollments(MICRO, CursorRequest()).items == []

    def test_status_changes_and_linking_are_recorded(self, backend, programmed):
        staff, bob = programmed["staff"], programmed["bob"]
        waiting = self.enroll_in_program(backend, programmed, staff)[1]

        backend.programs.set_program_enrollment_statuses({waiting.id: "enrolled"}, staff)
        backend.programs.set_program_enrollment_statuses({waiting.id: "enrolled"}, staff)
        linked = backend.programs.link_program_enrollment(waiting.id, bob, None)

        assert (linked.status, linked.user.id) == ("enrolled", bob)
        history = backend.programs.list_history(program_enrollment_id=waiting.id)
        assert [(h.history_type, h.status, h.history_user_id, h.user_id) for h in history] == [
            ("+", "pending", staff, None),
            ("~", "enrolled", staff, None),
            ("~", "enrolled", None, bob),
        ]
        assert [h.history_date for h in history] == sorted(h.history_date for h in history)

    def test_program_course_enrollments(self, backend, programmed):
        staff = programmed["staff"]
        ann_enrollment, waiting, _other = self.enroll_in_program(backend, programmed)

        created = backend.programs.create_program_course_enrollments(
            COURSE,
            [
                NewProgramCourseEnrollment(ann_enrollment.id, "active"),
                NewProgramCourseEnrollment(waiting.id, "active", True),
            ],
            staff,
        )

        assert [(e.program_enrollment.external_user_key, e.course_key, e.status) for e in created] == [
            ("S-1", COURSE, "active"),
            ("s-2", COURSE, "active"),
        ]
        assert [bool(e.course_staff) for e in created] == [False, True]

        def keys(**filters):
            return [
                e.program_enrollment.external_user_key
                for e in backend.programs.fetch_program_course_enrollments(**filters)
            ]

        assert keys(program_uuid=PROGRAM, course_keys=[COURSE]) == ["S-1", "s-2"]
        assert keys(program_uuid=PROGRAM, course_keys=[COURSE], external_user_keys=["S-2"]) == ["s-2"]
        assert keys(course_keys=[COURSE], user_ids=[programmed["ann"]]) == ["S-1"]
        assert keys(program_enrollment_ids=[waiting.id]) == ["s-2"]
        assert keys(program_uuid=PROGRAM, course_keys=[SIBLING]) == []
        assert keys(program_uuid=MICRO) == []
        assert keys(course_keys=[COURSE], user_ids=[]) == []

        waiting_page = backend.programs.list_program_course_enrollments(PROGRAM, COURSE, CursorRequest(), False)
        realized_page = backend.programs.list_program_course_enrollments(PROGRAM, COURSE, CursorRequest(limit=1), True)
        assert [e.id for e in waiting_page.items] == [created[1].id]
        assert ([e.id for e in realized_page.items], realized_page.has_more) == ([created[0].id], False)

        updated = backend.programs.update_program_course_enrollments(
            {created[0].id: ("inactive", None), created[1].id: ("active", False)}, staff
        )
        assert [(e.status, bool(e.course_staff)) for e in updated] == [("inactive", False), ("active", False)]
        again = backend.programs.update_program_course_enrollments({created[1].id: ("active", True)}, None)
        assert again[0].course_staff is True
        history = backend.programs.list_history(program_course_enrollment_id=created[0].id)
        assert [(h.history_type, h.status, h.history_user_id) for h in history] == [
            ("+", "active", staff),
            ("~", "inactive", staff),
        ]

    def test_external_user_keys_of_an_organisation(self, backend, programmed, world):
        org = COURSE.org
        world.make_identity_provider(org)
        world_ann, bob = programmed["ann"], programmed["bob"]
        unlinked = backend.programs.get_users_by_external_keys(org, ["K-1", "k-2"])
        assert unlinked == {"K-1": None, "k-2": None}

        backend.programs.set_external_user_key(org, "K-1", world_ann)
        found = backend.programs.get_users_by_external_keys(org, ["k-1", "K-2"])

        assert found["k-1"].username == "ann"
        assert found["K-2"] is None
        assert backend.programs.get_users_by_external_keys(FOREIGN.org, ["K-1"]) == {"K-1": None}
        backend.programs.set_external_user_key(org, "k-1", bob)
        assert backend.programs.get_users_by_external_keys(org, ["K-1"])["K-1"].username == "bob"

    def test_external_keys_of_learners_in_a_course(self, backend, programmed):
        ann_enrollment = self.enroll_in_program(backend, programmed)[0]
        backend.programs.create_program_course_enrollments(
            COURSE, [NewProgramCourseEnrollment(ann_enrollment.id, "active")], None
        )

        assert backend.programs.get_external_user_keys(COURSE, [programmed["ann"], programmed["bob"]]) == {
            programmed["ann"]: "S-1"
        }
        assert backend.programs.get_external_user_keys(SIBLING, [programmed["ann"]]) == {}

    def test_report_rows_carry_each_learners_program_key_in_the_course(self, backend, programmed):
        ann_enrollment = self.enroll_in_program(backend, programmed)[0]
        backend.programs.create_program_course_enrollments(
            SIBLING, [NewProgramCourseEnrollment(ann_enrollment.id, "active")], None
        )
        for name in ("ann", "bob"):
            backend.enrollments.enroll(COURSE, programmed[name], "masters")
            backend.enrollments.enroll(SIBLING, programmed[name], "masters")

        def keys(course_key):
            rows = backend.enrollments.iter_learner_profile_rows(course_key, ["external_user_key", "username"])
            return [[cell or "" for cell in row] for row in rows]

        assert keys(COURSE) == [["", "ann"], ["", "bob"]]
        assert keys(SIBLING) == [["S-1", "ann"], ["", "bob"]]

    def test_course_grades_of_enrolled_learners(self, backend, programmed, world):
        ann, bob, carl = programmed["ann"], programmed["bob"], programmed["carl"]
        backend.enrollments.enroll(COURSE, ann, "masters")
        backend.enrollments.enroll(COURSE, bob, "masters")
        world.set_course_grade(COURSE, ann, 0.8, "Pass")

        grades = backend.programs.get_course_grades(COURSE, [ann, bob, carl])

        assert {user_id: (g.percent, g.letter_grade, g.passed) for user_id, g in grades.items()} == {
            ann: (0.8, "Pass", True),
            bob: (0.0, None, False),
        }

    def test_learner_course_runs(self, backend, programmed, world):
        ann = programmed["ann"]
        problem = block("problem1", "problem")
        world.make_block(COURSE, problem, ROOT)
        backend.enrollments.enroll(SIBLING, ann, "masters")
        backend.enrollments.enroll(COURSE, ann, "verified")
        world.make_certificate(COURSE, ann, "downloadable", "verified")
        backend.completion.set_completion(COURSE, ann, problem, 1.0)

        runs = backend.programs.list_learner_course_runs(ann, [COURSE, SIBLING], {"verified", "masters"})

        assert [(run.course.course_key, run.mode) for run in runs] == [(SIBLING, "masters"), (COURSE, "verified")]
        sibling, course = runs
        assert (course.certificate_status, course.emails_enabled, course.resume_block) == (
            "downloadable",
            True,
            problem,
        )
        assert course.certificate_download_url and course.certificate_created is not None
        assert (sibling.certificate_status, sibling.certificate_download_url, sibling.resume_block) == (
            None,
            None,
            None,
        )
        assert backend.programs.list_learner_course_runs(ann, [COURSE], {"audit"}) == []

    def test_reset_organization(self, backend, programmed, world):
        org, ann = COURSE.org, programmed["ann"]
        world.make_identity_provider(org)
        assert backend.programs.reset_organization(FOREIGN.org) is None
        ann_enrollment = self.enroll_in_program(backend, programmed)[0]
        backend.programs.set_external_user_key(org, "S-1", ann)
        backend.programs.create_program_course_enrollments(
            COURSE, [NewProgramCourseEnrollment(ann_enrollment.id, "active")], None
        )
        backend.enrollments.enroll(COURSE, ann, "masters")
        backend.enrollments.enroll(SIBLING, ann, "audit")
        backend.enrollments.enroll(COURSE, programmed["bob"], "audit")

        deleted = backend.programs.reset_organization(org)

        assert (
            deleted.program_enrollments,
            deleted.program_course_enrollments,
            deleted.course_enrollments,
            deleted.users,
        ) == (3, 1, 2, 1)
        assert backend.programs.fetch_program_enrollments(PROGRAM) == []
        assert backend.programs.get_program(PROGRAM) is not None
        assert list(backend.enrollments.get_enrollments(COURSE, [programmed["bob"]])) == [programmed["bob"]]


class BackendContract(
    CourseContract,
    UserContract,
    EnrollmentContract,
    EnrollmentApiContract,
    EmbargoContract,
    EnterpriseContract,
    RetirementContract,
    RoleContract,
    CertificateContract,
    DueDateContract,
    MailContract,
    SiteConfigContract,
    CompletionContract,
    SpecialExamContract,
    EntranceExamContract,
    ProblemStateContract,
    GradebookContract,
    CohortContract,
    ProgramContract,
    OpenResponseContract,
    OpenResponseFileContract,
):
    """Every capability the plugin uses today; subclass the single classes to check part of a backend."""
