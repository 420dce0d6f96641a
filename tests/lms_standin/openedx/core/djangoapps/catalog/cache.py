"""Stand-in of openedx-platform ``openedx/core/djangoapps/catalog/cache.py``: the keys ``cache_programs`` writes."""

PROGRAM_CACHE_KEY_TPL = "program-{uuid}"
SITE_PROGRAM_UUIDS_CACHE_KEY_TPL = "program-uuids-{domain}"
COURSE_PROGRAMS_CACHE_KEY_TPL = "course-programs-{course_run_id}"
PROGRAMS_BY_TYPE_CACHE_KEY_TPL = "programs-by-type-{site_id}-{program_type}"
PROGRAMS_BY_ORGANIZATION_CACHE_KEY_TPL = "programs-by-organization-{org_key}"
