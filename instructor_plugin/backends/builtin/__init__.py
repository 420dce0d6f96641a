"""
The built-in backend: the plugin's own tables and services, for standalone use.

Add ``"instructor_plugin.backends.builtin"`` to ``INSTALLED_APPS`` and keep the
default ``INSTRUCTOR_PLUGIN["BACKEND"]``.
"""


def builtin_backend():
    """Build the :class:`~instructor_plugin.backends.registry.Backend` of the built-in services."""
    from ..registry import Backend  # noqa: PLC0415 (imported late: this package loads before the app registry)
    from .certificates import BuiltinCertificateService  # noqa: PLC0415
    from .courses import BuiltinCourseService  # noqa: PLC0415
    from .due_dates import BuiltinDueDateService  # noqa: PLC0415
    from .enrollments import BuiltinEnrollmentService  # noqa: PLC0415
    from .mail import DjangoMailService  # noqa: PLC0415
    from .roles import BuiltinRoleService  # noqa: PLC0415
    from .site_config import SettingsSiteConfigService  # noqa: PLC0415
    from .users import BuiltinUserService  # noqa: PLC0415

    return Backend(
        courses=BuiltinCourseService(),
        users=BuiltinUserService(),
        enrollments=BuiltinEnrollmentService(),
        roles=BuiltinRoleService(),
        due_dates=BuiltinDueDateService(),
        certificates=BuiltinCertificateService(),
        mail=DjangoMailService(),
        site_config=SettingsSiteConfigService(),
    )
