"""Read the plugin's settings: the ``INSTRUCTOR_PLUGIN`` dict over the documented defaults."""

from django.conf import settings

from .settings.common import DEFAULTS


def plugin_setting(name: str) -> object:
    """One key of ``settings.INSTRUCTOR_PLUGIN``, or its default."""
    configured = getattr(settings, "INSTRUCTOR_PLUGIN", {})
    if name in configured:
        return configured[name]
    return DEFAULTS[name]
