"""Adding and removing beta testers, one result row per identifier."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction
from opaque_keys.edx.keys import CourseKey

from .access import allow_access, resolve_member, revoke_access
from .backends.data import BETA
from .backends.registry import get_backend
from .enrollment import ensure_enrolled, get_email_params, send_beta_role_email

__all__ = ["modify_beta_testers"]

log = logging.getLogger(__name__)


def modify_beta_testers(
    course_key: CourseKey,
    identifiers: Sequence[str],
    action: str,
    email_students: bool = False,
    auto_enroll: bool = False,
    secure: bool = True,
) -> list[dict]:
    """
    Add (``"add"``) or remove (``"remove"``) beta testers.

    Each row is ``{"identifier", "error", "user_does_not_exist", "is_active"}``; with
    ``auto_enroll`` an added tester who is not enrolled gets enrolled.
    """
    backend = get_backend()
    email_params = None
    if email_students:
        email_params = get_email_params(backend.courses.get_course(course_key), auto_enroll=False, secure=secure)
    results = []
    for identifier in identifiers:
        user, row = resolve_member(identifier)
        if user is None:
            results.append(row)
            continue
        try:
            with transaction.atomic():
                if action == "add":
                    allow_access(course_key, user.id, BETA)
                    if auto_enroll:
                        ensure_enrolled(course_key, user.id)
                else:
                    revoke_access(course_key, user.id, BETA)
                if email_params is not None:
                    send_beta_role_email(action, user, email_params)
        except Exception:
            log.exception("Could not %s beta tester %r in %s", action, identifier, course_key)
            results.append({**row, "error": True, "error_message": "The change could not be made."})
            continue
        results.append(row)
    return results
