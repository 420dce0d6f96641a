"""Site configuration of the built-in backend: values kept in settings."""

from ...conf import plugin_setting


class SettingsSiteConfigService:
    """
    Reads ``INSTRUCTOR_PLUGIN["SITE_CONFIGURATION"]``.

    Example: ``{"student_profile_download_fields": [...], "orgs": {"OpenedX": {...}}}``;
    an org's own dict is consulted first when ``org`` is given.
    """

    def get_value(self, name: str, default: object = None, org: str | None = None) -> object:
        values = plugin_setting("SITE_CONFIGURATION")
        org_values = values.get("orgs", {}).get(org, {}) if org else {}
        if name in org_values:
            return org_values[name]
        return values.get(name, default)
