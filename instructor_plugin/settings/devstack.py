"""Devstack settings hook: the MFE runs on its own port there."""

from . import common


def plugin_settings(settings):
    """Point tab URLs at the devstack MFE unless the host says otherwise."""
    common.prefer_over_defaults(settings, {"MICROFRONTEND_URL": "http://localhost:2003/instructor-dashboard"})
