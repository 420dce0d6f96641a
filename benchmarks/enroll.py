"""
Enrolling a list in one request and a long list through the ``batch_enrollment`` task.

Enrollment writes run in one transaction each side, as a request does; the baseline is a plain
loop of lookups, ``get_or_create`` and an audit row per identifier.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from opaque_keys.edx.keys import CourseKey

from benchmarks.measure import Comparison, Figures, measure_write
from instructor_plugin.api import process_student_enrollment_batch, start_enrollment_batch_task
from instructor_plugin.backends.builtin.models import CourseEnrollment, ManualEnrollmentAudit, UserProfile
from instructor_plugin.backends.builtin.seed import analyse_tables
from instructor_plugin.instructor_tasks import execute_task
from instructor_plugin.models import InstructorTask

User = get_user_model()


def _fresh_users(prefix: str, count: int) -> list[str]:
    """``count`` registered, not enrolled users; returns their usernames."""
    password = make_password("edx")
    names = [f"{prefix}{n}" for n in range(count)]
    User.objects.bulk_create(
        [User(username=name, email=f"{name}@example.com", password=password) for name in names], batch_size=5000
    )
    users = User.objects.filter(username__in=names)
    UserProfile.objects.bulk_create([UserProfile(user=user, name=user.username) for user in users], batch_size=5000)
    return names


@transaction.atomic
def _plugin_enroll(course_key: CourseKey, actor, identifiers: list[str]) -> None:
    process_student_enrollment_batch(actor, course_key, "enroll", identifiers, False, False, "benchmark", secure=True)


@transaction.atomic
def _baseline_enroll(course_key: CourseKey, actor, identifiers: list[str]) -> None:
    for identifier in identifiers:
        user = User.objects.filter(Q(username=identifier) | Q(email__iexact=identifier)).first()
        CourseEnrollment.objects.get_or_create(user=user, course_key=course_key)
        ManualEnrollmentAudit.objects.create(
            enrolled_by=actor,
            enrolled_email=user.email,
            course_key=course_key,
            state_transition="from unenrolled to enrolled",
        )


def figures(course_key: CourseKey, count: int, task_count: int) -> list[Comparison | Figures]:
    """``count`` identifiers through the batch API beside the raw loop; ``task_count`` through the task."""
    actor = User.objects.get(username="instructor")
    ours = _fresh_users("bench_plugin_", 2 * count)
    baseline = _fresh_users("bench_orm_", 2 * count)
    api = Comparison(
        measure_write(
            f"enroll {count:,} identifiers (batch API)",
            lambda: _plugin_enroll(course_key, actor, ours[:count]),
            lambda: _plugin_enroll(course_key, actor, ours[count:]),
        ),
        measure_write(
            f"enroll {count:,} identifiers (raw ORM)",
            lambda: _baseline_enroll(course_key, actor, baseline[:count]),
            lambda: _baseline_enroll(course_key, actor, baseline[count:]),
        ),
    )
    in_task = _fresh_users("bench_task_", task_count)
    in_call = _fresh_users("bench_call_", task_count)
    analyse_tables()  # as after any bulk load: the planners then know the new users

    def through_the_task() -> None:
        task = start_enrollment_batch_task(actor, course_key, "enroll", in_task, False, False, "benchmark", True)
        execute_task(str(task.task_id))
        task.refresh_from_db()
        assert (task.state, task.output["successful_operations"]) == (InstructorTask.COMPLETED, task_count), task.error

    task = Comparison(
        measure_write(f"enroll {task_count:,} identifiers (batch_enrollment task)", through_the_task),
        measure_write(
            f"enroll {task_count:,} identifiers (one batch API call)",
            lambda: _plugin_enroll(course_key, actor, in_call),
        ),
    )
    return [api, task]
