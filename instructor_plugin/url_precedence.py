"""
Whose views answer the paths both the plugin and an Open edX LMS serve: the dashboard's back end.

An LMS serves ``api/instructor/v2/``, the legacy ``courses/{course_id}/instructor/api/`` and the
scheduled-email ``api/instructor_task/v1/`` from its own ``instructor`` app, which its plugin
framework mounts the way it mounts this plugin, in the order the entry points are found. So the
host's URLconf alone does not say which views answer. :class:`UrlPrecedenceMiddleware` (added to
``MIDDLEWARE`` by the plugin's settings hook) decides it per request, for those paths only. Where the
host serves the path too, the flag ``instructor_plugin.enable_api_v2`` decides: on, the plugin's
dashboard views answer first; off, the host's own views do, the plugin's mount moved after them.
Elsewhere (a path only the plugin serves, a host without such views) the plugin's views come first
and the flag is not read. Every other path resolves through the host's URLconf as it is.
"""

from __future__ import annotations

import functools
import re
from importlib import import_module
from types import ModuleType
from typing import Any, Literal

from django.conf import settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, include, path, re_path

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
Order = Literal["host only", "host first", "plugin first"]


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
    The host's URLconf reordered: the plugin's mount after the host's own patterns (``host first``), also
    the plugin's :func:`dashboard_patterns` before them (``plugin first``), or left out (``host only``).

    Its patterns are read from the host's module whenever Django builds a resolver for it, so a
    reloaded host URLconf (after ``clear_url_caches``) is followed; the host's error handlers are kept.
    """

    def __init__(self, host_urlconf: Urlconf, order: Order) -> None:
        self.host_urlconf = host_urlconf
        self.order = order

    def __repr__(self) -> str:
        return f"<RoutedUrlconf {self.host_urlconf!r}, {self.order}>"

    @property
    def _host_module(self) -> Any:
        return import_module(self.host_urlconf) if isinstance(self.host_urlconf, str) else self.host_urlconf

    @property
    def urlpatterns(self) -> list[URLPattern | URLResolver]:
        host = self._host_module
        host_patterns = list(getattr(host, "urlpatterns", host))
        plugin_mounts = [pattern for pattern in host_patterns if _is_plugin_mount(pattern)]
        host_own = [pattern for pattern in host_patterns if not _is_plugin_mount(pattern)]
        first = dashboard_patterns() if self.order == "plugin first" else []
        last = [] if self.order == "host only" else plugin_mounts
        return [*first, *host_own, *last]

    def __getattr__(self, name: str) -> Any:
        if name in _ERROR_HANDLERS:
            return getattr(self._host_module, name)
        raise AttributeError(name)


def routed_urlconf(host_urlconf: Urlconf, order: Order) -> RoutedUrlconf:
    """One instance per host URLconf and order, so that Django's resolver cache keeps it."""
    return _routed_urlconfs(host_urlconf, order)


_routed_urlconfs = functools.cache(RoutedUrlconf)


def host_serves(host_urlconf: Urlconf, path_info: str) -> bool:
    """Whether the host's own patterns (the plugin's mount left out) resolve the path."""
    try:
        # Django takes a URLconf object as it takes ``request.urlconf``; its stubs only name module paths.
        get_resolver(routed_urlconf(host_urlconf, "host only")).resolve(path_info)  # type: ignore[arg-type]
    except Resolver404:
        return False
    return True


class UrlPrecedenceMiddleware:
    """
    Resolves the dashboard's paths with the plugin's views first (so its URL names reverse to its own
    paths), but for a path the host serves too while the v2 flag is off: the host's views first then.
    The flag is read only for a path both serve.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        path_info = request.path_info
        if _DASHBOARD_PATH.match(path_info):
            host_urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
            if isinstance(host_urlconf, RoutedUrlconf):
                host_urlconf = host_urlconf.host_urlconf
            plugin_first = not host_serves(host_urlconf, path_info) or is_api_v2_enabled()
            request.urlconf = routed_urlconf(host_urlconf, "plugin first" if plugin_first else "host first")
        return self.get_response(request)
