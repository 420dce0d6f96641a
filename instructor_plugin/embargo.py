"""
Country access to restricted courses (Open edX's embargo), checked when the enrollment API enrolls.

Off unless ``INSTRUCTOR_PLUGIN["EMBARGO"]`` (by default Open edX's ``FEATURES["EMBARGO"]``) is true and
the backend provides the ``embargo`` capability. The countries checked are the user's profile
country (read by the backend) and the country of each of the request's client IPs, as the
original does; an IP's country comes from ``INSTRUCTOR_PLUGIN["EMBARGO_IP_COUNTRY_LOOKUP"]``, the
dotted path of a callable ``lookup(ip) -> "US" | None`` (no lookup configured: the profile only).
Course (or org) staff, instructors and global staff are never blocked::

    blocked_enrollment_url(course_key, user, ["203.0.113.9"]) -> "/embargo/blocked-message/enrollment/default/"
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.module_loading import import_string
from opaque_keys.edx.keys import CourseKey

from .backends.data import INSTRUCTOR, STAFF, UserData
from .backends.registry import get_backend
from .conf import plugin_setting

__all__ = ["blocked_enrollment_url"]

#: Where the original sends a learner refused enrollment by a country rule.
BLOCKED_MESSAGE_PATH = "/embargo/blocked-message/enrollment/{message_key}/"


def _ip_countries(ip_addresses: Sequence[str]) -> list[str]:
    path = plugin_setting("EMBARGO_IP_COUNTRY_LOOKUP")
    if not path:
        return []
    lookup = import_string(path)
    return [country for country in (lookup(ip) for ip in ip_addresses) if country]


def _is_course_team(course_key: CourseKey, user: UserData) -> bool:
    if user.is_staff:
        return True
    access = get_backend().roles.get_access(course_key, user.id)
    return bool({STAFF, INSTRUCTOR} & (access.course_roles | access.org_roles))


def blocked_enrollment_url(course_key: CourseKey, user: UserData, ip_addresses: Sequence[str]) -> str | None:
    """The path of the blocked-enrollment message when a country rule refuses ``user`` the course, else ``None``."""
    backend = get_backend()
    if not plugin_setting("EMBARGO") or not backend.provides("embargo"):
        return None
    if _is_course_team(course_key, user):
        return None
    message_key = backend.embargo.get_blocked_message_key(course_key, user.id, _ip_countries(ip_addresses))
    return None if message_key is None else BLOCKED_MESSAGE_PATH.format(message_key=message_key)
