"""Courses and their block tree, from the ``Course`` and ``Block`` tables."""

from collections.abc import Iterable, Sequence

from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey, UsageKey

from ..data import BlockData, CourseData
from ..exceptions import BlockNotFound, CourseNotFound
from .compiled import CompiledQuery
from .models import Block, Course

#: The request cache holding the certificate switch of each course read by ``get_course``: course metadata
#: reads the course and then the switch, one ``Course`` row.
CERTIFICATE_SWITCH_CACHE = "instructor_plugin.builtin.certificate_switch"

#: The course of a course id (as text), compiled once: every request reads it.
_COURSE_BY_KEY = CompiledQuery(
    lambda key: Course.objects.filter(course_key=key), ["course-v1:a+b+c"], ["course-v1:d+e+f"]
)

_WRITABLE_SETTINGS = frozenset(
    {"proctoring_escalation_email", "create_zendesk_tickets", "enable_proctored_exams", "proctoring_provider"}
)


def course_row(course_key: CourseKey) -> Course | None:
    """The ``Course`` row of a course key, read with SQL compiled once."""
    return next(iter(_COURSE_BY_KEY.instances(Course, str(course_key))), None)


def to_course_data(course: Course) -> CourseData:
    """The boundary record of a ``Course`` row."""
    policy = course.grading_policy or {}
    return CourseData(
        course_key=course.course_key,
        display_name=course.display_name,
        start=course.start,
        end=course.end,
        enrollment_start=course.enrollment_start,
        enrollment_end=course.enrollment_end,
        self_paced=course.self_paced,
        grade_cutoffs=policy.get("GRADE_CUTOFFS", {}),
        graders=policy.get("GRADER", []),
        enable_proctored_exams=course.enable_proctored_exams,
        enable_timed_exams=course.enable_timed_exams,
        proctoring_provider=course.proctoring_provider or None,
        proctoring_escalation_email=course.proctoring_escalation_email or None,
        create_zendesk_tickets=course.create_zendesk_tickets,
        enable_ccx=course.enable_ccx,
        teams_enabled=course.teams_enabled,
        invite_only=course.invitation_only,
        max_student_enrollments_allowed=course.max_student_enrollments_allowed,
    )


def to_block_data(block: Block, parent_key: UsageKey | None) -> BlockData:
    """The boundary record of a ``Block`` row."""
    return BlockData(
        usage_key=block.usage_key,
        block_type=block.block_type,
        display_name=block.display_name,
        parent_key=parent_key,
        graded=block.graded,
        assignment_type=block.assignment_type,
        due=block.due,
        max_attempts=block.max_attempts,
        weight=block.weight,
        has_score=block.has_score,
        data=block.data,
    )


class BuiltinCourseService:
    """Reads courses and blocks; writes the course's proctoring settings."""

    def get_course(self, course_key: CourseKey) -> CourseData:
        course = course_row(course_key)
        if course is None:
            raise CourseNotFound(course_key)
        RequestCache(CERTIFICATE_SWITCH_CACHE).set(str(course_key), course.certificate_generation_enabled)
        return to_course_data(course)

    def get_block(self, course_key: CourseKey, usage_key: UsageKey) -> BlockData:
        block = (
            Block.objects.select_related("parent").filter(course__course_key=course_key, usage_key=usage_key).first()
        )
        if block is None:
            raise BlockNotFound(usage_key)
        return to_block_data(block, block.parent.usage_key if block.parent else None)

    def get_ancestors(self, course_key: CourseKey, usage_key: UsageKey) -> Sequence[BlockData]:
        blocks: dict[int | None, Block] = {b.pk: b for b in Block.objects.filter(course__course_key=course_key)}
        by_key = {b.usage_key: b for b in blocks.values()}
        if usage_key not in by_key:
            raise BlockNotFound(usage_key)
        ancestors = []
        parent_id = by_key[usage_key].parent_id
        while parent_id is not None:
            parent = blocks[parent_id]
            grandparent = blocks.get(parent.parent_id)
            ancestors.append(to_block_data(parent, grandparent.usage_key if grandparent else None))
            parent_id = parent.parent_id
        return ancestors[::-1]

    def get_blocks(self, course_key: CourseKey, block_types: Iterable[str] | None = None) -> Sequence[BlockData]:
        rows = Block.objects.filter(course__course_key=course_key).select_related("parent")
        if block_types is not None:
            rows = rows.filter(block_type__in=list(block_types))
        return [to_block_data(b, b.parent.usage_key if b.parent else None) for b in rows.order_by("position")]

    def count_children(self, course_key: CourseKey, usage_key: UsageKey | None = None) -> int:
        rows = Block.objects.filter(course__course_key=course_key)
        if usage_key is None:
            return rows.filter(parent__isnull=False, parent__parent__isnull=True).count()
        return rows.filter(parent__usage_key=usage_key).count()

    def has_blocks_of_type(self, course_key: CourseKey, block_type: str) -> bool:
        return Block.objects.filter(course__course_key=course_key, block_type=block_type, parent__isnull=False).exists()

    def update_course_settings(self, course_key: CourseKey, **values: object) -> CourseData:
        unknown = set(values) - _WRITABLE_SETTINGS
        if unknown:
            raise ValueError(f"Not a writable course setting: {', '.join(sorted(unknown))}")
        course = Course.objects.filter(course_key=course_key).first()
        if course is None:
            raise CourseNotFound(course_key)
        for name, value in values.items():
            setattr(course, name, "" if value is None else value)
        course.save(update_fields=list(values))
        return to_course_data(course)
