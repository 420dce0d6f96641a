"""
Per-learner due-date extensions: the dated units of a course, changing and resetting a learner's date.

An extension moves the unit and every descendant with a due date together, must be later than each
original date, and is recorded by the backend with who made it, when and why.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime
from opaque_keys.edx.keys import CourseKey

from . import resolve
from .backends.data import BlockData, DueDateOverrideData, Page, PageRequest, UserData
from .backends.exceptions import NoDueDate
from .backends.registry import get_backend
from .exceptions import InstructorError

__all__ = [
    "DATE_FORMAT",
    "InvalidDueDate",
    "change_due_date",
    "graded_subsections",
    "list_unit_extensions",
    "parse_due_datetime",
    "reset_due_date",
    "title_or_url",
]

#: How dates appear in the messages people read.
DATE_FORMAT = "%Y-%m-%d %H:%M"


class InvalidDueDate(InstructorError):
    """The due date is not an ISO 8601 date and time."""

    error_code = "invalid_due_date"
    message = "The due date is not an ISO 8601 date and time."


def parse_due_datetime(text: str) -> datetime:
    """
    An ISO 8601 date and time in UTC: a naive one is taken as UTC, an aware one is converted (a bare date is midnight).

    Raises :class:`InvalidDueDate`.
    """
    try:
        value = parse_datetime(text.strip())
    except ValueError:
        value = None
    if value is None:
        raise InvalidDueDate(text)
    return _in_utc(value)


def _in_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def title_or_url(block: BlockData) -> str:
    """The block's display name, or its usage key when it has none."""
    return block.display_name or str(block.usage_key)


def _display_unit(block: BlockData) -> str:
    return f"{block.display_name} ({block.usage_key})" if block.display_name else str(block.usage_key)


def _learner_name(user: UserData) -> str:
    return user.full_name or user.username


def graded_subsections(course_key: CourseKey) -> list[dict]:
    """The units a learner's date can be changed on: ``[{"display_name", "subsection_id"}]``, in course order."""
    return [
        {"display_name": title_or_url(block), "subsection_id": str(block.usage_key)}
        for block in get_backend().due_dates.list_dated_blocks(course_key)
    ]


def change_due_date(
    actor_id: int | None,
    course_key: CourseKey,
    block_id: str,
    due: datetime,
    identifier: str,
    reason: str = "",
    *,
    learner_word: str = "learner",
) -> str:
    """
    Give an enrolled learner ``due`` on the unit and its dated descendants; return the success message.

    The message calls them ``learner_word`` (the legacy API's message says ``student``).

    Raises the errors of :func:`~instructor_plugin.resolve.block` (as :data:`~instructor_plugin.resolve.UNIT`)
    and :func:`~instructor_plugin.resolve.learner`, ``NoDueDate`` or ``DueDateNotLater``.
    """
    due = _in_utc(due)
    unit = resolve.block(course_key, block_id, resolve.UNIT)
    learner = resolve.learner(course_key, identifier, enrolled=True)
    try:
        get_backend().due_dates.set_override(course_key, unit.usage_key, learner.id, due, actor_id, reason)
    except NoDueDate:
        raise NoDueDate(unit.usage_key, message=f"Unit {unit.usage_key} has no due date to extend.") from None
    return (
        f"Successfully changed due date for {learner_word} {_learner_name(learner)} for {_display_unit(unit)} "
        f"to {due.strftime(DATE_FORMAT)}"
    )


def reset_due_date(
    actor_id: int | None, course_key: CourseKey, block_id: str, identifier: str, reason: str = ""
) -> str:
    """
    Remove the learner's extension on the unit and its descendants; return the message naming the original date.

    The learner need not be enrolled any more. Raises the errors of :func:`~instructor_plugin.resolve.block`
    (as :data:`~instructor_plugin.resolve.UNIT`) and :func:`~instructor_plugin.resolve.learner`, or ``NoDueDate``.
    """
    unit = resolve.block(course_key, block_id, resolve.UNIT)
    learner = resolve.learner(course_key, identifier)
    no_due_date = NoDueDate(unit.usage_key, message=f"Unit {unit.usage_key} has no due date to reset.")
    if unit.due is None:
        raise no_due_date
    try:
        get_backend().due_dates.remove_override(course_key, unit.usage_key, learner.id, actor_id, reason)
    except NoDueDate:
        raise no_due_date from None
    return (
        f"Successfully reset due date for student {_learner_name(learner)} for {_display_unit(unit)} "
        f"to {unit.due.strftime(DATE_FORMAT)}"
    )


def list_unit_extensions(
    course_key: CourseKey, page: PageRequest, search: str | None = None, block_id: str | None = None
) -> Page[DueDateOverrideData]:
    """
    Learners' extensions on one unit, or on every top-most dated unit, by username then course order.

    Raises the errors of :func:`~instructor_plugin.resolve.block` for a bad ``block_id``.
    """
    backend = get_backend()
    if block_id:
        usage_keys = [resolve.block(course_key, block_id, resolve.UNIT).usage_key]
    else:
        usage_keys = [block.usage_key for block in backend.due_dates.list_dated_blocks(course_key)]
    return backend.due_dates.list_overrides(course_key, usage_keys, search or None, page)
