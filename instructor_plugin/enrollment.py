"""
Enrolling and unenrolling by email, beta-tester messages, and the parameters of
enrollment messages.

No permission check happens here; callers check :mod:`instructor_plugin.permissions` first.
"""

from __future__ import annotations

from enum import Enum
from typing import cast

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from openedx_filters.learning.filters import CourseEnrollmentStarted

from . import resolve
from .backends.data import (
    AllowedEnrollmentData,
    CourseData,
    EnrolledLearner,
    EnrollmentData,
    EnrollmentFilter,
    MailMessage,
    Page,
    PageRequest,
    UserData,
)
from .backends.exceptions import AmbiguousIdentifier, CourseFull, EnrollmentClosed, EnrollmentNotAllowed, UserNotFound
from .backends.registry import get_backend
from .cohorts import get_learner_cohort
from .conf import plugin_setting
from .message_types import BATCH_ENROLLMENT_SUMMARY, get_message_type

__all__ = [
    "ALLOWEDTOENROLL_TO_ENROLLED",
    "ALLOWEDTOENROLL_TO_UNENROLLED",
    "DEFAULT_TRANSITION_STATE",
    "ENROLLED_TO_ENROLLED",
    "ENROLLED_TO_UNENROLLED",
    "UNENROLLED_TO_ALLOWEDTOENROLL",
    "UNENROLLED_TO_ENROLLED",
    "UNENROLLED_TO_UNENROLLED",
    "EmailEnrollmentState",
    "check_enrollment_rules",
    "enroll_email",
    "enrollment_room",
    "enrollment_started_filter_configured",
    "ensure_enrolled",
    "get_email_params",
    "get_enrollment_status",
    "is_cohorted",
    "join_cohort",
    "list_enrolled_learners",
    "run_enrollment_started_filter",
    "send_batch_enrollment_summary",
    "send_beta_role_email",
    "send_enroll_message",
    "send_mail_to_student",
    "send_unenroll_messages",
    "unenroll_email",
]

ENROLLED_TO_ENROLLED = "from enrolled to enrolled"
ALLOWEDTOENROLL_TO_ENROLLED = "from allowed to enroll to enrolled"
UNENROLLED_TO_ENROLLED = "from unenrolled to enrolled"
UNENROLLED_TO_ALLOWEDTOENROLL = "from unenrolled to allowed to enroll"
DEFAULT_TRANSITION_STATE = "N/A"
ENROLLED_TO_UNENROLLED = "from enrolled to unenrolled"
ALLOWEDTOENROLL_TO_UNENROLLED = "from allowed to enroll to unenrolled"
UNENROLLED_TO_UNENROLLED = "from unenrolled to unenrolled"


class _LookUp(Enum):
    """The default of ``user``: look the account up by its email."""

    USER = "look up the user"


class EmailEnrollmentState:
    """
    The enrollment state of an email in a course, read when the object is built.

    ``user`` is the account holding that email (if any), ``enrollment`` whether it is
    actively enrolled, ``allowed`` whether an allowed-to-enroll entry exists, and
    ``auto_enroll`` whether that entry enrolls the account as soon as it registers.
    Passing the already known ``user`` (or ``None``) saves looking it up again, and passing the
    already read ``records`` (the enrollment and the allowed entry) saves reading them.
    """

    def __init__(
        self,
        course_id: CourseKey,
        email: str,
        *,
        user: UserData | _LookUp | None = _LookUp.USER,
        records: tuple[EnrollmentData | None, AllowedEnrollmentData | None] | None = None,
    ):
        backend = get_backend()
        self.user: UserData | None = backend.users.find_user_by_email(email) if user is _LookUp.USER else user
        if records is None:
            self.enrollment_record: EnrollmentData | None = (
                backend.enrollments.get_enrollment(course_id, self.user.id) if self.user else None
            )
            allowed = backend.enrollments.get_allowed(course_id, email)
        else:
            self.enrollment_record, allowed = records
        self.allowed_record = allowed
        self.enrollment = bool(self.enrollment_record and self.enrollment_record.is_active)
        self.mode = self.enrollment_record.mode if self.enrollment_record else None
        self.full_name = self.user.full_name if self.user else None
        self.allowed = allowed is not None
        self.auto_enroll = bool(allowed and allowed.auto_enroll)

    def to_dict(self) -> dict[str, bool]:
        """``{"user", "enrollment", "allowed", "auto_enroll"}`` as booleans."""
        return {
            "user": self.user is not None,
            "enrollment": self.enrollment,
            "allowed": self.allowed,
            "auto_enroll": self.auto_enroll,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_dict()})"


def get_email_params(course: CourseData, auto_enroll: bool, secure: bool = True) -> dict[str, object]:
    """The template context shared by every enrollment message of a course."""
    site_config = get_backend().site_config
    site_name = site_config.get_value("SITE_NAME", plugin_setting("SITE_NAME"))
    root = f"{'https' if secure else 'http'}://{site_name}"
    course_id = str(course.course_key)
    return {
        "site_name": site_name,
        "registration_url": f"{root}/register",
        "course_id": course_id,
        "display_name": course.display_name,
        "auto_enroll": auto_enroll,
        "course_url": f"{root}/courses/{course_id}/",
        "course_about_url": f"{root}/courses/{course_id}/about",
        "platform_name": site_config.get_value("PLATFORM_NAME", plugin_setting("PLATFORM_NAME")),
        "contact_mailing_address": site_config.get_value(
            "contact_mailing_address", plugin_setting("CONTACT_MAILING_ADDRESS")
        ),
    }


def send_mail_to_student(student_email: str, param_dict: dict[str, object], language: str | None = None) -> None:
    """
    Send the message named by ``param_dict["message_type"]`` once the transaction commits.

    A change rolled back after the call sends nothing; an unknown message type is a ``KeyError``.
    """
    user = param_dict.get("user_id")
    message = MailMessage(
        message_type=get_message_type(str(param_dict["message_type"])).name,
        recipient_email=student_email,
        recipient_user_id=user if isinstance(user, int) else None,
        language=language,
        context=dict(param_dict),
    )
    transaction.on_commit(lambda: get_backend().mail.send(message))


def enroll_email(
    course_id: CourseKey,
    student_email: str,
    auto_enroll: bool = False,
    message_students: bool = False,
    message_params: dict[str, object] | None = None,
    language: str | None = None,
) -> tuple[EmailEnrollmentState, EmailEnrollmentState, EnrollmentData | None]:
    """
    Enroll the account holding ``student_email``, or allow the email to enroll.

    An active account is enrolled (keeping its mode if it already was); an unknown
    email, or an inactive account, gets an allowed-to-enroll entry whose
    ``auto_enroll`` decides whether registering enrolls it. Returns the states
    before and after, and the enrollment when one was made.
    A learner newly enrolled in a cohorted course joins their cohort (``cohorts.get_learner_cohort``).
    """
    backend = get_backend()
    before = EmailEnrollmentState(course_id, student_email)
    enrollment = None
    if before.user and before.user.is_active:
        mode = before.mode if before.enrollment else None
        if not before.enrollment:
            mode = run_enrollment_started_filter(course_id, before.user, mode)
            check_enrollment_rules(backend.courses.get_course(course_id), before.user, invited=True)
        enrollment = backend.enrollments.enroll(course_id, before.user.id, mode)
        if not before.enrollment:
            join_cohort(course_id, before.user)
    else:
        backend.enrollments.allow(course_id, student_email, auto_enroll)
    if message_students:
        send_enroll_message(student_email, before, message_params, language)
    return before, EmailEnrollmentState(course_id, student_email, user=before.user), enrollment


def send_enroll_message(
    student_email: str, before: EmailEnrollmentState, message_params: dict[str, object] | None, language: str | None
) -> None:
    """The message of :func:`enroll_email`: enrolled (an active account) or allowed to enroll."""
    params = {**(message_params or {}), "email_address": student_email}
    if before.user and before.user.is_active:
        params.update(message_type="enrolled_enroll", user_id=before.user.id, full_name=before.full_name)
    else:
        params["message_type"] = "allowed_enroll"
        if before.user:
            params["user_id"] = before.user.id
    send_mail_to_student(student_email, params, language)


def unenroll_email(
    course_id: CourseKey,
    student_email: str,
    message_students: bool = False,
    message_params: dict[str, object] | None = None,
    language: str | None = None,
) -> tuple[EmailEnrollmentState, EmailEnrollmentState]:
    """
    Unenroll the account holding ``student_email`` and withdraw its allowed-to-enroll entry.

    Each change that happens sends its own message when ``message_students`` is set.
    """
    backend = get_backend()
    before = EmailEnrollmentState(course_id, student_email)
    if before.enrollment and before.user:
        backend.enrollments.unenroll(course_id, before.user.id)
    if before.allowed:
        backend.enrollments.disallow(course_id, student_email)
    if message_students:
        send_unenroll_messages(student_email, before, message_params, language)
    return before, EmailEnrollmentState(course_id, student_email, user=before.user)


def send_unenroll_messages(
    student_email: str, before: EmailEnrollmentState, message_params: dict[str, object] | None, language: str | None
) -> None:
    """The messages of :func:`unenroll_email`: one for the enrollment ended, one for the entry withdrawn."""
    params = {**(message_params or {}), "email_address": student_email}
    if before.enrollment and before.user:
        send_mail_to_student(
            student_email,
            {**params, "message_type": "enrolled_unenroll", "user_id": before.user.id, "full_name": before.full_name},
            language,
        )
    if before.allowed:
        message = {**params, "message_type": "allowed_unenroll"}
        if before.user:
            message["user_id"] = before.user.id
        send_mail_to_student(student_email, message, language)


def send_beta_role_email(action: str, user: UserData, message_params: dict[str, object]) -> None:
    """Tell ``user`` they were added as (``"add"``) or removed from (``"remove"``) the beta testers."""
    if action not in ("add", "remove"):
        raise ValueError(f"Unexpected action received '{action}' - expected 'add' or 'remove'")
    if action == "add" and not user.is_active:
        return
    params = {
        **message_params,
        "message_type": "add_beta_tester" if action == "add" else "remove_beta_tester",
        "email_address": user.email,
        "user_id": user.id,
        "full_name": user.full_name,
    }
    send_mail_to_student(user.email, params, user.language)


def send_batch_enrollment_summary(requester: UserData, course: CourseData, task_id: str, summary: dict) -> None:
    """Tell whoever started a background batch enrollment how it went, in their language."""
    params = {
        **get_email_params(course, bool(summary.get("auto_enroll"))),
        **summary,
        "message_type": BATCH_ENROLLMENT_SUMMARY,
        "email_address": requester.email,
        "user_id": requester.id,
        "full_name": requester.full_name,
        "task_id": task_id,
    }
    send_mail_to_student(requester.email, params, requester.language)


def list_enrolled_learners(
    course_key: CourseKey, filters: EnrollmentFilter, page: PageRequest
) -> Page[EnrolledLearner]:
    """One page of the course's active learners, ordered by username."""
    return get_backend().enrollments.list_enrollments(course_key, filters, page)


def get_enrollment_status(course_key: CourseKey, identifier: str) -> str:
    """
    A sentence describing the enrollment of a username or email.

    ``"Enrollment status for learner1: active"``, naming a user by their username (an email with no
    account as typed); the status is ``active``, ``inactive`` (unenrolled), ``pending`` (allowed to
    enroll) or ``never enrolled``.
    """
    name = email = identifier.strip()
    try:
        user = resolve.learner(course_key, identifier)
    except (UserNotFound, AmbiguousIdentifier):
        pass
    else:
        name, email = user.username, user.email
    state = EmailEnrollmentState(course_key, email)
    if state.enrollment:
        status = "active"
    elif state.enrollment_record:
        status = "inactive"
    elif state.allowed:
        status = "pending"
    else:
        status = "never enrolled"
    return f"Enrollment status for {name}: {status}"


def ensure_enrolled(course_key: CourseKey, user: UserData) -> None:
    """
    Enroll the user unless they are actively enrolled already (keeping their mode).

    openedx-filters' ``CourseEnrollmentStarted`` runs first, as on every door: it may change the mode or
    refuse (``EnrollmentNotAllowed``). A user so enrolled in a cohorted course joins their cohort, as
    through the enrollment API.
    """
    enrollments = get_backend().enrollments
    enrollment = enrollments.get_enrollment(course_key, user.id)
    if not (enrollment and enrollment.is_active):
        mode = run_enrollment_started_filter(course_key, user, enrollment.mode if enrollment else None)
        enrollments.enroll(course_key, user.id, mode)
        join_cohort(course_key, user)


def is_cohorted(course_key: CourseKey) -> bool:
    """Whether the backend keeps cohorts and the course is cohorted."""
    backend = get_backend()
    return backend.provides("cohorts") and backend.cohorts.is_cohorted(course_key)


def join_cohort(course_key: CourseKey, user: UserData) -> None:
    """Place a newly enrolled learner in their cohort (preassigned, else random) if the course is cohorted."""
    if is_cohorted(course_key):
        get_learner_cohort(course_key, user, assign=True)


def enrollment_started_filter_configured() -> bool:
    """Whether Django's ``OPEN_EDX_FILTERS_CONFIG`` gives ``CourseEnrollmentStarted`` a step to run."""
    return bool(CourseEnrollmentStarted.get_pipeline_configuration()[0])


def run_enrollment_started_filter(course_key: CourseKey, user: UserData, mode: str | None) -> str | None:
    """
    Run openedx-filters' ``CourseEnrollmentStarted`` before a new (or re-activated) enrollment, on every door.

    As Open edX's ``CourseEnrollment.enroll``: the steps of Django's ``OPEN_EDX_FILTERS_CONFIG`` for
    ``org.openedx.learning.course.enrollment.started.v1`` get the host's user object, the course key
    and the mode (``None``: the default); a step raising ``PreventEnrollment`` refuses the enrollment
    (``EnrollmentNotAllowed`` with the step's message). Returns the mode the steps leave; the course
    key they return is not used. With no step configured the user is not read.
    """
    if not enrollment_started_filter_configured():
        return mode
    host_user = get_user_model()._default_manager.get(pk=user.id)
    try:
        # ``None`` when no mode was asked for, as Open edX passes it (the filter's annotation says ``str``).
        _, _, mode = CourseEnrollmentStarted.run_filter(user=host_user, course_key=course_key, mode=cast(str, mode))
    except CourseEnrollmentStarted.PreventEnrollment as error:
        raise EnrollmentNotAllowed(course_key, message=str(error)) from error
    return mode


def check_enrollment_rules(course: CourseData, user: UserData, *, invited: bool = False) -> None:
    """
    The course's rules for a new (or re-activated) enrollment, the same whichever door it comes through.

    In order: the enrollment window is open (else ``EnrollmentClosed``), an invitation-only course
    has invited the user, by an allowed-to-enroll entry for their email or because staff enroll
    them (``invited``; else ``EnrollmentNotAllowed``), and the course has room (else ``CourseFull``).
    """
    _check_window(course)
    enrollments = get_backend().enrollments
    if course.invite_only and not invited and enrollments.get_allowed(course.course_key, user.email) is None:
        raise EnrollmentNotAllowed(course.course_key)
    if enrollment_room(course, 1) < 1:
        raise CourseFull(course.course_key)


def _check_window(course: CourseData) -> None:
    now = timezone.now()
    if (course.enrollment_start and course.enrollment_start > now) or (
        course.enrollment_end and course.enrollment_end < now
    ):
        raise EnrollmentClosed(course.course_key)


def enrollment_room(course: CourseData, wanted: int) -> int:
    """
    How many of ``wanted`` new enrollments the course's window and capacity allow now, in one query at most.

    A closed window raises ``EnrollmentClosed``. Staff enrolling learners invite them, so for them these are
    the only rules.
    """
    _check_window(course)
    capacity = course.max_student_enrollments_allowed
    if capacity is None:
        return wanted
    active = get_backend().enrollments.count_active(course.course_key, limit=capacity)
    return max(0, min(wanted, capacity - active))
