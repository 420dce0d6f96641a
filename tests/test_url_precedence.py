"""Whose views answer the dashboard's paths: the plugin's while its v2 flag is on, the host's otherwise."""

from __future__ import annotations

from types import ModuleType, SimpleNamespace

import pytest
from django.core import checks
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import get_resolver, include, path, re_path
from edx_toggles.toggles.testutils import override_waffle_flag

from instructor_plugin import toggles
from instructor_plugin.checks import check_url_precedence_middleware
from instructor_plugin.settings import common
from instructor_plugin.url_precedence import RoutedUrlconf, UrlPrecedenceMiddleware, host_serves, routed_urlconf

COURSE_PATH = "/api/instructor/v2/courses/course-v1:HostX+H1+2026"


def host_view(request, **kwargs):
    return HttpResponse("host")


def host_not_found(request, exception):
    return HttpResponse("host 404", status=404)


@pytest.fixture
def host_urlconf() -> ModuleType:
    """A host that mounts the plugin (found first) and serves a v2 path and a page of its own."""
    module = ModuleType("host_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        re_path(r"^", include("instructor_plugin.urls")),
        path("api/instructor/v2/courses/<str:course_id>", host_view, name="host_v2"),
        path("courses/<str:course_id>/instructor/api/host_only", host_view, name="host_legacy"),
    ]
    module.handler404 = host_not_found  # type: ignore[attr-defined]
    return module


def resolved_view_name(urlconf: RoutedUrlconf, path_info: str) -> str:
    match = get_resolver(urlconf).resolve(path_info)
    return match.view_name


def test_the_settings_hook_appends_the_middleware_once_after_the_hosts():
    settings = SimpleNamespace(MIDDLEWARE=("host.Auth", "host.Crum"))

    common.plugin_settings(settings)
    common.plugin_settings(settings)

    assert settings.MIDDLEWARE == ["host.Auth", "host.Crum", common.URL_PRECEDENCE_MIDDLEWARE]


def test_host_first_moves_the_plugin_mount_after_the_hosts_patterns(host_urlconf):
    urlconf = routed_urlconf(host_urlconf, "host first")

    assert resolved_view_name(urlconf, COURSE_PATH) == "host_v2"
    assert resolved_view_name(urlconf, f"{COURSE_PATH}/unit_extensions") == "instructor_api_v2:unit_extensions"


def test_plugin_first_puts_the_dashboard_views_before_the_hosts(host_urlconf):
    urlconf = routed_urlconf(host_urlconf, "plugin first")

    assert resolved_view_name(urlconf, COURSE_PATH) == "instructor_api_v2:course_metadata"
    legacy = "/courses/course-v1:HostX+H1+2026/instructor/api"
    assert (
        resolved_view_name(urlconf, f"{legacy}/list_instructor_tasks") == "instructor_api_legacy:list_instructor_tasks"
    )
    assert resolved_view_name(urlconf, f"{legacy}/host_only") == "host_legacy"


def test_the_routed_urlconf_keeps_the_hosts_error_handlers(host_urlconf):
    resolver = get_resolver(routed_urlconf(host_urlconf, "plugin first"))

    assert resolver.resolve_error_handler(404) is host_not_found
    assert resolver.resolve_error_handler(500).__module__ == "django.views.defaults"


def test_host_only_leaves_the_plugin_mount_out(host_urlconf):
    assert host_serves(host_urlconf, COURSE_PATH)
    assert not host_serves(host_urlconf, f"{COURSE_PATH}/unit_extensions")


def routed_by_middleware(request) -> RoutedUrlconf:
    UrlPrecedenceMiddleware(lambda request: HttpResponse())(request)
    return request.urlconf


@pytest.mark.parametrize(("active", "order"), [(True, "plugin first"), (False, "host first")])
def test_the_flag_decides_a_path_the_host_serves_too(db, host_urlconf, active, order):
    request = RequestFactory().get(COURSE_PATH)
    request.urlconf = host_urlconf  # as an earlier middleware (a site's URLconf) would set it

    with override_waffle_flag(toggles._ENABLE_API_V2_FLAG, active=active):
        assert routed_by_middleware(request) is routed_urlconf(host_urlconf, order)


def test_a_path_only_the_plugin_serves_reads_no_flag(db, host_urlconf, django_assert_num_queries):
    request = RequestFactory().get(f"{COURSE_PATH}/unit_extensions")
    request.urlconf = host_urlconf

    with django_assert_num_queries(0):
        assert routed_by_middleware(request) is routed_urlconf(host_urlconf, "plugin first")


def test_the_test_host_serves_no_dashboard_path_itself(db):
    assert routed_by_middleware(RequestFactory().get(COURSE_PATH)) is routed_urlconf("tests.urls", "plugin first")


def test_the_middleware_leaves_other_paths_alone():
    request = RequestFactory().get("/courses/course-v1:HostX+H1+2026/courseware")

    UrlPrecedenceMiddleware(lambda request: HttpResponse())(request)

    assert not hasattr(request, "urlconf")


def test_a_host_without_the_middleware_is_warned(settings):
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != common.URL_PRECEDENCE_MIDDLEWARE]

    (warning,) = check_url_precedence_middleware()

    assert warning.id == "instructor_plugin.W002"
    assert warning.level == checks.WARNING
    assert "instructor_plugin.W002" in [message.id for message in checks.run_checks()]


def test_the_test_host_has_the_middleware():
    assert check_url_precedence_middleware() == []
