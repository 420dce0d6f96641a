"""The backend registry: settings choose the backend and single services; tests swap them."""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from instructor_plugin.backends.builtin.courses import BuiltinCourseService
from instructor_plugin.backends.builtin.mail import DjangoMailService
from instructor_plugin.backends.builtin.users import BuiltinUserService
from instructor_plugin.backends.registry import Backend, get_backend, use_backend


class StubCourses:
    pass


class StubMail:
    pass


def stub_backend():
    """A backend factory named by dotted path in the overrides below."""
    return Backend(courses=StubCourses(), mail=StubMail())


def plugin_settings_with(**changes):
    return override_settings(INSTRUCTOR_PLUGIN={**settings.INSTRUCTOR_PLUGIN, **changes})


def test_default_backend_is_the_builtin_one():
    backend = get_backend()
    assert isinstance(backend.courses, BuiltinCourseService)
    assert isinstance(backend.mail, DjangoMailService)


def test_configured_factory_is_resolved_once_and_forgotten_with_the_override():
    with plugin_settings_with(BACKEND="tests.test_registry.stub_backend"):
        backend = get_backend()
        assert isinstance(backend.courses, StubCourses)
        assert get_backend() is backend
    assert isinstance(get_backend().courses, BuiltinCourseService)


def test_backend_services_setting_replaces_one_service():
    with plugin_settings_with(BACKEND_SERVICES={"mail": "tests.test_registry.StubMail"}):
        assert isinstance(get_backend().mail, StubMail)
        assert isinstance(get_backend().users, BuiltinUserService)
    assert isinstance(get_backend().mail, DjangoMailService)


def test_use_backend_swaps_and_restores_even_on_error():
    configured = get_backend()
    outer, inner = stub_backend(), stub_backend()
    with use_backend(outer) as active:
        assert active is outer
        assert get_backend() is outer
        with pytest.raises(RuntimeError), use_backend(inner):
            assert get_backend() is inner
            raise RuntimeError
        assert get_backend() is outer
    assert get_backend() is configured


def test_a_missing_capability_is_named():
    with (
        plugin_settings_with(BACKEND="tests.test_registry.stub_backend"),
        pytest.raises(ImproperlyConfigured, match="'cohorts'"),
    ):
        get_backend().cohorts  # noqa: B018 (the attribute access is what raises)


def test_a_name_that_is_no_capability_is_an_attribute_error():
    assert not hasattr(Backend(), "grades")


def test_unknown_capabilities_are_refused():
    with pytest.raises(ImproperlyConfigured, match="grades"):
        Backend(courses=StubCourses(), grades=object())
    with (
        plugin_settings_with(BACKEND_SERVICES={"grades": "tests.test_registry.StubMail"}),
        pytest.raises(ImproperlyConfigured, match="grades"),
    ):
        get_backend()
