"""
Due dates from edx-when: original dates are its ``ContentDate`` rows (written when a course is
published), learners' dates its ``UserDate`` rows; the content tree comes from the modulestore.

A change appends a ``UserDate`` naming the actor and the reason, as the LMS's instructor tools do; a
reset appends one without a date, so the learner's date falls back to the original and the history
stays. Reads skip edx-when's cache (``use_cached=False``): its key holds the course's published
version, which the plugin does not know.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Lower
from opaque_keys.edx.keys import CourseKey, UsageKey

from ..data import BlockData, DueDateOverrideData, Page, PageRequest
from ..exceptions import DueDateNotLater, NoDueDate
from .courses import OpenedxCourseService, to_block_data, walk
from .users import user_records, users_with_profile

DUE = "due"


def _dates(course_key: CourseKey, user_id: int | None = None) -> dict[UsageKey, datetime]:
    from edx_when.api import get_dates_for_course

    dates = get_dates_for_course(course_key, user=user_id, use_cached=False)
    return {location: date for (location, field), date in dates.items() if field == DUE and date is not None}


def _current_overrides(course_key: CourseKey) -> Any:
    """Each learner's newest ``UserDate`` per block of the course, when it holds a date (not a reset)."""
    from edx_when.models import UserDate

    newest = UserDate.objects.filter(user_id=OuterRef("user_id"), content_date_id=OuterRef("content_date_id"))
    newest = newest.order_by("-modified", "-pk").values("pk")[:1]
    return UserDate.objects.filter(
        content_date__course_id=course_key, content_date__active=True, content_date__field=DUE, pk=Subquery(newest)
    ).filter(Q(abs_date__isnull=False) | Q(rel_date__isnull=False))


class OpenedxDueDateService:
    """Calls ``edx_when.api``; walks the course tree through the course service."""

    def __init__(self, courses: OpenedxCourseService) -> None:
        self.courses = courses

    def _dated_subtree(self, course_key: CourseKey, usage_key: UsageKey) -> dict[UsageKey, datetime]:
        dates = _dates(course_key)
        root = self.courses.item(course_key, usage_key)
        if usage_key not in dates:
            raise NoDueDate(usage_key)
        return {block.location: dates[block.location] for block in walk(root) if block.location in dates}

    def is_enabled(self, course_key: CourseKey) -> bool:
        """``edx_when.api.get_dates_for_course(course_key)`` holds a ``due`` date."""
        return bool(_dates(course_key))

    def get_due_dates(self, course_key: CourseKey) -> Mapping[UsageKey, datetime]:
        """The ``due`` dates of ``edx_when.api.get_dates_for_course(course_key)``."""
        return _dates(course_key)

    def list_dated_blocks(self, course_key: CourseKey) -> Sequence[BlockData]:
        """The course tree (``modulestore().get_course``) cut at the first block ``edx-when`` dates."""
        dates = _dates(course_key)
        found: list[BlockData] = []
        pending = [self.courses.course_block(course_key)]
        while pending:
            block = pending.pop()
            if block.location in dates:
                found.append(to_block_data(block))
            else:
                pending.extend(reversed(block.get_children()))
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
        """``edx_when.api.set_date_for_block(course_key, key, "due", due, user=, reason=, actor=)`` per block."""
        from edx_when.api import set_date_for_block

        dated = self._dated_subtree(course_key, usage_key)
        if any(due <= original for original in dated.values()):
            raise DueDateNotLater(usage_key)
        users = get_user_model().objects.in_bulk([user_id, *([actor_id] if actor_id else [])])
        with transaction.atomic():
            for key in dated:
                set_date_for_block(
                    course_key, key, DUE, due, user=users[user_id], reason=reason, actor=users.get(actor_id)
                )
        return list(dated)

    def remove_override(
        self, course_key: CourseKey, usage_key: UsageKey, user_id: int, actor_id: int | None, reason: str
    ) -> Sequence[UsageKey]:
        """``edx_when.api.set_date_for_block(course_key, key, "due", None, user=...)`` per block holding an override."""
        from edx_when.api import set_date_for_block

        dated = self._dated_subtree(course_key, usage_key)
        held = set(
            _current_overrides(course_key)
            .filter(user_id=user_id, content_date__location__in=list(dated))
            .values_list("content_date__location", flat=True)
        )
        removed = [key for key in dated if key in held]
        users = get_user_model().objects.in_bulk([user_id, *([actor_id] if actor_id else [])])
        with transaction.atomic():
            for key in removed:
                set_date_for_block(
                    course_key, key, DUE, None, user=users[user_id], reason=reason, actor=users.get(actor_id)
                )
        return removed

    def get_learner_due_dates(self, course_key: CourseKey, user_id: int) -> Mapping[UsageKey, datetime]:
        """The ``due`` dates of ``edx_when.api.get_dates_for_course(course_key, user=user_id)``."""
        return _dates(course_key, user_id)

    def list_overrides(
        self,
        course_key: CourseKey,
        usage_keys: Sequence[UsageKey] | None,
        search: str | None,
        page: PageRequest,
    ) -> Page[DueDateOverrideData]:
        """
        Current overrides read from ``edx_when.models.UserDate`` (``edx_when.api.get_overrides_for_course``
        returns them all, unsorted), filtered, ordered and sliced in the database.
        """
        dates = _dates(course_key)
        blocks = {block.location: block for block in walk(self.courses.course_block(course_key))}
        order = [key for key in blocks if key in dates]
        rows = _current_overrides(course_key)
        if usage_keys is not None:
            rows = rows.filter(content_date__location__in=list(usage_keys))
        if search and search.strip():
            term = search.strip()
            rows = rows.filter(Q(user__username__icontains=term) | Q(user__email__icontains=term))
        total = rows.count()
        position = Case(
            *(When(content_date__location=key, then=Value(index)) for index, key in enumerate(order)),
            default=Value(len(order)),
            output_field=IntegerField(),
        )
        window = list(
            rows.select_related("user", "content_date").order_by(Lower("user__username"), "user_id", position, "pk")[
                page.offset : page.offset + page.limit
            ]
        )
        users = {
            user.id: user for user in user_records(users_with_profile().filter(pk__in={row.user_id for row in window}))
        }
        items = []
        for row in window:
            location = row.content_date.location
            block = blocks.get(location)
            items.append(
                DueDateOverrideData(
                    user=users[row.user_id],
                    usage_key=location,
                    due=row.actual_date,
                    original_due=dates.get(location),
                    reason=row.reason,
                    actor_id=row.actor_id,
                    display_name=(block.display_name or "") if block is not None else "",
                )
            )
        return Page(items=items, total=total)
