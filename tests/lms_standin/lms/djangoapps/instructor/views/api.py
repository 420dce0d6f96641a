"""
Stand-in of openedx-platform ``lms/djangoapps/instructor/views/api.py``: ``create_user_and_user_profile``, and two
of its legacy views answering who served them.
"""

from common.djangoapps.student.models import UserProfile
from django.contrib.auth import get_user_model
from django.http import JsonResponse


def create_user_and_user_profile(email, username, name, country, password):
    """The account and its profile (the platform also registers an activation key, left out here)."""
    user = get_user_model().objects.create_user(username, email, password)
    UserProfile.objects.create(user=user, name=name, country=country)
    return user


def list_instructor_tasks(request, course_id):
    """The LMS's own answer (its ``InstructorTask`` rows, which the stand-in does not list)."""
    return JsonResponse({"served_by": "lms", "view": "list_instructor_tasks"})


def list_course_role_members(request, course_id):
    """The LMS's own answer (a legacy endpoint the plugin does not serve)."""
    return JsonResponse({"served_by": "lms", "view": "list_course_role_members"})
