"""Read the plugin's settings: the ``INSTRUCTOR_PLUGIN`` dict over the documented defaults."""

from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage, storages
from django.utils.module_loading import import_string

from .settings.common import DEFAULTS


def plugin_setting(name: str) -> Any:
    """
    One key of ``settings.INSTRUCTOR_PLUGIN``, or its default.

    Typed ``Any`` like any Django setting: the value is whatever the host configured.
    """
    configured = getattr(settings, "INSTRUCTOR_PLUGIN", {})
    if name in configured:
        return configured[name]
    return DEFAULTS[name]


def plugin_storage(name: str) -> Storage:
    """
    The file storage a setting names: ``None`` for Django's default storage, a ``STORAGES`` alias,
    or ``{"BACKEND": "dotted.StorageClass", "OPTIONS": {...}}``.
    """
    spec = plugin_setting(name)
    if spec is None:
        return default_storage
    if isinstance(spec, str):
        return storages[spec]
    return import_string(spec["BACKEND"])(**spec.get("OPTIONS", {}))
