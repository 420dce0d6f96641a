"""
The enrollment API (``/api/enrollment/v1/``): the admin list and one enrollment POST, each beside a raw-ORM baseline.

The list is the first page of 100 of every enrollment, newest first, read by global staff; its
baseline slices the same rows with ``select_related("user")``. The POST enrolls one fresh user in
the demo course in the default mode; its baseline creates the same enrollment with the plain ORM.
"""

from __future__ import annotations

from http import HTTPStatus
from itertools import count

from django.contrib.auth import get_user_model
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from benchmarks.measure import Figures, measure, measure_write
from instructor_plugin.backends.builtin.models import CourseEnrollment

User = get_user_model()
_numbers = count()


def _fresh_user():
    number = next(_numbers)
    return User.objects.create_user(f"bench_enrollment_api_{number}", f"bench_enrollment_api_{number}@example.com")


def figures(course_key: CourseKey) -> list[Figures]:
    staff = APIClient()
    staff.force_authenticate(User.objects.get(username="staff"))

    def admin_list() -> None:
        RequestCache.clear_all_namespaces()
        response = staff.get("/api/enrollment/v1/enrollments?page_size=100")
        assert response.status_code == HTTPStatus.OK, response.content

    def baseline_list() -> None:
        list(CourseEnrollment.objects.select_related("user").order_by("-created", "-pk")[:101])

    def post_enrollment() -> None:
        learner = APIClient()
        learner.force_authenticate(_fresh_user())
        response = learner.post(
            "/api/enrollment/v1/enrollment", {"course_details": {"course_id": str(course_key)}}, format="json"
        )
        assert response.status_code == HTTPStatus.OK, response.content

    def baseline_enrollment() -> None:
        CourseEnrollment.objects.get_or_create(user=_fresh_user(), course_key=course_key, defaults={"mode": "audit"})

    return [
        measure("enrollment API admin list, 100 (API)", admin_list),
        measure("enrollment API admin list, 100 (raw ORM)", baseline_list),
        measure_write("enrollment API POST one enrollment (API)", post_enrollment, post_enrollment),
        measure_write("enrollment API POST one enrollment (raw ORM)", baseline_enrollment, baseline_enrollment),
    ]
