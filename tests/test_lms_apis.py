"""Mounting the LMS APIs: only those ``INSTRUCTOR_PLUGIN["LMS_APIS"]`` names, and no unknown name."""

from __future__ import annotations

import pytest
from django.core import checks

from instructor_plugin.checks import check_lms_apis
from instructor_plugin.rest_api import lms_apis
from instructor_plugin.rest_api.lms_apis import LmsApi, lms_api_patterns

#: A stand-in API: the plugin's own scheduled bulk-email URLconf, at a prefix of its own.
STAND_IN = LmsApi(prefix=r"^api/stand_in/v1/", urlconf="instructor_plugin.rest_api.instructor_task.urls")


@pytest.fixture
def known_apis(monkeypatch):
    monkeypatch.setitem(lms_apis.LMS_APIS, "stand_in", STAND_IN)


def with_lms_apis(settings, names):
    settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "LMS_APIS": names}


def test_none_is_mounted_by_default(settings, known_apis):
    with_lms_apis(settings, [])

    assert lms_api_patterns() == []


def test_a_named_api_is_mounted_at_its_prefix(settings, known_apis):
    with_lms_apis(settings, ["stand_in"])

    (pattern,) = lms_api_patterns()

    assert pattern.pattern.regex.pattern == STAND_IN.prefix
    assert pattern.urlconf_name.__name__ == STAND_IN.urlconf


def test_an_unknown_name_fails_the_system_check(settings, known_apis):
    with_lms_apis(settings, ["stand_in", "gradez"])

    (error,) = check_lms_apis()

    assert error.id == "instructor_plugin.E002"
    assert error.level == checks.ERROR
    assert "'gradez'" in error.msg
    assert lms_api_patterns()[0].pattern.regex.pattern == STAND_IN.prefix


def test_the_check_is_registered(settings):
    with_lms_apis(settings, ["gradez"])

    assert "instructor_plugin.E002" in [message.id for message in checks.run_checks()]
