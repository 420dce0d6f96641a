"""
Program enrollments (``/api/program_enrollments/v1/``): a 1,000-learner roster sync, 40 requests of 25,
beside a raw-ORM baseline.

The sync POSTs program enrollments and then program-course enrollments for 1,000 new external keys
(half of them linked to accounts, which the course enrollment turns into ``masters`` learners) as a
registrar service would, as global staff; the baseline bulk-creates the same rows, their history
and the course enrollments with the plain ORM.
"""

from __future__ import annotations

from http import HTTPStatus
from itertools import count

from django.contrib.auth import get_user_model
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from benchmarks.measure import Figures, measure_write
from instructor_plugin.backends.builtin.models import (
    CourseEnrollment,
    ExternalUserKey,
    Program,
    ProgramCourseEnrollment,
    ProgramEnrollment,
    ProgramEnrollmentHistory,
)
from instructor_plugin.backends.builtin.seed import DEMO_CURRICULUM_UUID, DEMO_PROGRAM_ORG, DEMO_PROGRAM_UUID

User = get_user_model()
LEARNERS = 1_000
BATCH = 25
_runs = count()


def _keys(with_accounts: bool) -> list[str]:
    """1,000 fresh external keys; every other one linked to a new account."""
    run = next(_runs)
    keys = [f"bench-{run}-{n}" for n in range(LEARNERS)]
    if with_accounts:
        User.objects.bulk_create(User(username=key, email=f"{key}@example.com") for key in keys[::2])
        users = dict(User.objects.filter(username__in=keys[::2]).values_list("username", "pk"))
        ExternalUserKey.objects.bulk_create(
            ExternalUserKey(org=DEMO_PROGRAM_ORG, external_user_key=k, key_lower=k, user_id=users[k]) for k in users
        )
    return keys


def figures(course_key: CourseKey) -> list[Figures]:
    staff = APIClient()
    staff.force_authenticate(User.objects.get(username="staff"))
    base = f"/api/program_enrollments/v1/programs/{DEMO_PROGRAM_UUID}"

    def sync() -> None:
        keys = _keys(with_accounts=True)
        for start in range(0, LEARNERS, BATCH):
            batch = keys[start : start + BATCH]
            body = [{"student_key": k, "status": "enrolled", "curriculum_uuid": DEMO_CURRICULUM_UUID} for k in batch]
            response = staff.post(f"{base}/enrollments/", body, format="json")
            assert response.status_code == HTTPStatus.OK, response.content
            body = [{"student_key": k, "status": "active"} for k in batch]
            response = staff.post(f"{base}/courses/{course_key}/enrollments/", body, format="json")
            assert response.status_code == HTTPStatus.OK, response.content

    def baseline() -> None:
        keys = _keys(with_accounts=True)
        users = dict(ExternalUserKey.objects.filter(key_lower__in=keys).values_list("key_lower", "user_id"))
        program = Program.objects.get(uuid=DEMO_PROGRAM_UUID)
        curriculum_id = program.curricula.get().pk
        ProgramEnrollment.objects.bulk_create(
            ProgramEnrollment(
                program_id=program.pk,
                curriculum_id=curriculum_id,
                user_id=users.get(k),
                external_user_key=k,
                key_lower=k,
                status="enrolled",
            )
            for k in keys
        )
        enrollments = list(ProgramEnrollment.objects.filter(key_lower__in=keys))
        ProgramCourseEnrollment.objects.bulk_create(
            ProgramCourseEnrollment(program_enrollment=e, course_key=course_key, status="active") for e in enrollments
        )
        now = timezone.now()
        ProgramEnrollmentHistory.objects.bulk_create(
            ProgramEnrollmentHistory(program_enrollment=e, status="enrolled", history_type="+", history_date=now)
            for e in enrollments
        )
        CourseEnrollment.objects.bulk_create(
            CourseEnrollment(user_id=e.user_id, course_key=course_key, mode="masters")
            for e in enrollments
            if e.user_id is not None
        )

    return [
        measure_write("program roster sync, 1,000 in 40 x 25 (API)", sync, sync),
        measure_write("program roster sync, 1,000 (raw ORM)", baseline, baseline),
    ]
