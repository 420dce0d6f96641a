"""App config of the built-in backend, under a label that will not clash in a host."""

from django.apps import AppConfig


class BuiltinBackendConfig(AppConfig):
    """The built-in backend's tables."""

    name = "instructor_plugin.backends.builtin"
    label = "instructor_plugin_builtin"
    verbose_name = "Instructor plugin: built-in backend"
    default_auto_field = "django.db.models.BigAutoField"
