"""
The demo host's home page: what there is to try, for a signed-in user.

    GET /   (signed in)
    200 text/html: the demo course and its numbers, links to the MFE, the API docs and the admin,
        and the demo users
    GET /   (anonymous)
    302 Location: /login?next=/
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.seed import DEMO_COURSE_ID, DEMO_PASSWORD, DEMO_USERS
from instructor_plugin.backends.exceptions import CourseNotFound
from instructor_plugin.backends.registry import get_backend
from instructor_plugin.instructor_tasks import list_running_tasks

FIRST_TAB = "course_info"


@dataclass(frozen=True)
class CourseNumbers:
    """A course at a glance, each figure one aggregate query of the backend."""

    display_name: str
    enrollments_by_mode: dict[str, int]
    problems: int
    exams: int
    certificates_issued: int
    open_tasks: int

    @property
    def enrollments(self) -> int:
        return sum(self.enrollments_by_mode.values())


def course_numbers(course_key: CourseKey) -> CourseNumbers:
    """The figures of the home page; raises ``CourseNotFound`` when the course is not seeded."""
    backend = get_backend()
    course = backend.courses.get_course(course_key)
    return CourseNumbers(
        display_name=course.display_name,
        enrollments_by_mode=dict(backend.enrollments.count_by_mode(course_key)),
        problems=len(backend.courses.get_blocks(course_key, ["problem"])),
        exams=len(backend.special_exams.list_exams(course_key)),
        certificates_issued=sum(backend.certificates.count_issued_by_mode(course_key).values()),
        open_tasks=len(list_running_tasks(course_key)),
    )


def mfe_links(course_id: str) -> list[str]:
    """Where the MFE is served: on this host when ``DEMO_MFE_DIST`` is set, and at each ``DEMO_MFE_ORIGINS``."""
    links = [f"/instructor-dashboard/{course_id}/{FIRST_TAB}"] if settings.DEMO_MFE_DIST else []
    return [*links, *(f"{origin}/" for origin in settings.DEMO_MFE_ORIGINS)]


@require_safe
@login_required
def home(request):
    """The home page; anonymous users sign in first."""
    try:
        numbers = course_numbers(CourseKey.from_string(DEMO_COURSE_ID))
    except CourseNotFound:
        numbers = None
    context = {
        "course_id": DEMO_COURSE_ID,
        "numbers": numbers,
        "mfe_links": mfe_links(DEMO_COURSE_ID),
        "demo_users": DEMO_USERS,
        "demo_password": DEMO_PASSWORD,
    }
    return render(request, "demo_host/home.html", context)
