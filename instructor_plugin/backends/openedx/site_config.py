"""Site configuration from the LMS's site configuration helpers."""

from __future__ import annotations

_MISSING = object()


class OpenedxSiteConfigService:
    """Reads ``openedx.core.djangoapps.site_configuration.helpers``."""

    def get_value(self, name: str, default: object = None, org: str | None = None) -> object:
        """
        ``helpers.get_value_for_org(org, name)`` when ``org`` is given and its configuration has the
        value, else ``helpers.get_value(name, default)`` (the current site's configuration).
        """
        from openedx.core.djangoapps.site_configuration import helpers

        if org:
            value = helpers.get_value_for_org(org, name, _MISSING)
            if value is not _MISSING:
                return value
        return helpers.get_value(name, default)
