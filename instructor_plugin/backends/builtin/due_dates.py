"""
Due dates of the built-in backend: original dates on ``Block.due``, learners' dates in ``DueDateOverride``.

Every change of a learner's date appends a ``DueDateChange`` row (a reset has no date).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Lower
from opaque_keys.edx.keys import CourseKey, UsageKey

from ..data import BlockData, DueDateOverrideData, Page, PageRequest
from ..exceptions import BlockNotFound, DueDateNotLater, NoDueDate
from .courses import to_block_data
from .models import Block, DueDateChange, DueDateOverride
from .users import to_user_data


@dataclass(frozen=True)
class _Node:
    pk: int
    parent_id: int | None
    usage_key: UsageKey
    due: datetime | None


def _tree(course_key: CourseKey) -> tuple[dict[UsageKey, _Node], dict[int | None, list[_Node]]]:
    """The course's blocks by usage key, and the children of each block id in tree order (one query)."""
    rows = Block.objects.filter(course__course_key=course_key).order_by("position")
    nodes = [_Node(*row) for row in rows.values_list("pk", "parent_id", "usage_key", "due")]
    children: dict[int | None, list[_Node]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    return {node.usage_key: node for node in nodes}, children


def _dated_subtree(course_key: CourseKey, usage_key: UsageKey) -> dict[UsageKey, datetime]:
    """
    The original due date of the block and of each dated descendant; raise ``BlockNotFound`` or
    ``NoDueDate`` (the block has no date).
    """
    by_key, children = _tree(course_key)
    root = by_key.get(usage_key)
    if root is None:
        raise BlockNotFound(usage_key)
    if root.due is None:
        raise NoDueDate(usage_key)
    dated: dict[UsageKey, datetime] = {}
    pending = [root]
    while pending:
        node = pending.pop()
        if node.due is not None:
            dated[node.usage_key] = node.due
        pending.extend(children.get(node.pk, ()))
    return dated


class BuiltinDueDateService:
    """Reads original dates from ``Block.due``; keeps learners' overrides and their history."""

    def is_enabled(self, course_key: CourseKey) -> bool:
        return Block.objects.filter(course__course_key=course_key, due__isnull=False).exists()

    def get_due_dates(self, course_key: CourseKey) -> Mapping[UsageKey, datetime]:
        rows = Block.objects.filter(course__course_key=course_key, due__isnull=False)
        return {key: due for key, due in rows.order_by("position").values_list("usage_key", "due") if due is not None}

    def list_dated_blocks(self, course_key: CourseKey) -> Sequence[BlockData]:
        blocks = list(Block.objects.filter(course__course_key=course_key).order_by("position"))
        keys: dict[int | None, UsageKey] = {block.pk: block.usage_key for block in blocks}
        children: dict[int | None, list[Block]] = {}
        for block in blocks:
            children.setdefault(block.parent_id, []).append(block)
        found: list[BlockData] = []

        def visit(block: Block) -> None:
            if block.due is not None:
                found.append(to_block_data(block, keys.get(block.parent_id)))
                return
            for child in children.get(block.pk, ()):
                visit(child)

        for root in children.get(None, ()):
            if root.block_type == "course":
                visit(root)
        return found

    def set_override(
        self,
        course_key: CourseKey,
        usage_key: UsageKey,
        user_id: int,
        due: datetime,
        actor_id: int | None,
        reason: str,
    ) -> Sequence[UsageKey]:
        dated = _dated_subtree(course_key, usage_key)
        if any(due <= original for original in dated.values()):
            raise DueDateNotLater(usage_key)
        keys = list(dated)
        with transaction.atomic():
            DueDateOverride.objects.filter(user_id=user_id, usage_key__in=keys).delete()
            DueDateOverride.objects.bulk_create(
                DueDateOverride(
                    user_id=user_id, course_key=course_key, usage_key=key, due=due, reason=reason, actor_id=actor_id
                )
                for key in keys
            )
            _record(course_key, keys, user_id, due, actor_id, reason)
        return keys

    def remove_override(
        self, course_key: CourseKey, usage_key: UsageKey, user_id: int, actor_id: int | None, reason: str
    ) -> Sequence[UsageKey]:
        keys = list(_dated_subtree(course_key, usage_key))
        with transaction.atomic():
            overrides = DueDateOverride.objects.filter(user_id=user_id, usage_key__in=keys)
            removed = list(overrides.values_list("usage_key", flat=True))
            overrides.filter(usage_key__in=removed).delete()
            _record(course_key, removed, user_id, None, actor_id, reason)
        return removed

    def get_learner_due_dates(self, course_key: CourseKey, user_id: int) -> Mapping[UsageKey, datetime]:
        dates = dict(self.get_due_dates(course_key))
        overrides = DueDateOverride.objects.filter(course_key=course_key, user_id=user_id, usage_key__in=list(dates))
        dates.update(overrides.values_list("usage_key", "due"))
        return dates

    def list_overrides(
        self,
        course_key: CourseKey,
        usage_keys: Sequence[UsageKey] | None,
        search: str | None,
        page: PageRequest,
    ) -> Page[DueDateOverrideData]:
        rows = DueDateOverride.objects.filter(course_key=course_key)
        if usage_keys is not None:
            rows = rows.filter(usage_key__in=list(usage_keys))
        if search and search.strip():
            term = search.strip()
            rows = rows.filter(Q(user__username__icontains=term) | Q(user__email__icontains=term))
        block = Block.objects.filter(course__course_key=course_key, usage_key=OuterRef("usage_key"))
        rows = rows.annotate(
            block_position=Subquery(block.values("position")[:1]),
            block_name=Subquery(block.values("display_name")[:1]),
            block_due=Subquery(block.values("due")[:1]),
        )
        total = rows.count()
        window = rows.select_related("user__builtin_profile").order_by(
            Lower("user__username"), "user__pk", "block_position", "pk"
        )
        items = [
            DueDateOverrideData(
                user=to_user_data(row.user),
                usage_key=row.usage_key,
                due=row.due,
                original_due=row.block_due,
                reason=row.reason,
                actor_id=row.actor_id,
                display_name=row.block_name or "",
            )
            for row in window[page.offset : page.offset + page.limit]
        ]
        return Page(items=items, total=total)


def _record(
    course_key: CourseKey, keys: Sequence[UsageKey], user_id: int, due: datetime | None, actor_id, reason: str
) -> None:
    DueDateChange.objects.bulk_create(
        DueDateChange(user_id=user_id, course_key=course_key, usage_key=key, due=due, reason=reason, actor_id=actor_id)
        for key in keys
    )
