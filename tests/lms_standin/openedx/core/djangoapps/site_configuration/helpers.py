"""
Stand-in of openedx-platform ``openedx/core/djangoapps/site_configuration/helpers.py``:
``get_value`` and ``get_value_for_org``.

The platform reads the current site's ``SiteConfiguration`` (and, per org, the configuration whose
``course_org_filter`` names it); this one reads :data:`SITE_VALUES` and :data:`ORG_VALUES`.
"""

SITE_VALUES: dict = {}
ORG_VALUES: dict = {}


def get_value(val_name, default=None, site_config_name=None):
    return SITE_VALUES.get(val_name, default)


def get_value_for_org(org, val_name, default=None):
    return ORG_VALUES.get(org, {}).get(val_name, default)
