"""
Stand-in of openedx-platform ``openedx/core/djangoapps/catalog/utils.py``: the program reads of the
catalog cache (which the platform's ``cache_programs`` command fills from Discovery), with the
platform's signatures; a program is Discovery's dict (``uuid``, ``title``, ``marketing_slug``,
``type``, ``authoring_organizations``, ``curricula``).
"""

from django.core.cache import cache

from .cache import (
    COURSE_PROGRAMS_CACHE_KEY_TPL,
    PROGRAM_CACHE_KEY_TPL,
    PROGRAMS_BY_ORGANIZATION_CACHE_KEY_TPL,
    PROGRAMS_BY_TYPE_CACHE_KEY_TPL,
    SITE_PROGRAM_UUIDS_CACHE_KEY_TPL,
)


def get_programs(site=None, uuid=None, uuids=None, course=None, catalog_course_uuid=None, organization=None):
    """One program (``uuid``) or None, else the list the one given argument selects."""
    if sum(arg is not None for arg in (site, uuid, uuids, course, catalog_course_uuid, organization)) != 1:
        raise TypeError("get_programs takes exactly one argument")
    if uuid:
        return cache.get(PROGRAM_CACHE_KEY_TPL.format(uuid=uuid))
    if course:
        uuids = cache.get(COURSE_PROGRAMS_CACHE_KEY_TPL.format(course_run_id=course))
    elif site:
        uuids = cache.get(SITE_PROGRAM_UUIDS_CACHE_KEY_TPL.format(domain=site.domain), [])
    elif organization:
        uuids = get_programs_for_organization(organization)
    return get_programs_by_uuids(uuids or [])


def get_programs_by_type(site, program_type):
    """The site's programs of the type."""
    key = PROGRAMS_BY_TYPE_CACHE_KEY_TPL.format(site_id=site.id, program_type=normalize_program_type(program_type))
    return get_programs_by_uuids(cache.get(key, []))


def get_programs_by_uuids(uuids):
    programs = cache.get_many([PROGRAM_CACHE_KEY_TPL.format(uuid=uuid) for uuid in map(str, uuids)])
    return list(programs.values())


def normalize_program_type(program_type):
    return str(program_type).lower()


def get_programs_for_organization(organization):
    """The uuids of the programs the organisation authors."""
    return cache.get(PROGRAMS_BY_ORGANIZATION_CACHE_KEY_TPL.format(org_key=organization))
