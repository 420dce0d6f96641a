"""Courses and their content tree, read from the LMS's modulestore."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from opaque_keys.edx.keys import CourseKey, UsageKey

from ..data import BlockData, CourseData
from ..exceptions import BlockNotFound, CourseNotFound

#: The course fields ``update_course_settings`` may write (the proctoring settings of Studio's advanced settings).
WRITABLE_SETTINGS = frozenset(
    {"proctoring_escalation_email", "create_zendesk_tickets", "enable_proctored_exams", "proctoring_provider"}
)


def _store() -> Any:
    from xmodule.modulestore.django import modulestore

    return modulestore()


def to_course_data(course: Any) -> CourseData:
    """The boundary record of a course block (the modulestore's course descriptor)."""
    policy = getattr(course, "grading_policy", None) or {}
    return CourseData(
        course_key=course.location.course_key,
        display_name=course.display_name or "",
        start=course.start,
        end=course.end,
        enrollment_start=course.enrollment_start,
        enrollment_end=course.enrollment_end,
        self_paced=bool(course.self_paced),
        grade_cutoffs=dict(course.grade_cutoffs or {}),
        graders=list(policy.get("GRADER", [])),
        enable_proctored_exams=bool(course.enable_proctored_exams),
        enable_timed_exams=bool(course.enable_timed_exams),
        proctoring_provider=course.proctoring_provider or None,
        proctoring_escalation_email=course.proctoring_escalation_email or None,
        create_zendesk_tickets=bool(course.create_zendesk_tickets),
        invite_only=bool(course.invitation_only),
        max_student_enrollments_allowed=course.max_student_enrollments_allowed,
    )


def to_block_data(block: Any) -> BlockData:
    """The boundary record of an XBlock."""
    return BlockData(
        usage_key=block.location,
        block_type=block.category,
        display_name=block.display_name or "",
        parent_key=block.parent,
        graded=bool(getattr(block, "graded", False)),
        assignment_type=getattr(block, "format", None) or "",
        due=getattr(block, "due", None),
    )


def walk(block: Any) -> Iterator[Any]:
    """The block and its descendants, depth first in course order."""
    pending = [block]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(reversed(current.get_children()))


class OpenedxCourseService:
    """Reads ``xmodule.modulestore.django.modulestore()``; writes course settings with ``update_item``."""

    def course_block(self, course_key: CourseKey, depth: int | None = None) -> Any:
        """``modulestore().get_course(course_key, depth)`` (the whole tree by default); ``CourseNotFound`` for None."""
        course = _store().get_course(course_key, depth=depth)
        if course is None:
            raise CourseNotFound(course_key)
        return course

    def item(self, course_key: CourseKey, usage_key: UsageKey) -> Any:
        """``modulestore().get_item(usage_key)``; ``BlockNotFound`` on ``ItemNotFoundError`` or another course's key."""
        from xmodule.modulestore.exceptions import ItemNotFoundError

        if usage_key.course_key != course_key:
            raise BlockNotFound(usage_key)
        try:
            return _store().get_item(usage_key)
        except ItemNotFoundError:
            raise BlockNotFound(usage_key) from None

    def get_course(self, course_key: CourseKey) -> CourseData:
        """``modulestore().get_course(course_key, depth=0)``: the course block alone."""
        return to_course_data(self.course_block(course_key, depth=0))

    def get_block(self, course_key: CourseKey, usage_key: UsageKey) -> BlockData:
        """``modulestore().get_item(usage_key)``."""
        return to_block_data(self.item(course_key, usage_key))

    def get_ancestors(self, course_key: CourseKey, usage_key: UsageKey) -> Sequence[BlockData]:
        """``get_item`` then ``get_parent()`` up to the course."""
        ancestors = []
        parent = self.item(course_key, usage_key).get_parent()
        while parent is not None:
            ancestors.append(to_block_data(parent))
            parent = parent.get_parent()
        return ancestors[::-1]

    def get_blocks(self, course_key: CourseKey, block_types: Iterable[str] | None = None) -> Sequence[BlockData]:
        """``modulestore().get_course(course_key, depth=None)`` walked through ``get_children()``."""
        wanted = None if block_types is None else set(block_types)
        return [
            to_block_data(block)
            for block in walk(self.course_block(course_key))
            if wanted is None or block.category in wanted
        ]

    def count_children(self, course_key: CourseKey, usage_key: UsageKey | None = None) -> int:
        """``len(block.children)`` of ``get_course`` or ``get_item``."""
        block = self.course_block(course_key, depth=0) if usage_key is None else self.item(course_key, usage_key)
        return len(block.children)

    def has_blocks_of_type(self, course_key: CourseKey, block_type: str) -> bool:
        """``modulestore().get_items(course_key, qualifiers={"category": block_type})``, orphans left out."""
        return any(block.parent is not None for block in _store().get_items(course_key, {"category": block_type}))

    def update_course_settings(self, course_key: CourseKey, **values: object) -> CourseData:
        """``modulestore().update_item(course, ModuleStoreEnum.UserID.mgmt_command)`` with the changed fields."""
        unknown = set(values) - WRITABLE_SETTINGS
        if unknown:
            raise ValueError(f"Not a writable course setting: {', '.join(sorted(unknown))}")
        course = self.course_block(course_key, depth=0)
        for name, value in values.items():
            setattr(course, name, value)
        return to_course_data(_store().update_item(course, _MANAGEMENT_USER_ID))


#: ``xmodule.modulestore.ModuleStoreEnum.UserID.mgmt_command``: the user id the platform's own scripts write as.
_MANAGEMENT_USER_ID = -1
