"""
Managing the course team: which roles exist, who may grant them, and granting or revoking them.

Every grant or revocation writes an :class:`~.models.AuditRecord` (``team_role_granted`` or
``team_role_revoked``, ``detail={"role"}``) in the same transaction as the change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction
from opaque_keys.edx.keys import CourseKey

from . import resolve
from .access import (
    TEAM_ROLE_ORDER,
    CourseAccess,
    allow_access,
    is_forum_role,
    resolve_member,
    revoke_access,
)
from .backends.data import CCX_COACH, INSTRUCTOR, CourseData, UserData
from .backends.exceptions import EnrollmentNotAllowed
from .conf import plugin_setting
from .enrollment import ensure_enrolled
from .exceptions import ErrorCategory, InstructorError
from .models import AuditRecord

__all__ = [
    "ALLOW",
    "REVOKE",
    "InactiveUser",
    "RoleNotManageable",
    "SelfInstructorRevocation",
    "UnknownRole",
    "available_roles",
    "can_manage_role",
    "check_manageable_roles",
    "editable_roles",
    "modify_team",
    "revoke_member_roles",
]

log = logging.getLogger(__name__)

ALLOW = "allow"
REVOKE = "revoke"
ROLE_GRANTED = "team_role_granted"
ROLE_REVOKED = "team_role_revoked"


def _audit(course_key: CourseKey, action: str, actor_id: int | None, user_id: int, role: str) -> None:
    AuditRecord.objects.create(
        course_key=course_key, action=action, actor_id=actor_id, learner_id=user_id, detail={"role": role}
    )


class InactiveUser(InstructorError):
    """The user's account is inactive; their roles are not changed."""

    error_code = "inactive_user"

    def __init__(self, identifier: str):
        super().__init__(identifier, message=f"User '{identifier}' is inactive.")


class SelfInstructorRevocation(InstructorError):
    """An instructor tried to revoke their own instructor role."""

    category = ErrorCategory.CONFLICT
    error_code = "self_instructor_revocation"
    message = "Instructors cannot remove their own instructor access."


class UnknownRole(InstructorError):
    """A role that is not one of the course's team roles."""

    error_code = "unknown_role"

    def __init__(self, roles: Sequence[str]):
        super().__init__(*roles, message=f"Not a role of this course: {', '.join(roles)}.")


class RoleNotManageable(InstructorError):
    """A role the caller may not grant or revoke."""

    category = ErrorCategory.FORBIDDEN
    error_code = "role_not_manageable"
    message = "You do not have permission to change these roles."


def available_roles(course: CourseData) -> tuple[str, ...]:
    """The team roles of the course, in display order (``ccx_coach`` only where CCX is on)."""
    ccx = bool(plugin_setting("ENABLE_CCX")) and course.enable_ccx
    return tuple(role for role in TEAM_ROLE_ORDER if role != CCX_COACH or ccx)


def can_manage_role(access: CourseAccess, role: str) -> bool:
    """Instructors manage every role; discussion admins manage forum roles only."""
    return access.is_instructor or (access.is_discussion_admin and is_forum_role(role))


def editable_roles(course: CourseData, access: CourseAccess) -> tuple[str, ...]:
    """The roles the caller may grant or revoke."""
    return tuple(role for role in available_roles(course) if can_manage_role(access, role))


def check_manageable_roles(course: CourseData, access: CourseAccess, roles: Sequence[str]) -> None:
    """Raise :class:`UnknownRole` or :class:`RoleNotManageable` unless the caller may change every role named."""
    unknown = [role for role in roles if role not in available_roles(course)]
    if unknown:
        raise UnknownRole(unknown)
    if not all(can_manage_role(access, role) for role in roles):
        raise RoleNotManageable(*roles)


def modify_team(course_key: CourseKey, actor_id: int, identifiers: Sequence[str], role: str, action: str) -> list[dict]:
    """
    Grant (``"allow"``) or revoke (``"revoke"``) ``role`` for each identifier.

    Each row is ``{"identifier", "error", "user_does_not_exist", "is_active"}`` plus
    ``error_message`` on failure. Granting a course role also enrolls the user.
    Inactive users and revoking one's own instructor role are row errors.
    """
    results = []
    for identifier in identifiers:
        user, row = resolve_member(identifier)
        if user is None:
            results.append(row)
            continue
        failure = _change_role(course_key, actor_id, user, role, action)
        results.append({**row, "error": True, "error_message": failure} if failure else row)
    return results


def _change_role(course_key: CourseKey, actor_id: int, user: UserData, role: str, action: str) -> str | None:
    if not user.is_active:
        return "The user's account is inactive."
    if action == REVOKE and role == INSTRUCTOR and user.id == actor_id:
        return "Instructors cannot remove their own instructor access."
    try:
        with transaction.atomic():
            if action == ALLOW:
                allow_access(course_key, user.id, role)
                if not is_forum_role(role):
                    ensure_enrolled(course_key, user)
                _audit(course_key, ROLE_GRANTED, actor_id, user.id, role)
            else:
                revoke_access(course_key, user.id, role)
                _audit(course_key, ROLE_REVOKED, actor_id, user.id, role)
    except EnrollmentNotAllowed as error:
        return error.message
    except Exception:
        log.exception("Could not %s %s for user %s in %s", action, role, user.id, course_key)
        return "The change could not be made."
    return None


def revoke_member_roles(course_key: CourseKey, actor_id: int, identifier: str, roles: Sequence[str]) -> UserData:
    """
    Revoke ``roles`` from one team member and return them.

    Raises ``UserNotFound``/``AmbiguousIdentifier``, :class:`InactiveUser`, or
    :class:`SelfInstructorRevocation` before changing anything.
    """
    user = resolve.member(identifier)
    if not user.is_active:
        raise InactiveUser(identifier)
    if INSTRUCTOR in roles and user.id == actor_id:
        raise SelfInstructorRevocation(identifier)
    with transaction.atomic():
        for role in roles:
            revoke_access(course_key, user.id, role)
            _audit(course_key, ROLE_REVOKED, actor_id, user.id, role)
    return user
