"""
Seed a course with many learners, then measure the plugin beside a raw-ORM baseline.

Measured: the enrollments list, the ``enrolled_students`` and ``grade`` reports (rows per second
and peak memory, at N/10 and N learners), rescoring a problem for every learner, the issued
certificates list at 100,000 certificates, a bulk exception upload of 5,000 rows, enrolling a list
in one request and a long list through the ``batch_enrollment`` task, and the enrollment API's admin
list and one enrollment POST. Enrollment writes run in
one transaction each side, as a request does.

``python -m benchmarks [--learners 100000] [--identifiers 1000] [--task-identifiers 10000]``.
Every plugin figure is printed next to the same reads or writes done with the plain ORM (or, for
the task, the direct call) in the same run, so the ratio, not the absolute number, is what to watch.
"""

from __future__ import annotations

import argparse
import os
import time
from http import HTTPStatus

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from edx_django_utils.cache import RequestCache  # noqa: E402
from opaque_keys.edx.keys import CourseKey  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from benchmarks import certificates, enrollment_api, grading, reports  # noqa: E402
from benchmarks.measure import HEADER, measure, measure_write  # noqa: E402
from instructor_plugin.api import process_student_enrollment_batch, start_enrollment_batch_task  # noqa: E402
from instructor_plugin.backends.builtin.models import (  # noqa: E402
    CourseAccessRole,
    CourseEnrollment,
    ManualEnrollmentAudit,
    UserProfile,
)
from instructor_plugin.instructor_tasks import execute_task  # noqa: E402
from instructor_plugin.models import InstructorTask  # noqa: E402

COURSE_ID = "course-v1:OpenedX+DemoX+Demo_Course"
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


def _api_get(client: APIClient, query: str) -> None:
    RequestCache.clear_all_namespaces()
    response = client.get(f"/api/instructor/v2/courses/{COURSE_ID}/enrollments{query}")
    assert response.status_code == HTTPStatus.OK, response.content


def _baseline_page(course_key: CourseKey, condition: Q | None = None) -> None:
    rows = CourseEnrollment.objects.filter(course_key=course_key, is_active=True)
    if condition is not None:
        rows = rows.filter(condition)
    rows.count()
    list(rows.select_related("user", "user__builtin_profile").order_by("user__username")[:25])


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


def _enroll_in_background(course_key: CourseKey, actor, count: int) -> list:
    """A list of ``count`` identifiers through the ``batch_enrollment`` task, beside the same list in one call."""
    identifiers = _fresh_users("bench_task_", count)
    baseline = _fresh_users("bench_call_", count)

    def through_the_task() -> None:
        task = start_enrollment_batch_task(actor, course_key, "enroll", identifiers, False, False, "benchmark", True)
        execute_task(str(task.task_id))
        task.refresh_from_db()
        assert (task.state, task.output["successful_operations"]) == (InstructorTask.COMPLETED, count), task.error

    return [
        measure_write(f"enroll {count:,} identifiers (batch_enrollment task)", through_the_task),
        measure_write(
            f"enroll {count:,} identifiers (one batch API call)", lambda: _plugin_enroll(course_key, actor, baseline)
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--identifiers", type=int, default=1_000)
    parser.add_argument("--task-identifiers", type=int, default=10_000)
    args = parser.parse_args()

    database = connection.settings_dict["NAME"]
    if os.path.exists(database):
        os.remove(database)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo_course", learners=args.learners, verbosity=0)
    print(f"Seeded {args.learners:,} learners in {time.perf_counter() - started:.1f} s ({database})\n")

    course_key = CourseKey.from_string(COURSE_ID)
    instructor = User.objects.get(username="instructor")
    beta_ids = CourseAccessRole.objects.filter(course_key=course_key, role="beta").values("user_id")
    client = APIClient()
    client.force_authenticate(instructor)
    search = f"learner{args.learners // 2}"

    figures = [
        measure("enrollments page 1 (API)", lambda: _api_get(client, "?page_size=25")),
        measure("enrollments page 1 (raw ORM)", lambda: _baseline_page(course_key)),
        measure(f"enrollments search={search} (API)", lambda: _api_get(client, f"?search={search}&page_size=25")),
        measure(
            "enrollments search (raw ORM)",
            lambda: _baseline_page(course_key, Q(user__username__icontains=search) | Q(user__email__icontains=search)),
        ),
        measure("enrollments is_beta_tester=true (API)", lambda: _api_get(client, "?is_beta_tester=true&page_size=25")),
        measure("enrollments is_beta_tester (raw ORM)", lambda: _baseline_page(course_key, Q(user_id__in=beta_ids))),
    ]

    # Reports and rescoring first, while the course holds exactly the seeded learners.
    figures.extend(reports.figures(course_key))
    figures.extend(grading.figures(course_key))
    figures.extend(certificates.figures(course_key))
    figures.extend(enrollment_api.figures(course_key))

    count = args.identifiers
    ours = _fresh_users("bench_plugin_", 2 * count)
    baseline = _fresh_users("bench_orm_", 2 * count)
    figures.append(
        measure_write(
            f"enroll {count:,} identifiers (batch API)",
            lambda: _plugin_enroll(course_key, instructor, ours[:count]),
            lambda: _plugin_enroll(course_key, instructor, ours[count:]),
        )
    )
    figures.append(
        measure_write(
            f"enroll {count:,} identifiers (raw ORM)",
            lambda: _baseline_enroll(course_key, instructor, baseline[:count]),
            lambda: _baseline_enroll(course_key, instructor, baseline[count:]),
        )
    )

    figures.extend(_enroll_in_background(course_key, instructor, args.task_identifiers))

    print(HEADER)
    print("-" * len(HEADER))
    for figure in figures:
        print(figure.row())


if __name__ == "__main__":
    main()
