"""
Course email written by course staff to recipient groups, sent now or at a set time.

An email is a :class:`~instructor_plugin.models.CourseEmail` sent by the background task
``bulk_course_email``. Sent now, the task is queued when the request commits; scheduled, its record
waits pending beside a :class:`~instructor_plugin.models.CourseEmailSchedule` until
:func:`send_due_course_emails` queues it: run every minute by Celery beat
(:func:`send_due_course_emails_task`) or by the ``send_due_course_emails`` management command.

The task sends in batches. Each batch's recipients are claimed (a
:class:`~instructor_plugin.models.CourseEmailDelivery` row, committed) before any message is handed
to the mail service, and a recipient already claimed is skipped: a task run again after a crash,
or delivered twice, never sends anyone a second copy. A recipient whose send raises is ``failed``
with the error; the others still get theirs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from opaque_keys.edx.keys import CourseKey

from . import resolve
from .backends.data import EmailRecipientData, EmailTargets, MailMessage, Page, PageRequest
from .backends.registry import get_backend
from .conf import plugin_setting
from .exceptions import InstructorError
from .instructor_tasks import ItemResult, TaskRun, cancel_task, create_task_record, task_type
from .message_types import COURSE_EMAIL
from .models import CourseEmail, CourseEmailDelivery, CourseEmailSchedule, InstructorTask
from .resolve import ScheduleNotFound
from .tasks import queue_task, submit_task

__all__ = [
    "BULK_EMAIL_TASK",
    "CANCELLED_MESSAGE",
    "InvalidEmailRequest",
    "ScheduleNotFound",
    "cancel_scheduled_email",
    "display_targets",
    "html_to_text",
    "list_email_tasks",
    "list_scheduled_emails",
    "list_sent_emails",
    "send_course_email",
    "send_due_course_emails",
    "send_due_course_emails_task",
    "update_scheduled_email",
    "validate_targets",
]

BULK_EMAIL_TASK = "bulk_course_email"
CANCELLED_MESSAGE = "Cancelled before it was sent."
MYSELF, STAFF, LEARNERS, COHORT, TRACK = "myself", "staff", "learners", "cohort", "track"


class InvalidEmailRequest(InstructorError):
    """A request to send or change an email that cannot be served; ``field`` names the input at fault."""

    def __init__(self, message: str, error_code: str, field: str | None = None):
        super().__init__(message=message, error_code=error_code, field=field)


def html_to_text(message: str) -> str:
    """The plain-text version of an HTML message: line breaks kept, tags dropped, entities decoded."""
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|h[1-6]|tr)>", "\n", message)
    text = html.unescape(strip_tags(text))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


def _split(target: str) -> tuple[str, str]:
    kind, _, value = str(target).strip().partition(":")
    return kind.strip().lower(), value.strip()


def validate_targets(course_key: CourseKey, targets: Sequence[str]) -> list[str]:
    """The targets checked, in stored form: ``myself``, ``staff``, ``learners``, ``cohort:<name>``, ``track:<mode>``."""
    if not targets:
        raise InvalidEmailRequest(
            "Must specify at least one target (recipient group) for a course email", "no_targets", "targets"
        )
    backend = get_backend()
    cohorts = modes = None
    cleaned: list[str] = []
    for target in targets:
        kind, value = _split(target)
        if kind in (MYSELF, STAFF, LEARNERS) and not value:
            stored = kind
        elif kind == COHORT and value:
            cohorts = cohorts if cohorts is not None else {c.name for c in backend.cohorts.list_cohorts(course_key)}
            if value not in cohorts:
                message = f"Cohort '{value}' does not exist in this course."
                raise InvalidEmailRequest(message, "unknown_cohort", "targets")
            stored = f"{COHORT}:{value}"
        elif kind == TRACK and value:
            modes = modes if modes is not None else {m.slug for m in backend.enrollments.list_modes(course_key)}
            if value not in modes:
                raise InvalidEmailRequest(
                    f"Track '{value}' is not an enrollment mode of this course.", "unknown_track", "targets"
                )
            stored = f"{TRACK}:{value}"
        else:
            raise InvalidEmailRequest(f"Unknown target: '{target}'.", "unknown_target", "targets")
        if stored not in cleaned:
            cleaned.append(stored)
    return cleaned


def _email_targets(email: CourseEmail) -> EmailTargets:
    parts = [_split(target) for target in email.targets]
    kinds = {kind for kind, _ in parts}
    return EmailTargets(
        myself_id=email.sender_id if MYSELF in kinds else None,
        staff=STAFF in kinds,
        learners=LEARNERS in kinds,
        cohorts=tuple(value for kind, value in parts if kind == COHORT),
        modes=tuple(value for kind, value in parts if kind == TRACK),
    )


def display_targets(email: CourseEmail) -> list[str]:
    """The targets as Open edX shows them: ``learners``, ``staff``, ``myself``, ``cohort-{name}``, ``track-{mode}``."""
    return [f"{kind}-{value}" if value else kind for kind, value in map(_split, email.targets)]


#: How Open edX names each kind of target in the list of sent emails.
_TARGET_TITLES = {MYSELF: "Myself", STAFF: "Staff and instructors", LEARNERS: "All students"}


def long_display_targets(email: CourseEmail) -> list[str]:
    """The targets as the legacy list of sent emails titles them: ``All students``, ``Cohort: Blue``, ..."""
    titles = []
    for kind, value in map(_split, email.targets):
        if kind == COHORT:
            titles.append(f"Cohort: {value}")
        elif kind == TRACK:
            titles.append(f"Course mode: {value}")
        else:
            titles.append(_TARGET_TITLES.get(kind, kind))
    return titles


def list_email_tasks(course_key: CourseKey) -> list[InstructorTask]:
    """Every email task of the course (sent, sending, scheduled), newest first."""
    rows = InstructorTask.objects.filter(course_key=course_key, task_type=BULK_EMAIL_TASK)
    return list(rows.select_related("requester").order_by("-created", "-pk"))


@dataclass(frozen=True)
class SentEmail:
    """An email task with its email and, when it was scheduled, the time it was due."""

    task: InstructorTask
    email: CourseEmail
    due: datetime | None


def list_sent_emails(course_key: CourseKey) -> list[SentEmail]:
    """The emails of the course's email tasks, newest first, read in three queries however many there are."""
    tasks = list_email_tasks(course_key)
    emails = {email.pk: email for email in CourseEmail.objects.filter(course_key=course_key)}
    schedules = CourseEmailSchedule.objects.filter(email__course_key=course_key)
    due = dict(schedules.values_list("task_id", "due"))
    return [
        SentEmail(task=task, email=emails[task.task_input["email_id"]], due=due.get(task.pk))
        for task in tasks
        if task.task_input.get("email_id") in emails
    ]


def _check_future(due: datetime, message: str) -> None:
    if due <= timezone.now():
        raise InvalidEmailRequest(message, "schedule_in_past", "schedule")


def send_course_email(
    course_key: CourseKey,
    sender_id: int | None,
    subject: str,
    message: str,
    targets: Sequence[str],
    schedule: datetime | None = None,
) -> InstructorTask:
    """
    Record an email and its task: queued when the transaction commits, or pending until ``schedule``.

    ``message`` is HTML (the plain text is derived from it); ``schedule`` must be aware and in the future.
    """
    cleaned = validate_targets(course_key, targets)
    if schedule is not None:
        _check_future(schedule, "The schedule must be in the future.")
    with transaction.atomic():
        email = CourseEmail.objects.create(
            course_key=course_key,
            sender_id=sender_id,
            subject=subject,
            html_message=message,
            text_message=html_to_text(message),
            targets=cleaned,
        )
        task_input = {"email_id": email.pk, "targets": cleaned}
        scope = f"email:{email.pk}"
        if schedule is None:
            return submit_task(BULK_EMAIL_TASK, course_key, sender_id, task_input, scope=scope)
        task = create_task_record(BULK_EMAIL_TASK, course_key, sender_id, task_input, scope=scope)
        CourseEmailSchedule.objects.create(email=email, task=task, due=schedule)
        return task


def send_due_course_emails(now: datetime | None = None) -> int:
    """Queue every scheduled email whose time has come, marking its schedule ``queued``; return how many."""
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            CourseEmailSchedule.objects.select_for_update()
            .select_related("task")
            .filter(state=CourseEmailSchedule.SCHEDULED, due__lte=now)
            .order_by("due", "pk")
        )
        count = 0
        for schedule in due:
            schedule.state = CourseEmailSchedule.QUEUED
            schedule.save(update_fields=["state", "modified"])
            if schedule.task.state == InstructorTask.PENDING:
                queue_task(schedule.task)
                count += 1
    return count


@shared_task(name="instructor_plugin.send_due_course_emails", ignore_result=True)
def send_due_course_emails_task() -> int:
    """
    The dispatcher as a Celery task, for Celery beat; a host adds to ``CELERY_BEAT_SCHEDULE``::

        "instructor_plugin.send_due_course_emails": {
            "task": "instructor_plugin.send_due_course_emails",
            "schedule": 60.0,
        }
    """
    return send_due_course_emails()


def list_scheduled_emails(course_key: CourseKey, page: PageRequest) -> Page[CourseEmailSchedule]:
    """The course's emails still waiting for their time, in the order they were scheduled."""
    rows = CourseEmailSchedule.objects.filter(
        email__course_key=course_key,
        task__course_key=course_key,
        state=CourseEmailSchedule.SCHEDULED,
        task__state=InstructorTask.PENDING,
    )
    items = rows.select_related("task", "email", "email__sender").order_by("pk")[page.offset : page.offset + page.limit]
    return Page(items=list(items), total=rows.count())


def _editable_schedule(course_key: CourseKey, schedule_id: object) -> CourseEmailSchedule:
    schedule = resolve.schedule(course_key, schedule_id, for_update=True)
    if schedule.state != CourseEmailSchedule.SCHEDULED or schedule.task.state != InstructorTask.PENDING:
        raise InvalidEmailRequest(
            f"Cannot update instructor task '{schedule.task_id}' for course '{course_key}', "
            "this task has already been processed",
            "schedule_already_processed",
        )
    return schedule


def update_scheduled_email(
    course_key: CourseKey,
    schedule_id: object,
    *,
    due: datetime | None = None,
    email: dict | None = None,
) -> CourseEmailSchedule:
    """
    Re-time a scheduled email and/or replace its content; ``email`` holds ``id``, ``targets``, ``subject``
    and ``message`` (HTML). Raises :class:`ScheduleNotFound` or :class:`InvalidEmailRequest`.
    """
    with transaction.atomic():
        schedule = _editable_schedule(course_key, schedule_id)
        prefix = f"Cannot update instructor task '{schedule.task_id}' for course '{course_key}'"
        if due is not None:
            _check_future(due, f"{prefix}, the updated schedule occurs in the past")
            schedule.due = due
            schedule.save(update_fields=["due", "modified"])
        if email is not None:
            course_email = schedule.email
            if email["id"] != course_email.pk:
                raise InvalidEmailRequest(
                    f"{prefix}, the email id '{email['id']}' specified in the request does not match the email id "
                    "associated with the task",
                    "email_id_mismatch",
                    "email",
                )
            course_email.targets = validate_targets(course_key, email["targets"])
            course_email.subject = email["subject"]
            course_email.html_message = email["message"]
            course_email.text_message = html_to_text(email["message"])
            course_email.save(update_fields=["targets", "subject", "html_message", "text_message", "modified"])
            task = schedule.task
            task.task_input = {**task.task_input, "targets": course_email.targets}
            task.save(update_fields=["task_input", "updated"])
        return schedule


def cancel_scheduled_email(course_key: CourseKey, schedule_id: object) -> None:
    """Cancel a scheduled email: its task fails "Cancelled before it was sent." and its schedule is ``cancelled``."""
    with transaction.atomic():
        schedule = _editable_schedule(course_key, schedule_id)
        cancel_task(schedule.task, CANCELLED_MESSAGE)
        schedule.state = CourseEmailSchedule.CANCELLED
        schedule.save(update_fields=["state", "modified"])


def _claimed(email: CourseEmail, batch: list[EmailRecipientData]) -> Iterator[tuple[EmailRecipientData, bool]]:
    """Claim the batch's recipients in a committed transaction; pair each with whether this run claimed it."""
    with transaction.atomic():
        user_ids = [recipient.user_id for recipient in batch]
        taken = set(email.deliveries.filter(user_id__in=user_ids).values_list("user_id", flat=True))
        CourseEmailDelivery.objects.bulk_create(
            [
                CourseEmailDelivery(email=email, user_id=recipient.user_id, address=recipient.email)
                for recipient in batch
                if recipient.user_id not in taken
            ],
            ignore_conflicts=True,
        )
    return ((recipient, recipient.user_id not in taken) for recipient in batch)


@task_type(BULK_EMAIL_TASK)
def _send_course_email_task(run: TaskRun) -> dict:
    email = CourseEmail.objects.get(pk=run.input["email_id"], course_key=run.course_key)
    backend = get_backend()
    course = backend.courses.get_course(run.course_key)
    targets = _email_targets(email)
    total = backend.enrollments.count_email_recipients(run.course_key, targets)
    batch_size = plugin_setting("BULK_EMAIL_BATCH_SIZE")
    context = {
        "subject": email.subject,
        "html_message": email.html_message,
        "text_message": email.text_message,
        "display_name": course.display_name,
        "platform_name": plugin_setting("PLATFORM_NAME"),
    }
    skipped = 0

    def deliver(item: tuple[EmailRecipientData, bool]) -> ItemResult:
        nonlocal skipped
        recipient, claimed = item
        if not claimed:
            skipped += 1
            return ItemResult(recipient.email, True, "Already handled by an earlier run; not sent again.")
        deliveries = email.deliveries.filter(user_id=recipient.user_id)
        try:
            backend.mail.send(
                MailMessage(
                    message_type=COURSE_EMAIL,
                    recipient_email=recipient.email,
                    context={**context, "full_name": recipient.full_name, "email_address": recipient.email},
                    recipient_user_id=recipient.user_id,
                    language=recipient.language,
                )
            )
        except Exception as exc:
            error = str(exc).strip() or exc.__class__.__name__
            deliveries.update(state=CourseEmailDelivery.FAILED, error=error, modified=timezone.now())
            return ItemResult(recipient.email, False, error, user_id=recipient.user_id)
        deliveries.update(state=CourseEmailDelivery.SENT, modified=timezone.now())
        return ItemResult(recipient.email, True, "Sent.", user_id=recipient.user_id)

    recipients = backend.enrollments.iter_email_recipients(run.course_key, targets)
    while batch := list(islice(recipients, batch_size)):
        run.each(
            _claimed(email, batch),
            deliver,
            total=total,
            describe=lambda item: item[0].email,
            chunk_size=batch_size,
            savepoints=False,
        )
    counts = run.counts()
    sent = counts["succeeded"] - skipped
    return {
        **counts,
        "sent": sent,
        "skipped": skipped,
        "message": f"Sent to {sent} of {total} recipients ({counts['failed']} failed, {skipped} already sent).",
    }
