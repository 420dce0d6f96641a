"""
Adding and removing beta testers, one result row per identifier.

Every change writes an :class:`~.models.AuditRecord` (``beta_tester_added`` or ``beta_tester_removed``)
in the same transaction as the change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction
from opaque_keys.edx.keys import CourseKey

from .access import allow_access, resolve_member, revoke_access
from .backends.data import BETA
from .backends.exceptions import EnrollmentNotAllowed
from .backends.registry import get_backend
from .enrollment import ensure_enrolled, get_email_params, send_beta_role_email
from .models import AuditRecord

__all__ = ["modify_beta_testers"]

log = logging.getLogger(__name__)

BETA_TESTER_ADDED = "beta_tester_added"
BETA_TESTER_REMOVED = "beta_tester_removed"


def modify_beta_testers(
    course_key: CourseKey,
    identifiers: Sequence[str],
    action: str,
    email_students: bool = False,
    auto_enroll: bool = False,
    secure: bool = True,
    actor_id: int | None = None,
) -> list[dict]:
    """
    Add (``"add"``) or remove (``"remove"``) beta testers, audited as done by ``actor_id``.

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
                        ensure_enrolled(course_key, user)
                else:
                    revoke_access(course_key, user.id, BETA)
                AuditRecord.objects.create(
                    course_key=course_key,
                    action=BETA_TESTER_ADDED if action == "add" else BETA_TESTER_REMOVED,
                    actor_id=actor_id,
                    learner_id=user.id,
                    detail={"auto_enroll": auto_enroll} if action == "add" else {},
                )
                if email_params is not None:
                    send_beta_role_email(action, user, email_params)
        except EnrollmentNotAllowed as error:
            results.append({**row, "error": True, "error_message": error.message})
            continue
        except Exception:
            log.exception("Could not %s beta tester %r in %s", action, identifier, course_key)
            results.append({**row, "error": True, "error_message": "The change could not be made."})
            continue
        results.append(row)
    return results
