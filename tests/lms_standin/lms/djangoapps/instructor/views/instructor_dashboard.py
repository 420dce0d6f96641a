"""Stand-in of openedx-platform ``lms/djangoapps/instructor/views/instructor_dashboard.py``: the legacy page."""

from django.http import JsonResponse


def instructor_dashboard_2(request, course_id):
    """The LMS's own page (HTML there)."""
    return JsonResponse({"served_by": "lms", "view": "instructor_dashboard"})
