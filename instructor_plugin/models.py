"""
Tables the plugin owns whatever its host: background-task records, reports and the audit trail.

Hosts keep their own data behind the backend interfaces; these rows describe the plugin's own work.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils import timezone
from opaque_keys.edx.django.models import CourseKeyField, UsageKeyField
from opaque_keys.edx.keys import CourseKey

from .backends.key_columns import CourseKeyColumn
from .backends.rows import insert_rows, stored_datetime, stored_json

User = settings.AUTH_USER_MODEL


class InstructorTask(models.Model):
    """
    One background task: what was asked, by whom, how far it got and how it ended.

    ``active_key`` holds a digest of (course, type, scope) while the task is pending or
    running and is cleared when it ends; its unique index is what lets only one such task
    run at a time, on every database.
    """

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    STATES = ((PENDING, "Pending"), (RUNNING, "Running"), (COMPLETED, "Completed"), (FAILED, "Failed"))
    ACTIVE_STATES = (PENDING, RUNNING)

    task_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    task_type = models.CharField(max_length=64)
    scope = models.CharField(max_length=255, blank=True, help_text="What the task covers (a problem, a learner).")
    active_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    usage_key = UsageKeyField(max_length=255, null=True, blank=True, help_text="The problem the task works on.")
    learner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requester = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task_input = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=STATES, default=PENDING)
    progress_current = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    output = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    deliveries = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker picked it up.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=("course_key", "state"), name="ip_task_course_state"),
            models.Index(fields=("course_key", "usage_key", "created"), name="ip_task_course_problem"),
        ]

    def __str__(self):
        return f"{self.task_type} {self.task_id} ({self.state})"


class InstructorTaskResult(models.Model):
    """What a task did for one learner or identifier, written in the same transaction as the change."""

    task = models.ForeignKey(InstructorTask, on_delete=models.CASCADE, related_name="results")
    identifier = models.CharField(max_length=255)
    user_id = models.BigIntegerField(null=True, blank=True)
    succeeded = models.BooleanField()
    message = models.TextField(blank=True)
    detail = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=("task", "succeeded"), name="ip_task_result_outcome")]

    def __str__(self):
        return f"{self.identifier}: {'ok' if self.succeeded else 'failed'}"


class Report(models.Model):
    """A report file in the report storage, with its type, creator and creation time."""

    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    report_type = models.CharField(max_length=64)
    name = models.CharField(max_length=255, help_text="The file name a downloader sees.")
    storage_path = models.CharField(max_length=512, unique=True)
    content_type = models.CharField(max_length=100, default="text/csv")
    size = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task = models.ForeignKey(InstructorTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=("course_key", "created"), name="ip_report_course_created")]

    def __str__(self):
        return self.name


class AuditRecord(models.Model):
    """Who changed which learner's data, when, how and through which task."""

    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
    action = models.CharField(max_length=64)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    learner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    usage_key = UsageKeyField(max_length=255, null=True, blank=True)
    task = models.ForeignKey(InstructorTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=("course_key", "created"), name="ip_audit_course_created")]

    def __str__(self):
        return f"{self.action} by {self.actor_id} on {self.learner_id}"


#: ``(actor id, learner id, usage key as text or "", task id, detail)`` of one audit record of a set.
AuditRow = tuple[int | None, int | None, str, int | None, dict]


def insert_audit_records(course_key: CourseKey, action: str, rows: Iterable[AuditRow]) -> None:
    """Write many audit records of one course and action as plain rows, stamped now (no model instances)."""
    course, now = str(course_key), stored_datetime(AuditRecord, timezone.now())
    insert_rows(
        AuditRecord,
        ("course_key", "action", "actor", "learner", "usage_key", "task", "detail", "created"),
        [
            (course, action, actor, learner, usage, task, stored_json(AuditRecord, detail), now)
            for actor, learner, usage, task, detail in rows
        ],
    )


class CourseEmail(models.Model):
    """One email written by course staff to recipient groups of a course."""

    course_key: CourseKeyColumn = CourseKeyField(max_length=255, db_index=True)
    sender = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(max_length=128)
    html_message = models.TextField()
    text_message = models.TextField(blank=True)
    targets = models.JSONField(default=list, help_text="myself, staff, learners, cohort:<name>, track:<mode>")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.subject


class CourseEmailSchedule(models.Model):
    """When a course email is due to be sent, and the task that sends it."""

    SCHEDULED = "scheduled"
    QUEUED = "queued"
    CANCELLED = "cancelled"
    STATES = ((SCHEDULED, "Scheduled"), (QUEUED, "Queued"), (CANCELLED, "Cancelled"))

    email = models.OneToOneField(CourseEmail, on_delete=models.CASCADE, related_name="schedule")
    task = models.OneToOneField(InstructorTask, on_delete=models.CASCADE, related_name="email_schedule")
    due = models.DateTimeField()
    state = models.CharField(max_length=16, choices=STATES, default=SCHEDULED)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=("state", "due"), name="ip_email_schedule_due")]

    def __str__(self):
        return f"{self.email_id} due {self.due} ({self.state})"


class CourseEmailDelivery(models.Model):
    """
    One recipient of one course email; the row is claimed before the message is handed to the mail
    service, so a task run again never sends that recipient a second copy.
    """

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    STATES = ((CLAIMED, "Claimed"), (SENT, "Sent"), (FAILED, "Failed"))

    email = models.ForeignKey(CourseEmail, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    address = models.EmailField()
    state = models.CharField(max_length=16, choices=STATES, default=CLAIMED)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("email", "user"), name="ip_unique_email_delivery")]

    def __str__(self):
        return f"{self.email_id} to {self.user_id}: {self.state}"
