"""
Stand-in of openedx-platform ``xmodule/modulestore/django.py``: ``modulestore()``.

The platform's store reads XBlocks from MongoDB/SQL; this one keeps blocks in memory, each a
:class:`StandInBlock` carrying the fields the Open edX backend reads (``location``, ``category``,
``display_name``, ``due``, ``children``, the course-level settings, an open-response block's steps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from opaque_keys.edx.keys import CourseKey, UsageKey

from .exceptions import ItemNotFoundError


@dataclass(eq=False)
class StandInBlock:
    """An XBlock as the modulestore hands it out (only the fields read through it)."""

    location: UsageKey
    display_name: str = ""
    due: datetime | None = None
    parent: UsageKey | None = None
    children: list[UsageKey] = field(default_factory=list)
    # Course blocks only.
    start: datetime | None = None
    end: datetime | None = None
    enrollment_start: datetime | None = None
    enrollment_end: datetime | None = None
    self_paced: bool = False
    grading_policy: dict = field(default_factory=dict)
    enable_proctored_exams: bool = False
    enable_timed_exams: bool = False
    proctoring_provider: str | None = None
    proctoring_escalation_email: str | None = None
    create_zendesk_tickets: bool = False
    invitation_only: bool = False
    max_student_enrollments_allowed: int | None = None
    entrance_exam_enabled: bool = False
    entrance_exam_id: str = ""
    entrance_exam_minimum_score_pct: float = 65
    graded: bool = False
    format: str | None = None
    #: ``xmodule.partitions.partitions.UserPartition`` objects (course blocks).
    user_partitions: list = field(default_factory=list)
    # ORA2's ``OpenAssessmentBlock`` (openassessment/xblock/openassessmentblock.py): its steps' names in
    # order ("peer-assessment", "staff-assessment"...) and whether learners respond as a team.
    assessment_steps: list[str] = field(default_factory=list)
    teams_enabled: bool = False

    @property
    def category(self) -> str:
        return self.location.block_type

    @property
    def grade_cutoffs(self) -> dict:
        return self.grading_policy.get("GRADE_CUTOFFS", {})

    @property
    def raw_grader(self) -> list:
        return self.grading_policy.get("GRADER", [])

    def get_children(self) -> list[StandInBlock]:
        return [_store.get_item(key) for key in self.children]

    def get_parent(self) -> StandInBlock | None:
        return _store.get_item(self.parent) if self.parent else None


class StandInModuleStore:
    """``get_course``, ``get_item``, ``get_items``, ``has_item`` and ``update_item`` over blocks in memory."""

    def __init__(self) -> None:
        self.blocks: dict[UsageKey, StandInBlock] = {}
        self.updates: list[tuple[UsageKey, int]] = []

    def add(self, block: StandInBlock) -> StandInBlock:
        self.blocks[block.location] = block
        if block.parent is not None:
            self.blocks[block.parent].children.append(block.location)
        return block

    def get_course(self, course_key: CourseKey, depth: int | None = 0) -> StandInBlock | None:
        return self.blocks.get(course_key.make_usage_key("course", "course"))

    def get_item(self, usage_key: UsageKey, depth: int | None = 0) -> StandInBlock:
        try:
            return self.blocks[usage_key]
        except KeyError:
            raise ItemNotFoundError(usage_key) from None

    def has_item(self, usage_key: UsageKey) -> bool:
        return usage_key in self.blocks

    def get_items(self, course_key: CourseKey, qualifiers: dict | None = None) -> list[StandInBlock]:
        category = (qualifiers or {}).get("category")
        return [
            block
            for block in self.blocks.values()
            if block.location.course_key == course_key and category in (None, block.category)
        ]

    def update_item(self, xblock: StandInBlock, user_id: int) -> StandInBlock:
        self.updates.append((xblock.location, user_id))
        self.blocks[xblock.location] = xblock
        return xblock


_store = StandInModuleStore()


def modulestore() -> StandInModuleStore:
    """The one store of the process."""
    return _store


def reset() -> None:
    """Forget every block (between tests)."""
    _store.blocks.clear()
    _store.updates.clear()
