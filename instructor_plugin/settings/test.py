"""Test settings hook: every optional dashboard feature on, so host test suites exercise them."""

from . import common


def plugin_settings(settings):
    """Enable special exams and instructor-managed certificates unless the host says otherwise."""
    common.prefer_over_defaults(settings, {"ENABLE_SPECIAL_EXAMS": True, "ENABLE_CERTIFICATES_INSTRUCTOR_MANAGE": True})
