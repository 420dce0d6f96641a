"""
Resolve the configured backend once and hand out its services.

``INSTRUCTOR_PLUGIN["BACKEND"]`` names a callable returning a :class:`Backend`;
``INSTRUCTOR_PLUGIN["BACKEND_SERVICES"]`` may replace single services with
classes of the host's own (``{"mail": "myhost.mail.AceMailService"}``). Both are
read again whenever Django's ``setting_changed`` signal fires, so tests swap them
with ``override_settings`` or :func:`use_backend`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TypedDict, Unpack

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from ..conf import plugin_setting
from . import base


class BackendServices(TypedDict, total=False):
    """
    The services a :class:`Backend` is built from, one per capability, each typed with its interface.

    ``Backend(courses=MyCourses(), ...)`` is checked against these by mypy: a service missing a
    method of its interface, or with a different signature, is a type error.
    """

    courses: base.CourseService
    users: base.UserService
    enrollments: base.EnrollmentService
    roles: base.RoleService
    problem_state: base.ProblemStateService
    due_dates: base.DueDateService
    certificates: base.CertificateService
    special_exams: base.SpecialExamService
    open_responses: base.OpenResponseService
    completion: base.CompletionService
    cohorts: base.CohortService
    mail: base.MailService
    site_config: base.SiteConfigService
    gradebook: base.GradebookService
    programs: base.ProgramService
    entrance_exams: base.EntranceExamService
    embargo: base.EmbargoService
    enterprise: base.EnterpriseService
    retirement: base.RetirementService


CAPABILITIES = tuple(BackendServices.__annotations__)


class Backend:
    """The services of one backend, one attribute per capability."""

    courses: base.CourseService
    users: base.UserService
    enrollments: base.EnrollmentService
    roles: base.RoleService
    problem_state: base.ProblemStateService
    due_dates: base.DueDateService
    certificates: base.CertificateService
    special_exams: base.SpecialExamService
    open_responses: base.OpenResponseService
    completion: base.CompletionService
    cohorts: base.CohortService
    mail: base.MailService
    site_config: base.SiteConfigService
    gradebook: base.GradebookService
    programs: base.ProgramService
    entrance_exams: base.EntranceExamService
    embargo: base.EmbargoService
    enterprise: base.EnterpriseService
    retirement: base.RetirementService

    def __init__(self, **services: Unpack[BackendServices]) -> None:
        unknown = set(services) - set(CAPABILITIES)
        if unknown:
            raise ImproperlyConfigured(f"Unknown backend capabilities: {', '.join(sorted(unknown))}")
        self._services = services

    def __getattr__(self, name: str) -> object:
        if name.startswith("_") or name not in CAPABILITIES:
            raise AttributeError(name)
        service = self._services.get(name)
        if service is None:
            raise ImproperlyConfigured(f"The configured instructor_plugin backend provides no '{name}' service.")
        return service

    def provides(self, name: str) -> bool:
        """Tell whether this backend has a service for the capability ``name``."""
        return name in self._services

    def replace(self, **services: Unpack[BackendServices]) -> Backend:
        """A copy of this backend with some services replaced."""
        merged: BackendServices = {**self._services, **services}
        return Backend(**merged)


_overrides: list[Backend] = []


@lru_cache(maxsize=1)
def _configured_backend() -> Backend:
    factory = import_string(plugin_setting("BACKEND"))
    backend = factory()
    overrides = {name: import_string(path)() for name, path in plugin_setting("BACKEND_SERVICES").items()}
    return backend.replace(**overrides) if overrides else backend


def get_backend() -> Backend:
    """The backend in force: a test's :func:`use_backend`, else the configured one."""
    return _overrides[-1] if _overrides else _configured_backend()


@contextmanager
def use_backend(backend: Backend) -> Iterator[Backend]:
    """Use ``backend`` until the block ends (for tests)."""
    _overrides.append(backend)
    try:
        yield backend
    finally:
        _overrides.pop()


@receiver(setting_changed)
def _forget_configured_backend(setting: str, **kwargs: object) -> None:
    if setting == "INSTRUCTOR_PLUGIN":
        _configured_backend.cache_clear()
