"""
The Tutor plugin of instructor-plugin (``tutor plugins enable instructor-plugin``).

It declares its hooks when Tutor loads it:

* the LMS image installs ``INSTRUCTOR_PLUGIN_PIP_REQUIREMENT`` (``tutor images build openedx``);
* the LMS settings select the Open edX backend and leave the LMS's own APIs to the LMS
  (``openedx-lms-common-settings``, so development and production alike);
* ``tutor local do init`` switches on the waffle flag that opens the v2 API (and makes the plugin's
  views, not the LMS's own, answer the MFE's paths) and the switch that lets the LMS record
  completions, after the LMS's own init task has migrated its database (the plugin's tables included).

It leaves ``ROOT_URLCONF`` and ``MIDDLEWARE`` to the LMS: the plugin's own settings hook appends the
middleware that routes the dashboard's paths, and the LMS connects its plugins' signals only while
``ROOT_URLCONF`` is ``lms.urls``.
"""

from __future__ import annotations

from tutor.hooks.catalog import Filters

CONFIG_DEFAULTS: dict[str, object] = {
    # What pip installs into the openedx image: a pinned release, a git URL or a local wheel.
    "INSTRUCTOR_PLUGIN_PIP_REQUIREMENT": "instructor-plugin",
    # Classes for the capabilities the Open edX backend does not serve yet ({"certificates": "path.Class"}).
    "INSTRUCTOR_PLUGIN_BACKEND_SERVICES": {},
    # Whether ``init`` opens the v2 API to everyone (the waffle flag instructor_plugin.enable_api_v2).
    "INSTRUCTOR_PLUGIN_ENABLE_API_V2": True,
}

# After Tutor's own Python requirements, in the image's virtualenv, with its pip cache.
DOCKERFILE_PATCH = """\
RUN --mount=type=cache,target=/openedx/.cache/pip,sharing=shared \\
    $PIP_COMMAND install '{{ INSTRUCTOR_PLUGIN_PIP_REQUIREMENT }}'
"""

# Merged into what the plugin's settings hook already filled (defaults taken from the LMS's settings).
LMS_SETTINGS_PATCH = """\
INSTRUCTOR_PLUGIN = dict(
    globals().get("INSTRUCTOR_PLUGIN", {}),
    BACKEND="instructor_plugin.backends.openedx.openedx_backend",
    BACKEND_SERVICES={{ INSTRUCTOR_PLUGIN_BACKEND_SERVICES }},
    LMS_APIS=[],
)
"""

INIT_TASK = """\
./manage.py lms waffle_switch completion.enable_completion_tracking on --create
{%- if INSTRUCTOR_PLUGIN_ENABLE_API_V2 %}
./manage.py lms waffle_flag instructor_plugin.enable_api_v2 --everyone --create
{%- endif %}
"""

Filters.CONFIG_DEFAULTS.add_items(list(CONFIG_DEFAULTS.items()))
Filters.ENV_PATCHES.add_items(
    [
        ("openedx-dockerfile-post-python-requirements", DOCKERFILE_PATCH),
        ("openedx-lms-common-settings", LMS_SETTINGS_PATCH),
    ]
)
Filters.CLI_DO_INIT_TASKS.add_item(("lms", INIT_TASK))
