"""The plugin as a host sees it: entry point, plugin_app, settings hooks, URLs and migrations."""

import importlib
import subprocess
import sys
import zipfile
from importlib.metadata import entry_points
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import resolve

from instructor_plugin.apps import InstructorPluginConfig
from instructor_plugin.settings.common import DEFAULTS

LMS = "lms.djangoapp"
SETTINGS_TYPES = ("common", "production", "devstack", "test")


def settings_hook(settings_type):
    relative_path = InstructorPluginConfig.plugin_app["settings_config"][LMS][settings_type]["relative_path"]
    return importlib.import_module(f"instructor_plugin.{relative_path}").plugin_settings


def run_hook(settings_type, **host_settings):
    host = SimpleNamespace(**host_settings)
    settings_hook(settings_type)(host)
    return host.INSTRUCTOR_PLUGIN


def test_lms_entry_point_loads_the_app_config():
    (entry_point,) = [ep for ep in entry_points(group=LMS) if ep.name == "instructor_plugin"]
    assert entry_point.value == "instructor_plugin.apps:InstructorPluginConfig"
    assert entry_point.load() is InstructorPluginConfig


def test_plugin_app_declares_urls_and_every_settings_type():
    plugin_app = InstructorPluginConfig.plugin_app
    url_module = importlib.import_module(f"instructor_plugin.{plugin_app['url_config'][LMS]['relative_path']}")
    assert url_module.urlpatterns
    assert set(plugin_app["settings_config"][LMS]) == set(SETTINGS_TYPES)
    for settings_type in SETTINGS_TYPES:
        assert callable(settings_hook(settings_type))


def test_host_mounts_the_plugin_urls_through_the_entry_point():
    match = resolve("/api/instructor/v2/courses/course-v1:TestX+T101+2026")
    assert match.func.__module__.startswith("instructor_plugin.rest_api.")
    assert match.kwargs == {"course_id": "course-v1:TestX+T101+2026"}


def test_host_settings_got_the_plugin_defaults_and_kept_its_own():
    configured = settings.INSTRUCTOR_PLUGIN
    assert set(DEFAULTS) <= set(configured)
    assert configured["BACKEND"] == "instructor_plugin.backends.builtin.builtin_backend"
    assert configured["MAX_ENROLLMENT_INSTR_BUTTONS"] == 200
    assert configured["LMS_ROOT_URL"] == "http://lms.test"
    assert configured["MICROFRONTEND_URL"] == "http://apps.test/instructor-dashboard"


def test_host_settings_got_the_test_hook_features():
    # test_settings.py runs the common hook, then the test one, as an LMS does.
    assert settings.INSTRUCTOR_PLUGIN["ENABLE_SPECIAL_EXAMS"] is True
    assert settings.INSTRUCTOR_PLUGIN["ENABLE_CERTIFICATES_INSTRUCTOR_MANAGE"] is True


@pytest.mark.parametrize("settings_type", SETTINGS_TYPES)
def test_hook_fills_every_default(settings_type):
    assert set(run_hook(settings_type)) == set(DEFAULTS)


@pytest.mark.parametrize("settings_type", SETTINGS_TYPES)
def test_hook_keeps_what_the_host_configured(settings_type):
    host_values = {
        "BACKEND": "myhost.instructor.backend",
        "MAX_ENROLLMENT_INSTR_BUTTONS": 7,
        "MICROFRONTEND_URL": "https://apps.example.com/instructor",
        "ENABLE_SPECIAL_EXAMS": False,
    }
    configured = run_hook(
        settings_type,
        INSTRUCTOR_PLUGIN=dict(host_values),
        INSTRUCTOR_MICROFRONTEND_URL="https://elsewhere.example.com",
        FEATURES={"ENABLE_SPECIAL_EXAMS": True},
    )
    assert configured.items() >= host_values.items()
    assert set(configured) == set(DEFAULTS)


@pytest.mark.parametrize("settings_type", SETTINGS_TYPES)
def test_hook_takes_the_mfe_url_from_the_host_setting(settings_type):
    configured = run_hook(settings_type, INSTRUCTOR_MICROFRONTEND_URL="https://apps.example.com/instructor")
    assert configured["MICROFRONTEND_URL"] == "https://apps.example.com/instructor"


@pytest.mark.parametrize("settings_type", SETTINGS_TYPES)
def test_hook_takes_special_exams_from_the_host_features(settings_type):
    # Whatever the hook would choose by itself, the host's feature flag decides.
    host_value = not run_hook(settings_type)["ENABLE_SPECIAL_EXAMS"]
    configured = run_hook(settings_type, FEATURES={"ENABLE_SPECIAL_EXAMS": host_value})
    assert configured["ENABLE_SPECIAL_EXAMS"] is host_value


def test_common_hook_maps_host_settings_with_other_names():
    configured = run_hook("common", CUSTOM_COURSES_EDX=True, MAX_ENROLLMENT_INSTR_BUTTONS=50)
    assert configured["ENABLE_CCX"] is True
    assert configured["MAX_ENROLLMENT_INSTR_BUTTONS"] == 50


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_wheel_ships_every_module_and_template_without_build_warnings(tmp_path):
    repo = Path(__file__).resolve().parent.parent
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(repo)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Warning" not in build.stderr + build.stdout
    (wheel_path,) = tmp_path.glob("instructor_plugin-*.whl")
    with zipfile.ZipFile(wheel_path) as wheel:
        shipped = set(wheel.namelist())
    package = repo / "instructor_plugin"
    expected = {
        path.relative_to(repo).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and (path.suffix == ".py" or "templates" in path.parts)
    }
    assert expected <= shipped
