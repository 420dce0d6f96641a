"""
The built-in backend: the plugin's own tables and services, for standalone use.

Add ``"instructor_plugin.backends.builtin"`` to ``INSTALLED_APPS`` and keep the
default ``INSTRUCTOR_PLUGIN["BACKEND"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..registry import Backend


def builtin_backend() -> Backend:
    """
    Build the :class:`~instructor_plugin.backends.registry.Backend` of the built-in services.

    The imports are local: this package is imported while the app registry loads, before models can be.
    """
    from ..registry import Backend
    from .certificates import BuiltinCertificateService
    from .cohorts import BuiltinCohortService
    from .completion import BuiltinCompletionService
    from .courses import BuiltinCourseService
    from .due_dates import BuiltinDueDateService
    from .embargo import BuiltinEmbargoService
    from .enrollments import BuiltinEnrollmentService
    from .enterprise import BuiltinEnterpriseService
    from .entrance_exams import BuiltinEntranceExamService
    from .gradebook import BuiltinGradebookService
    from .mail import DjangoMailService
    from .open_responses import BuiltinOpenResponseService
    from .problem_state import BuiltinProblemStateService
    from .programs import BuiltinProgramService
    from .retirement import BuiltinRetirementService
    from .roles import BuiltinRoleService
    from .site_config import SettingsSiteConfigService
    from .special_exams import BuiltinSpecialExamService
    from .users import BuiltinUserService

    return Backend(
        courses=BuiltinCourseService(),
        users=BuiltinUserService(),
        enrollments=BuiltinEnrollmentService(),
        roles=BuiltinRoleService(),
        problem_state=BuiltinProblemStateService(),
        due_dates=BuiltinDueDateService(),
        certificates=BuiltinCertificateService(),
        special_exams=BuiltinSpecialExamService(),
        open_responses=BuiltinOpenResponseService(),
        completion=BuiltinCompletionService(),
        cohorts=BuiltinCohortService(),
        mail=DjangoMailService(),
        site_config=SettingsSiteConfigService(),
        gradebook=BuiltinGradebookService(),
        programs=BuiltinProgramService(),
        entrance_exams=BuiltinEntranceExamService(),
        embargo=BuiltinEmbargoService(),
        enterprise=BuiltinEnterpriseService(),
        retirement=BuiltinRetirementService(),
    )
