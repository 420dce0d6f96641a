"""
The Open edX backend: the plugin's capabilities served by the LMS's own Python APIs.

Select it in the LMS settings::

    INSTRUCTOR_PLUGIN = {"BACKEND": "instructor_plugin.backends.openedx.openedx_backend"}

Every LMS import happens inside a function or method, so this package imports anywhere (outside an
LMS it only fails when a service is used). Each method's docstring names the LMS function or model it
calls. Capabilities not listed in :func:`openedx_backend` are not implemented yet; a host fills them
with ``INSTRUCTOR_PLUGIN["BACKEND_SERVICES"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..registry import Backend


def openedx_backend() -> Backend:
    """Build the :class:`~instructor_plugin.backends.registry.Backend` of the Open edX services."""
    from ..registry import Backend
    from .certificates import OpenedxCertificateService
    from .cohorts import OpenedxCohortService
    from .completion import OpenedxCompletionService
    from .courses import OpenedxCourseService
    from .due_dates import OpenedxDueDateService
    from .embargo import OpenedxEmbargoService
    from .enrollments import OpenedxEnrollmentService
    from .enterprise import OpenedxEnterpriseService
    from .entrance_exams import OpenedxEntranceExamService
    from .gradebook import OpenedxGradebookService
    from .mail import OpenedxMailService
    from .open_responses import OpenedxOpenResponseService
    from .problem_state import OpenedxProblemStateService
    from .programs import OpenedxProgramService
    from .retirement import OpenedxRetirementService
    from .roles import OpenedxRoleService
    from .site_config import OpenedxSiteConfigService
    from .special_exams import OpenedxSpecialExamService
    from .users import OpenedxUserService

    courses = OpenedxCourseService()
    cohorts = OpenedxCohortService()
    programs = OpenedxProgramService()
    return Backend(
        courses=courses,
        users=OpenedxUserService(),
        enrollments=OpenedxEnrollmentService(cohorts, programs),
        roles=OpenedxRoleService(),
        due_dates=OpenedxDueDateService(courses),
        special_exams=OpenedxSpecialExamService(),
        certificates=OpenedxCertificateService(),
        cohorts=cohorts,
        completion=OpenedxCompletionService(),
        site_config=OpenedxSiteConfigService(),
        mail=OpenedxMailService(),
        embargo=OpenedxEmbargoService(),
        retirement=OpenedxRetirementService(),
        entrance_exams=OpenedxEntranceExamService(),
        enterprise=OpenedxEnterpriseService(),
        problem_state=OpenedxProblemStateService(),
        gradebook=OpenedxGradebookService(),
        programs=programs,
        open_responses=OpenedxOpenResponseService(courses),
    )
