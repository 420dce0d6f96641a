"""Production settings hook: runs after the host loaded its YAML, so re-fill what it replaced."""

from . import common


def plugin_settings(settings):
    """Re-apply the defaults over whatever ``INSTRUCTOR_PLUGIN`` the deployment configured."""
    common.plugin_settings(settings)
