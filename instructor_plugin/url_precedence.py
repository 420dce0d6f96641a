"""
Whose views answer the paths both the plugin and an Open edX LMS serve: the dashboard's back end.

An LMS serves ``api/instructor/v2/``, the legacy ``courses/{course_id}/instructor/api/`` and the
scheduled-email ``api/instructor_task/v1/`` from its own ``instructor`` app, which its plugin
framework mounts the way it mounts this plugin, in the order the entry points are found. So the
host's URLconf alone does not say which views answer. :class:`UrlPrecedenceMiddleware` (added to
``MIDDLEWARE`` by the plugin's settings hook) decides it per request, for those paths only, by the
flag ``instructor_plugin.enable_api_v2``: on, the plugin's dashboard views answer first; off, the
host's own views do, the plugin's mount moved after them. Every other path resolves through the
host's URLconf as it is.
"""

from __future__ import annotations

import functools
import re
from importlib import import_module
from types import ModuleType
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path, re_path

from .rest_api.course_id import COURSE_ID_PATTERN
from .rest_api.v1 import urls as legacy_urls
from .toggles import is_api_v2_enabled

#: Where the dashboard's back end is mounted, from the site root.
API_V2_PREFIX = "api/instructor/v2/"
SCHEDULED_EMAIL_API_PREFIX = "api/instructor_task/v1/"
LEGACY_API_PREFIX = rf"^courses/{COURSE_ID_PATTERN}/instructor/api/"

#: The URLconf module the plugin framework mounts (``plugin_app["url_config"]``).
PLUGIN_URLCONF = "instructor_plugin.urls"

_DASHBOARD_PATH = re.compile(
    rf"^/(?:{re.escape(API_V2_PREFIX)}|{re.escape(SCHEDULED_EMAIL_API_PREFIX)}|{LEGACY_API_PREFIX[1:]})"
)
_ERROR_HANDLERS = frozenset({"handler400", "handler403", "handler404", "handler500"})

Urlconf = str | ModuleType


def dashboard_patterns() -> list[URLPattern | URLResolver]:
    """The plugin's views for the dashboard: the whole v2 and scheduled-email APIs, the legacy endpoints it calls."""
    return [
        path(API_V2_PREFIX, include("instructor_plugin.rest_api.v2.urls")),
        path(SCHEDULED_EMAIL_API_PREFIX, include("instructor_plugin.rest_api.instructor_task.urls")),
        re_path(LEGACY_API_PREFIX, include((legacy_urls.dashboard_patterns, legacy_urls.app_name))),
    ]


def _is_plugin_mount(pattern: URLPattern | URLResolver) -> bool:
    urlconf = getattr(pattern, "urlconf_name", None)
    return (urlconf.__name__ if isinstance(urlconf, ModuleType) else urlconf) == PLUGIN_URLCONF


class RoutedUrlconf:
    """
    The host's URLconf with the plugin's mount moved after the host's patterns, and the plugin's
    :func:`dashboard_patterns` before them when ``plugin_first``.

    Its patterns are read from the host's module whenever Django builds a resolver for it, so a
    reloaded host URLconf (after ``clear_url_caches``) is followed; the host's error handlers are kept.
    """

    def __init__(self, host_urlconf: Urlconf, plugin_first: bool) -> None:
        self.host_urlconf = host_urlconf
        self.plugin_first = plugin_first

    def __repr__(self) -> str:
        order = "plugin first" if self.plugin_first else "host first"
        return f"<RoutedUrlconf {self.host_urlconf!r}, {order}>"

    @property
    def _host_module(self) -> Any:
        return import_module(self.host_urlconf) if isinstance(self.host_urlconf, str) else self.host_urlconf

    @property
    def urlpatterns(self) -> list[URLPattern | URLResolver]:
        host = self._host_module
        host_patterns = list(getattr(host, "urlpatterns", host))
        plugin_mounts = [pattern for pattern in host_patterns if _is_plugin_mount(pattern)]
        host_own = [pattern for pattern in host_patterns if not _is_plugin_mount(pattern)]
        first = dashboard_patterns() if self.plugin_first else []
        return [*first, *host_own, *plugin_mounts]

    def __getattr__(self, name: str) -> Any:
        if name in _ERROR_HANDLERS:
            return getattr(self._host_module, name)
        raise AttributeError(name)


def routed_urlconf(host_urlconf: Urlconf, plugin_first: bool) -> RoutedUrlconf:
    """One instance per host URLconf and order, so that Django's resolver cache keeps it."""
    return _routed_urlconfs(host_urlconf, plugin_first)


_routed_urlconfs = functools.cache(RoutedUrlconf)


class UrlPrecedenceMiddleware:
    """Resolves the dashboard's paths with the plugin's views first while its v2 flag is on, the host's otherwise."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if _DASHBOARD_PATH.match(request.path_info):
            host_urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
            if isinstance(host_urlconf, RoutedUrlconf):
                host_urlconf = host_urlconf.host_urlconf
            request.urlconf = routed_urlconf(host_urlconf, is_api_v2_enabled())
        return self.get_response(request)
