"""Stand-in of openedx-platform ``lms/djangoapps/instructor/views/api.py``: ``create_user_and_user_profile``."""

from common.djangoapps.student.models import UserProfile
from django.contrib.auth import get_user_model


def create_user_and_user_profile(email, username, name, country, password):
    """The account and its profile (the platform also registers an activation key, left out here)."""
    user = get_user_model().objects.create_user(username, email, password)
    UserProfile.objects.create(user=user, name=name, country=country)
    return user
