"""App config: how an Open edX LMS discovers and mounts the plugin."""

from importlib import import_module

from django.apps import AppConfig
from django.core import checks

_LMS = "lms.djangoapp"
#: Modules registering background task types (``instructor_tasks.task_type``), imported when the app is ready,
#: so that the web process and every worker know the same task types.
_TASK_TYPE_MODULES = (
    "batch_enrollment",
    "bulk_email",
    "bulk_grades",
    "certificates",
    "cohorts",
    "completion",
    "entrance_exams",
    "grading",
    "reports",
)


class InstructorPluginConfig(AppConfig):
    """The instructor dashboard back end, registered through the ``lms.djangoapp`` entry point."""

    name = "instructor_plugin"
    verbose_name = "Instructor dashboard back end"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        "url_config": {
            _LMS: {"namespace": "", "regex": r"^", "relative_path": "urls"},
        },
        "settings_config": {
            _LMS: {
                "common": {"relative_path": "settings.common"},
                "production": {"relative_path": "settings.production"},
                "devstack": {"relative_path": "settings.devstack"},
                "test": {"relative_path": "settings.test"},
            },
        },
    }

    def ready(self):
        for module in _TASK_TYPE_MODULES:
            import_module(f"{self.name}.{module}")
        # Connects the openedx-events exam receivers (the demo host has no plugin signal manager).
        import_module(f"{self.name}.handlers")
        # Not at the top: a host's settings load this module (entry points) before they define JWT_AUTH,
        # which drf-jwt reads once, when the checks module first imports it.
        from .checks import check_jwt_verification_keys, check_lms_apis, check_url_precedence_middleware  # noqa: PLC0415

        checks.register(check_jwt_verification_keys, checks.Tags.security)
        checks.register(check_lms_apis, checks.Tags.urls)
        checks.register(check_url_precedence_middleware, checks.Tags.urls)
