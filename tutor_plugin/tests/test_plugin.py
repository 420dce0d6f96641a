"""The plugin's hooks rendered by Tutor 22's own templating, for a test project's config."""

from __future__ import annotations

import ast

from tutor import env, hooks, plugins

from .conftest import PLUGIN

OPENEDX_BACKEND = "instructor_plugin.backends.openedx.openedx_backend"
URL_PRECEDENCE_MIDDLEWARE = "instructor_plugin.url_precedence.UrlPrecedenceMiddleware"


def lms_settings_after_patch(config, **earlier_settings):
    """Run the rendered ``openedx-lms-common-settings`` patch over settings an LMS already has."""
    patch = env.Renderer(config).patch("openedx-lms-common-settings")
    namespace = dict(earlier_settings)
    exec(compile(patch, "openedx-lms-common-settings", "exec"), namespace)
    return namespace


def plugin_init_tasks(config):
    """The ``tutor local do init --limit instructor-plugin`` tasks, as (service, rendered script)."""
    tasks = hooks.Filters.CLI_DO_INIT_TASKS.iterate_from_context(hooks.Contexts.app(PLUGIN).name)
    return [(service, env.render_str(config, script)) for service, script in tasks]


def test_plugin_is_loaded_through_its_entry_point():
    assert plugins.is_loaded(PLUGIN)
    assert dict(plugins.iter_info())[PLUGIN] == "0.1.0"


def test_config_defaults(make_config):
    config = make_config()

    assert config["INSTRUCTOR_PLUGIN_PIP_REQUIREMENT"] == "instructor-plugin"
    assert config["INSTRUCTOR_PLUGIN_BACKEND_SERVICES"] == {}
    assert config["INSTRUCTOR_PLUGIN_ENABLE_API_V2"] is True


def test_lms_settings_select_the_openedx_backend(make_config):
    settings = lms_settings_after_patch(make_config())

    assert settings["INSTRUCTOR_PLUGIN"] == {
        "BACKEND": OPENEDX_BACKEND,
        "BACKEND_SERVICES": {},
        "LMS_APIS": [],
    }


def test_lms_settings_keep_what_the_plugin_settings_hook_filled(make_config):
    """The LMS's settings ran the plugin's ``plugin_settings`` first: the patch overrides only its own keys."""
    filled = {"BACKEND": "instructor_plugin.backends.builtin.builtin_backend", "MICROFRONTEND_URL": "https://apps/i"}

    settings = lms_settings_after_patch(make_config(), INSTRUCTOR_PLUGIN=filled)

    assert settings["INSTRUCTOR_PLUGIN"]["BACKEND"] == OPENEDX_BACKEND
    assert settings["INSTRUCTOR_PLUGIN"]["MICROFRONTEND_URL"] == "https://apps/i"
    assert settings["INSTRUCTOR_PLUGIN"]["LMS_APIS"] == []
    assert filled["BACKEND"] == "instructor_plugin.backends.builtin.builtin_backend"


def test_lms_settings_take_the_operators_backend_services(make_config):
    services = {"certificates": "my_site.certificates.CertificateService", "cohorts": "my_site.cohorts.CohortService"}

    settings = lms_settings_after_patch(make_config(INSTRUCTOR_PLUGIN_BACKEND_SERVICES=services))

    assert settings["INSTRUCTOR_PLUGIN"]["BACKEND_SERVICES"] == services


def test_rendered_lms_settings_files_are_valid_python_with_the_patch(make_config):
    config = make_config()
    for settings_file in ("production.py", "development.py"):
        rendered = env.render_file(config, "apps", "openedx", "settings", "lms", settings_file)

        tree = ast.parse(rendered, settings_file)
        assigned = [
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        ]
        assert "INSTRUCTOR_PLUGIN" in assigned, settings_file
        assert OPENEDX_BACKEND in rendered


def test_lms_settings_leave_the_urlconf_and_middleware_to_the_lms(make_config):
    """The plugin's settings hook appended its middleware to the LMS's list; the patch keeps both as they were."""
    middleware = ["django.contrib.auth.middleware.AuthenticationMiddleware", URL_PRECEDENCE_MIDDLEWARE]

    settings = lms_settings_after_patch(make_config(), ROOT_URLCONF="lms.urls", MIDDLEWARE=list(middleware))

    assert settings["ROOT_URLCONF"] == "lms.urls"
    assert settings["MIDDLEWARE"] == middleware


def test_rendered_lms_settings_files_do_not_replace_the_urlconf_or_middleware(make_config):
    config = make_config()
    for settings_file in ("production.py", "development.py"):
        tree = ast.parse(env.render_file(config, "apps", "openedx", "settings", "lms", settings_file), settings_file)

        assigned = {
            target.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign | ast.AugAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        assert not {"ROOT_URLCONF", "MIDDLEWARE"} & assigned, settings_file


def test_openedx_image_installs_the_plugin(make_config):
    dockerfile = env.render_file(make_config(), "build", "openedx", "Dockerfile")

    assert "$PIP_COMMAND install 'instructor-plugin'" in dockerfile
    python_requirements = dockerfile.index("$PIP_COMMAND install 'instructor-plugin'")
    assert dockerfile.index("FROM python AS python-requirements") < python_requirements
    assert python_requirements < dockerfile.index("FROM python AS nodejs-requirements")


def test_openedx_image_installs_the_configured_requirement(make_config):
    requirement = "git+https://github.com/example/instructor-plugin.git@v0.1.0"

    dockerfile = env.render_file(
        make_config(INSTRUCTOR_PLUGIN_PIP_REQUIREMENT=requirement), "build", "openedx", "Dockerfile"
    )

    assert f"$PIP_COMMAND install '{requirement}'" in dockerfile
    assert "install 'instructor-plugin'" not in dockerfile


def test_init_task_switches_on_the_flags(make_config):
    assert plugin_init_tasks(make_config()) == [
        (
            "lms",
            "./manage.py lms waffle_switch completion.enable_completion_tracking on --create\n"
            "./manage.py lms waffle_flag instructor_plugin.enable_api_v2 --everyone --create",
        )
    ]


def test_init_task_leaves_the_api_flag_off_when_configured(make_config):
    assert plugin_init_tasks(make_config(INSTRUCTOR_PLUGIN_ENABLE_API_V2=False)) == [
        ("lms", "./manage.py lms waffle_switch completion.enable_completion_tracking on --create")
    ]


def test_init_task_runs_after_the_lms_migrates(make_config):
    config = make_config()
    scripts = [env.render_str(config, script) for service, script in hooks.Filters.CLI_DO_INIT_TASKS.iterate()]
    migrate = next(index for index, script in enumerate(scripts) if "./manage.py lms migrate" in script)
    flags = next(index for index, script in enumerate(scripts) if "instructor_plugin.enable_api_v2" in script)

    assert migrate < flags
