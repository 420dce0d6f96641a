"""
The built-in backend: the plugin's own tables and services, for standalone use.

Add ``"instructor_plugin.backends.builtin"`` to ``INSTALLED_APPS`` and keep the
default ``INSTRUCTOR_PLUGIN["BACKEND"]``.
"""


def builtin_backend():
    """
    Build the :class:`~instructor_plugin.backends.registry.Backend` of the built-in services.

    The imports are local: this package is imported while the app registry loads, before models can be.
    """
    from ..registry import Backend
    from .certificates import BuiltinCertificateService
    from .courses import BuiltinCourseService
    from .due_dates import BuiltinDueDateService
    from .enrollments import BuiltinEnrollmentService
    from .mail import DjangoMailService
    from .roles import BuiltinRoleService
    from .site_config import SettingsSiteConfigService
    from .users import BuiltinUserService

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
