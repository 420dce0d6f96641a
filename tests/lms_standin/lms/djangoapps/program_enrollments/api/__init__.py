"""Stand-in of openedx-platform ``lms/djangoapps/program_enrollments/api/__init__.py``: the reads the backend calls."""

from .reading import (
    fetch_program_course_enrollments,
    fetch_program_course_enrollments_by_students,
    fetch_program_enrollments,
    fetch_program_enrollments_by_students,
    get_org_key_for_program,
    get_saml_providers_for_organization,
    get_users_by_external_keys_and_org_key,
)

__all__ = [
    "fetch_program_course_enrollments",
    "fetch_program_course_enrollments_by_students",
    "fetch_program_enrollments",
    "fetch_program_enrollments_by_students",
    "get_org_key_for_program",
    "get_saml_providers_for_organization",
    "get_users_by_external_keys_and_org_key",
]
