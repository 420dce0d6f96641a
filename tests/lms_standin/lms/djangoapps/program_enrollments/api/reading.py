"""
Stand-in of openedx-platform ``lms/djangoapps/program_enrollments/api/reading.py``: the query functions
with the platform's signatures and filters (``None`` filters are not applied, external keys match
ignoring case), and the lookup of an organisation's SAML providers and of accounts by external key.
"""

import re

from django.db.models import Q
from openedx.core.djangoapps.catalog.utils import get_programs
from organizations.models import Organization
from social_django.models import UserSocialAuth

from ..exceptions import (
    BadOrganizationShortNameException,
    ProgramDoesNotExistException,
    ProgramHasNoAuthoringOrganizationException,
    ProviderDoesNotExistException,
)
from ..models import ProgramCourseEnrollment, ProgramEnrollment


def _given(filters):
    return {name: value for name, value in filters.items() if value is not None}


def _keys_regex(external_user_keys):
    if not external_user_keys:
        return None
    return r"^(" + "|".join(re.escape(key) for key in external_user_keys) + ")$"


def _realized(prefix, realized_only, waiting_only):
    if realized_only and waiting_only:
        raise ValueError("realized_only and waiting_only are mutually exclusive.")
    if realized_only:
        return {f"{prefix}user__isnull": False}
    if waiting_only:
        return {f"{prefix}user__isnull": True}
    return {}


def fetch_program_enrollments(
    program_uuid,
    curriculum_uuids=None,
    users=None,
    external_user_keys=None,
    program_enrollment_statuses=None,
    realized_only=False,
    waiting_only=False,
):
    filters = {
        "curriculum_uuid__in": curriculum_uuids,
        "user__in": users,
        "external_user_key__iregex": _keys_regex(external_user_keys),
        "status__in": program_enrollment_statuses,
    }
    return ProgramEnrollment.objects.filter(
        program_uuid=program_uuid, **_given(filters), **_realized("", realized_only, waiting_only)
    )


def fetch_program_course_enrollments(
    program_uuid,
    course_key,
    curriculum_uuids=None,
    users=None,
    external_user_keys=None,
    program_enrollment_statuses=None,
    program_enrollments=None,
    active_only=False,
    inactive_only=False,
    realized_only=False,
    waiting_only=False,
):
    if active_only and inactive_only:
        raise ValueError("active_only and inactive_only are mutually exclusive.")
    filters = {
        "program_enrollment__curriculum_uuid__in": curriculum_uuids,
        "program_enrollment__user__in": users,
        "program_enrollment__external_user_key__iregex": _keys_regex(external_user_keys),
        "program_enrollment__status__in": program_enrollment_statuses,
        "program_enrollment__in": program_enrollments,
        "status": "active" if active_only else "inactive" if inactive_only else None,
    }
    return ProgramCourseEnrollment.objects.filter(
        program_enrollment__program_uuid=program_uuid,
        course_key=course_key,
        **_given(filters),
        **_realized("program_enrollment__", realized_only, waiting_only),
    )


def fetch_program_enrollments_by_students(
    users=None,
    external_user_keys=None,
    program_enrollment_statuses=None,
    realized_only=False,
    waiting_only=False,
):
    if not (users or external_user_keys):
        raise ValueError("user list and external_user_key_list are both empty or None.")
    filters = {
        "user__in": users,
        "external_user_key__iregex": _keys_regex(external_user_keys),
        "status__in": program_enrollment_statuses,
    }
    return ProgramEnrollment.objects.filter(**_given(filters), **_realized("", realized_only, waiting_only))


def fetch_program_course_enrollments_by_students(
    users=None,
    external_user_keys=None,
    program_uuids=None,
    curriculum_uuids=None,
    course_keys=None,
    program_enrollment_statuses=None,
    active_only=False,
    inactive_only=False,
    realized_only=False,
    waiting_only=False,
):
    if not (users or external_user_keys):
        raise ValueError("user list and external_user_key_list are both empty or None.")
    if active_only and inactive_only:
        raise ValueError("active_only and inactive_only are mutually exclusive.")
    filters = {
        "program_enrollment__user__in": users,
        "program_enrollment__external_user_key__iregex": _keys_regex(external_user_keys),
        "program_enrollment__program_uuid__in": program_uuids,
        "program_enrollment__curriculum_uuid__in": curriculum_uuids,
        "course_key__in": course_keys,
        "program_enrollment__status__in": program_enrollment_statuses,
        "status": "active" if active_only else "inactive" if inactive_only else None,
    }
    return ProgramCourseEnrollment.objects.filter(
        **_given(filters), **_realized("program_enrollment__", realized_only, waiting_only)
    )


def get_org_key_for_program(program_uuid):
    program = get_programs(uuid=program_uuid)
    if program is None:
        raise ProgramDoesNotExistException(program_uuid)
    organizations = program.get("authoring_organizations")
    org_key = organizations[0].get("key") if organizations else None
    if not org_key:
        raise ProgramHasNoAuthoringOrganizationException(program_uuid)
    return org_key


def get_saml_providers_for_organization(organization):
    providers = list(organization.samlproviderconfig_set.current_set().filter(enabled=True))
    if not providers:
        raise ProviderDoesNotExistException(organization)
    return providers


def get_saml_providers_by_org_key(org_key):
    try:
        organization = Organization.objects.get(short_name=org_key)
    except Organization.DoesNotExist:
        raise BadOrganizationShortNameException(org_key) from None
    return get_saml_providers_for_organization(organization)


def get_users_by_external_keys_and_org_key(external_user_keys, org_key):
    """Each key to the ``User`` whose social auth uid of one of the organisation's providers names it, or None."""
    found = {}
    for provider in get_saml_providers_by_org_key(org_key):
        uids = {provider.get_social_auth_uid(key) for key in external_user_keys}
        if uids:
            query = Q()
            for uid in uids:
                query |= Q(uid__iexact=uid)
            for social_auth in UserSocialAuth.objects.filter(query).select_related("user"):
                found[provider.get_remote_id_from_social_auth(social_auth)] = social_auth.user
    users = {key: None for key in external_user_keys}
    users.update(found)
    return users
