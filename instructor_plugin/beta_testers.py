"""Adding and removing beta testers, one result row per identifier."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction
from opaque_keys.edx.keys import CourseKey

from .access import allow_access, revoke_access
from .backends.data import BETA
from .backends.exceptions import AmbiguousIdentifier, UserNotFound
from .backends.registry import get_backend
from .enrollment import get_email_params, send_beta_role_email

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
        row = {"identifier": identifier, "error": False, "user_does_not_exist": False, "is_active": None}
        try:
            user = backend.users.find_user(identifier)
        except UserNotFound:
            results.append({**row, "error": True, "user_does_not_exist": True, "error_message": "User not found."})
            continue
        except AmbiguousIdentifier:
            results.append({**row, "error": True, "error_message": "More than one user matches this identifier."})
            continue
        row["is_active"] = user.is_active
        try:
            with transaction.atomic():
                if action == "add":
                    allow_access(course_key, user.id, BETA)
                    if auto_enroll:
                        enrollment = backend.enrollments.get_enrollment(course_key, user.id)
                        if not (enrollment and enrollment.is_active):
                            backend.enrollments.enroll(course_key, user.id)
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
