"""
Course team roles: who holds which role, and granting or revoking them.

No permission check happens here; callers check :mod:`instructor_plugin.permissions` first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey

from .backends.data import (
    BETA,
    CCX_COACH,
    COURSE_ROLES,
    DATA_RESEARCHER,
    FORUM_ADMINISTRATOR,
    FORUM_COMMUNITY_TA,
    FORUM_GROUP_MODERATOR,
    FORUM_MODERATOR,
    FORUM_ROLES,
    INSTRUCTOR,
    LIMITED_STAFF,
    STAFF,
    Page,
    PageRequest,
    TeamFilter,
    TeamMember,
    UserData,
)
from .backends.exceptions import AmbiguousIdentifier, UserNotFound
from .backends.registry import get_backend

__all__ = [
    "COURSE_ROLES",
    "FORUM_ROLES",
    "ROLE_DISPLAY_NAMES",
    "TEAM_ROLE_ORDER",
    "CourseAccess",
    "allow_access",
    "get_course_access",
    "is_forum_role",
    "list_team",
    "resolve_member",
    "revoke_access",
]

ROLE_DISPLAY_NAMES = {
    INSTRUCTOR: _("Admin"),
    STAFF: _("Staff"),
    LIMITED_STAFF: _("Limited Staff"),
    BETA: _("Beta Tester"),
    CCX_COACH: _("CCX Coach"),
    DATA_RESEARCHER: _("Data Researcher"),
    FORUM_ADMINISTRATOR: _("Discussion Admin"),
    FORUM_MODERATOR: _("Discussion Moderator"),
    FORUM_GROUP_MODERATOR: _("Group Moderator"),
    FORUM_COMMUNITY_TA: _("Community TA"),
}

#: The order in which team roles are listed.
TEAM_ROLE_ORDER = (
    STAFF,
    LIMITED_STAFF,
    INSTRUCTOR,
    BETA,
    DATA_RESEARCHER,
    FORUM_ADMINISTRATOR,
    FORUM_MODERATOR,
    FORUM_GROUP_MODERATOR,
    FORUM_COMMUNITY_TA,
    CCX_COACH,
)


@dataclass(frozen=True)
class CourseAccess:
    """What one user is in one course; the input of every permission rule."""

    user_id: int | None
    is_global_staff: bool = False
    course_roles: frozenset[str] = frozenset()
    org_roles: frozenset[str] = frozenset()
    forum_roles: frozenset[str] = frozenset()

    def holds(self, role: str) -> bool:
        """Course-level or org-level membership of a course role."""
        return role in self.course_roles or role in self.org_roles

    @property
    def is_instructor(self) -> bool:
        """Course or org instructor, or global staff."""
        return self.is_global_staff or self.holds(INSTRUCTOR)

    @property
    def is_course_staff(self) -> bool:
        """Course or org staff or instructor, or global staff."""
        return self.is_instructor or self.holds(STAFF)

    @property
    def is_data_researcher(self) -> bool:
        return self.holds(DATA_RESEARCHER)

    @property
    def is_forum_admin(self) -> bool:
        return FORUM_ADMINISTRATOR in self.forum_roles

    @property
    def is_discussion_admin(self) -> bool:
        """Course staff who is also the forum Administrator: may manage forum roles."""
        return self.is_course_staff and self.is_forum_admin


#: The request cache of :func:`get_course_access`: one role lookup per user and course per request.
ACCESS_CACHE = "instructor_plugin.access"


def get_course_access(user, course_key: CourseKey) -> CourseAccess:
    """
    The roles of a (possibly anonymous) Django user in the course.

    Read once per request (one backend call, cached in the request cache) and forgotten when this
    module grants or revokes a role.
    """
    if user is None or not user.is_authenticated:
        return CourseAccess(user_id=None)
    cache = RequestCache(ACCESS_CACHE)
    key = f"{course_key}|{user.pk}|{user.is_staff}"
    cached = cache.get_cached_response(key)
    if cached.is_found:
        return cached.value
    roles = get_backend().roles.get_access(course_key, user.pk)
    access = CourseAccess(
        user_id=user.pk,
        is_global_staff=user.is_staff,
        course_roles=roles.course_roles,
        org_roles=roles.org_roles,
        forum_roles=roles.forum_roles,
    )
    cache.set(key, access)
    return access


def is_forum_role(role: str) -> bool:
    """Whether ``role`` is a discussion-forum role rather than a course role."""
    return role in FORUM_ROLES


def allow_access(course_key: CourseKey, user_id: int, role: str) -> None:
    """Grant a course or forum role."""
    RequestCache(ACCESS_CACHE).clear()
    roles = get_backend().roles
    if is_forum_role(role):
        roles.add_forum_role(course_key, user_id, role)
    else:
        roles.add_course_role(course_key, user_id, role)


def revoke_access(course_key: CourseKey, user_id: int, role: str) -> None:
    """Revoke a course or forum role."""
    RequestCache(ACCESS_CACHE).clear()
    roles = get_backend().roles
    if is_forum_role(role):
        roles.remove_forum_role(course_key, user_id, role)
    else:
        roles.remove_course_role(course_key, user_id, role)


def list_team(course_key: CourseKey, roles: tuple[str, ...], search: str | None, page: PageRequest) -> Page[TeamMember]:
    """Holders of any of ``roles`` in the course, ordered by username."""
    filters = TeamFilter(
        course_roles=tuple(r for r in TEAM_ROLE_ORDER if r in roles and not is_forum_role(r)),
        forum_roles=tuple(r for r in TEAM_ROLE_ORDER if r in roles and is_forum_role(r)),
        search=search,
    )
    return get_backend().roles.list_team(course_key, filters, page)


def resolve_member(identifier: str) -> tuple[UserData | None, dict]:
    """
    The user an identifier names, and the start of its result row in a bulk role change.

    The row is ``{"identifier", "error", "user_does_not_exist", "is_active"}``; when no
    single user matches, the user is ``None`` and the row already carries the error.
    """
    row = {"identifier": identifier, "error": False, "user_does_not_exist": False, "is_active": None}
    try:
        user = get_backend().users.find_user(identifier)
    except UserNotFound:
        return None, {**row, "error": True, "user_does_not_exist": True, "error_message": "User not found."}
    except AmbiguousIdentifier:
        return None, {**row, "error": True, "error_message": "More than one user matches this identifier."}
    return user, {**row, "is_active": user.is_active}
