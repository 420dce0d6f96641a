"""
The enrollment API of seed 002: its functions by name and signature, its errors, and ``EnrollmentsService``.

Every function goes through the enrollments backend and returns the original's dict shapes::

    add_enrollment("learner1", "course-v1:OpenedX+DemoX+Demo_Course", mode="audit")
    -> {"created": "2026-01-05T10:00:00Z", "mode": "audit", "is_active": True, "user": "learner1",
        "course_details": {"course_id": "course-v1:...", "course_name": "...", "enrollment_start": ...,
        "enrollment_end": ..., "course_start": ..., "course_end": ..., "invite_only": False,
        "pacing_type": "Instructor Paced", "course_modes": [{"slug": "audit", "name": "Audit", "min_price": 0,
        "suggested_prices": "", "currency": "usd", "expiration_datetime": None, "description": None,
        "sku": None, "bulk_sku": None}]}}

The course rules (enrollment window, invitation only, capacity) are those of
:func:`instructor_plugin.enrollment.check_enrollment_rules`, which the v2 endpoints and batch
enrollment apply too. Writes take an optional ``actor_id`` (who asked) for the audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from openedx_filters.learning.filters import CourseEnrollmentViewStarted

from .backends.data import (
    AllowedEnrollmentData,
    CourseData,
    CourseModeDetails,
    EnrollmentAttributeData,
    EnrollmentCursor,
    EnrollmentData,
    EnrollmentSearch,
    EnrollmentSearchRow,
    UserData,
    UserRoleData,
)
from .backends.exceptions import (
    AmbiguousIdentifier,
    CourseFull,
    CourseNotFound,
    EnrollmentClosed,
    EnrollmentNotAllowed,
    EnterpriseLinkFailed,
    UserNotFound,
)
from .backends.registry import get_backend
from .cohorts import get_learner_cohort
from .conf import plugin_setting
from .embargo import blocked_enrollment_url
from .enrollment import check_enrollment_rules, run_enrollment_started_filter
from .exceptions import ErrorCategory, InstructorError
from .models import AuditRecord

__all__ = [
    "HONOR_MODE",
    "PROCTORING_MODES",
    "RETIREMENT_STATES_NOT_ACTIONABLE",
    "VERIFIED_MODES",
    "CourseEnrollmentClosedError",
    "CourseEnrollmentError",
    "CourseEnrollmentExistsError",
    "CourseEnrollmentFullError",
    "CourseEnrollmentNotUpdatableError",
    "CourseModeNotFoundError",
    "CourseNotFoundError",
    "EnrollmentAllowedExistsError",
    "EnrollmentAllowedNotFoundError",
    "EnrollmentApiLoadError",
    "EnrollmentAttributesMissingError",
    "EnrollmentModeMismatchError",
    "EnrollmentNotAllowed",
    "EnrollmentNotFoundError",
    "EnrollmentsService",
    "InvalidEnrollmentAttribute",
    "NonExistentCourseError",
    "RetirementRequestNotFoundError",
    "RetirementStateError",
    "UserNotFoundError",
    "add_enrollment",
    "add_enrollment_allowed",
    "audit_enrollment_change_request",
    "check_retirement_request",
    "embargo_blocked_url",
    "enterprise_linking_enabled",
    "get_course_enrollment_details",
    "get_enrollment",
    "get_enrollment_attributes",
    "get_enrollments",
    "get_enrollments_allowed",
    "get_user_roles",
    "get_user_roles_or_none",
    "get_verified_enrollments",
    "is_enrollment_valid_for_proctoring",
    "iso_datetime",
    "link_enterprise_enrollment",
    "proctoring_modes",
    "remove_enrollment_allowed",
    "run_enrollment_view_filter",
    "search_enrollments",
    "serialize_enrollments",
    "set_email_opt_in",
    "set_enrollment_attributes",
    "staff_course_keys",
    "unenroll_user_from_all_courses",
    "update_enrollment",
    "username_for_email",
    "validate_course_mode",
]

log = logging.getLogger(__name__)

#: The modes whose learners hold a verified identity (Open edX's ``CourseMode.VERIFIED_MODES``).
VERIFIED_MODES = frozenset(
    {"verified", "professional", "masters", "executive-education", "paid-executive-education", "paid-bootcamp"}
)
#: The modes whose learners may take proctored exams (plus honor where the provider allows it).
PROCTORING_MODES = frozenset({"verified", "masters", "professional", "executive-education"})
HONOR_MODE = "honor"
#: The mode picked when none is asked for, in order of preference.
_DEFAULT_MODES = ("audit", "honor")
#: The attributes some modes require, as ``namespace:name``.
REQUIRED_ATTRIBUTES = {"credit": ["credit:provider_id"]}


# --- Errors ------------------------------------------------------------------


class CourseEnrollmentError(InstructorError):
    """Any error reading or changing an enrollment; ``data`` carries what the caller may show."""

    error_code = "course_enrollment_error"
    message = "An error occurred with the course enrollment."

    def __init__(self, msg: str | None = None, data: object = None):
        super().__init__(message=msg)
        self.data = data


class UserNotFoundError(CourseEnrollmentError):
    category = ErrorCategory.NOT_FOUND
    error_code = "user_not_found"
    message = "The user does not exist."


class CourseNotFoundError(CourseEnrollmentError):
    category = ErrorCategory.NOT_FOUND
    error_code = "course_not_found"
    message = "Course not found."


#: Open edX's model-level name of the same error.
NonExistentCourseError = CourseNotFoundError


class CourseEnrollmentClosedError(CourseEnrollmentError):
    error_code = "enrollment_closed"
    message = "Enrollment is closed for this course."


class CourseEnrollmentFullError(CourseEnrollmentError):
    error_code = "course_full"
    message = "The course is full."


class CourseEnrollmentExistsError(CourseEnrollmentError):
    """The user is already enrolled; ``enrollment`` is the existing enrollment's dict."""

    category = ErrorCategory.CONFLICT
    error_code = "enrollment_exists"
    message = "The user is already enrolled in this course."

    def __init__(self, message: str | None = None, enrollment: dict | None = None):
        super().__init__(message, enrollment)
        self.enrollment = enrollment


class CourseEnrollmentNotUpdatableError(CourseEnrollmentError):
    error_code = "enrollment_not_updatable"
    message = "The enrollment could not be updated."


class CourseModeNotFoundError(CourseEnrollmentError):
    """The mode is not offered (or expired); ``data`` is the course's details."""

    error_code = "course_mode_not_found"
    message = "The course mode is not available."


class EnrollmentNotFoundError(CourseEnrollmentError):
    category = ErrorCategory.NOT_FOUND
    error_code = "enrollment_not_found"
    message = "Course enrollment not found."


class EnrollmentApiLoadError(CourseEnrollmentError):
    error_code = "enrollment_api_load_error"
    message = "The enrollment data API could not be loaded."


class InvalidEnrollmentAttribute(CourseEnrollmentError):
    error_code = "invalid_enrollment_attribute"
    message = "The enrollment attributes are not valid."


class EnrollmentModeMismatchError(CourseEnrollmentError):
    error_code = "enrollment_mode_mismatch"
    message = "The requested mode does not match the active enrollment."


class EnrollmentAttributesMissingError(CourseEnrollmentError):
    error_code = "enrollment_attributes_missing"
    message = "Required enrollment attributes are missing."


# --- Shapes ------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _mode_dict(mode: CourseModeDetails) -> dict:
    return {
        "slug": mode.slug,
        "name": mode.name,
        "min_price": mode.min_price,
        "suggested_prices": mode.suggested_prices,
        "currency": mode.currency,
        "expiration_datetime": _iso(mode.expiration_datetime),
        "description": mode.description,
        "sku": mode.sku,
        "bulk_sku": mode.bulk_sku,
    }


def _details_dict(course: CourseData, modes: Sequence[CourseModeDetails]) -> dict:
    return {
        "course_id": str(course.course_key),
        "course_name": course.display_name,
        "enrollment_start": _iso(course.enrollment_start),
        "enrollment_end": _iso(course.enrollment_end),
        "course_start": _iso(course.start),
        "course_end": _iso(course.end),
        "invite_only": course.invite_only,
        "course_modes": [_mode_dict(mode) for mode in modes],
        "pacing_type": "Self Paced" if course.self_paced else "Instructor Paced",
    }


def _enrollment_dict(enrollment: EnrollmentData, username: str, details: dict) -> dict:
    return {
        "created": _iso(enrollment.created),
        "mode": enrollment.mode,
        "is_active": enrollment.is_active,
        "course_details": details,
        "user": username,
    }


class _CourseDetails:
    """Course details by course key, each read once per call."""

    def __init__(self, include_expired: bool = False):
        self.include_expired = include_expired
        self._seen: dict[CourseKey, dict | None] = {}

    def __call__(self, course_key: CourseKey) -> dict | None:
        if course_key not in self._seen:
            backend = get_backend()
            try:
                course = backend.courses.get_course(course_key)
            except CourseNotFound:
                log.warning("Enrollment in %s, a course that does not exist.", course_key)
                self._seen[course_key] = None
            else:
                modes = backend.enrollments.list_mode_details(course_key, self.include_expired)
                self._seen[course_key] = _details_dict(course, modes)
        return self._seen[course_key]


# --- Look-ups ----------------------------------------------------------------


def _course_key(course_id: str | CourseKey) -> CourseKey:
    if isinstance(course_id, CourseKey):
        return course_id
    try:
        return CourseKey.from_string(str(course_id))
    except InvalidKeyError:
        raise CourseNotFoundError(f"No course found for course ID '{course_id}'") from None


def _course(course_key: CourseKey) -> CourseData:
    try:
        return get_backend().courses.get_course(course_key)
    except CourseNotFound:
        raise CourseNotFoundError(f"No course found for course ID '{course_key}'") from None


def _user(username: str) -> UserData:
    try:
        user = get_backend().users.find_user(username)
    except (UserNotFound, AmbiguousIdentifier):
        user = None
    if user is None or user.username != username:
        raise UserNotFoundError(f"The user {username} does not exist.")
    return user


def _audit(action: str, course_key: CourseKey, actor_id: int | None, learner_id: int | None, **detail: object) -> None:
    AuditRecord.objects.create(
        course_key=course_key, action=action, actor_id=actor_id, learner_id=learner_id, detail=detail
    )


# --- The API -----------------------------------------------------------------


def get_enrollments(username: str, include_inactive: bool = False) -> list[dict]:
    """The user's enrollments, oldest first; enrollments in courses that no longer exist are left out."""
    user = _user(username)
    details = _CourseDetails()
    rows = []
    for enrollment in get_backend().enrollments.list_user_enrollments(user.id, include_inactive):
        course_details = details(enrollment.course_key)
        if course_details is not None:
            rows.append(_enrollment_dict(enrollment, user.username, course_details))
    return rows


def get_verified_enrollments(username: str, include_inactive: bool = False) -> list[dict]:
    """:func:`get_enrollments` in verified-type modes only."""
    return [row for row in get_enrollments(username, include_inactive) if row["mode"] in VERIFIED_MODES]


def get_enrollment(username: str, course_id: str | CourseKey) -> dict | None:
    """The user's enrollment (active or not) in the course, or ``None``."""
    try:
        user = _user(username)
        course_key = _course_key(course_id)
    except (UserNotFoundError, CourseNotFoundError):
        return None
    enrollment = get_backend().enrollments.get_enrollment(course_key, user.id)
    if enrollment is None:
        return None
    details = _CourseDetails()(course_key)
    return None if details is None else _enrollment_dict(enrollment, user.username, details)


def get_course_enrollment_details(course_id: str | CourseKey, include_expired: bool = False) -> dict:
    """
    The course's enrollment details and modes (expired ones too with ``include_expired``).

    Cached, as the original, in Django's default cache under
    ``enrollment.course.details.{course_id}.{include_expired}`` for Django's
    ``ENROLLMENT_COURSE_DETAILS_CACHE_TIMEOUT`` seconds (60 by default); an unknown course is not cached.
    """
    course_key = _course_key(course_id)
    cache_key = f"enrollment.course.details.{course_key}.{include_expired}"
    details = cache.get(cache_key)
    if details is None:
        course = _course(course_key)
        details = _details_dict(course, get_backend().enrollments.list_mode_details(course_key, include_expired))
        cache.set(cache_key, details, getattr(settings, "ENROLLMENT_COURSE_DETAILS_CACHE_TIMEOUT", 60))
    return details


def validate_course_mode(
    course_id: str | CourseKey, mode: str, is_active: bool | None = None, include_expired: bool = False
) -> None:
    """
    Raise ``CourseModeNotFoundError``, carrying the course details, unless the course offers ``mode``.

    Deactivating (``is_active=False``) allows expired modes.
    """
    details = get_course_enrollment_details(course_id, include_expired=include_expired or is_active is False)
    if mode not in {row["slug"] for row in details["course_modes"]}:
        raise CourseModeNotFoundError(f"Specified course mode '{mode}' unavailable for course {course_id}.", details)


def _default_mode(course_key: CourseKey) -> str:
    offered = {mode.slug for mode in get_backend().enrollments.list_mode_details(course_key)}
    return next((slug for slug in _DEFAULT_MODES if slug in offered), _DEFAULT_MODES[0])


def _check_attributes(attributes: Iterable[Mapping]) -> list[EnrollmentAttributeData]:
    checked = []
    for attribute in attributes:
        if not isinstance(attribute, Mapping) or not all(
            isinstance(attribute.get(key), str) for key in ("namespace", "name", "value")
        ):
            raise InvalidEnrollmentAttribute("Each enrollment attribute needs a namespace, a name and a value.")
        checked.append(EnrollmentAttributeData(attribute["namespace"], attribute["name"], attribute["value"]))
    return checked


def add_enrollment(
    username: str,
    course_id: str | CourseKey,
    mode: str | None = None,
    is_active: bool = True,
    enrollment_attributes: list[dict] | None = None,
    enterprise_uuid: str | None = None,
    force_enrollment: bool = False,
    include_expired: bool = False,
    *,
    actor_id: int | None = None,
) -> dict:
    """
    Enroll the user (or re-activate their enrollment), checking the course's rules in order.

    The course must exist and offer the mode (expired modes with ``include_expired``), be open for
    enrollment, invite the user if it is invitation only (else ``EnrollmentNotAllowed``, which is
    not a ``CourseEnrollmentError``, as in Open edX), and have room; an active enrollment raises
    ``CourseEnrollmentExistsError`` carrying it. In a cohorted course the learner then gets a cohort
    unless they have one: their preassigned one, else a random one (``get_learner_cohort``).
    Before the course's rules, openedx-filters' ``CourseEnrollmentStarted`` runs (it may refuse with
    ``EnrollmentNotAllowed`` or change the mode: :func:`~.enrollment.run_enrollment_started_filter`).
    ``enterprise_uuid``, which Open edX puts on the enrollment's activation event, is recorded in the
    ``enrollment_api_enroll`` audit record.
    """
    course_key = _course_key(course_id)
    course = _course(course_key)
    mode = mode or _default_mode(course_key)
    validate_course_mode(course_key, mode, is_active=is_active, include_expired=include_expired)
    user = _user(username)
    attributes = _check_attributes(enrollment_attributes or [])
    enrollments = get_backend().enrollments
    existing = enrollments.get_enrollment(course_key, user.id)
    already = bool(existing and existing.is_active)
    filtered_mode = run_enrollment_started_filter(course_key, user, mode)
    if filtered_mode and filtered_mode != mode:
        mode = filtered_mode
        validate_course_mode(course_key, mode, is_active=is_active, include_expired=include_expired)
    try:
        check_enrollment_rules(course, user)
    except EnrollmentClosed as error:
        raise CourseEnrollmentClosedError(error.message) from error
    except CourseFull as error:
        raise CourseEnrollmentFullError(error.message) from error
    if already and is_active:
        raise CourseEnrollmentExistsError(
            f"The user {username} is already enrolled in course run {course_key}.", get_enrollment(username, course_key)
        )
    enrollment = enrollments.enroll(course_key, user.id, mode)
    if not is_active:
        enrollment = enrollments.unenroll(course_key, user.id) or enrollment
    if attributes:
        enrollments.set_enrollment_attributes(course_key, user.id, attributes)
    if enrollment.is_active and get_backend().provides("cohorts"):
        get_learner_cohort(course_key, user)
    _audit(
        "enrollment_api_enroll",
        course_key,
        actor_id,
        user.id,
        mode=mode,
        is_active=is_active,
        enterprise_uuid=str(enterprise_uuid) if enterprise_uuid else None,
    )
    return _enrollment_dict(enrollment, user.username, _details_dict(course, enrollments.list_mode_details(course_key)))


def update_enrollment(
    username: str,
    course_id: str | CourseKey,
    mode: str | None = None,
    is_active: bool | None = None,
    enrollment_attributes: list[dict] | None = None,
    include_expired: bool = False,
    *,
    actor_id: int | None = None,
) -> dict:
    """Change the mode and/or the active flag of an existing enrollment (``EnrollmentNotFoundError`` if none)."""
    course_key = _course_key(course_id)
    user = _user(username)
    if mode is not None:
        validate_course_mode(course_key, mode, is_active=is_active, include_expired=include_expired)
    attributes = _check_attributes(enrollment_attributes or [])
    enrollments = get_backend().enrollments
    enrollment = enrollments.update_enrollment(course_key, user.id, mode, is_active)
    if enrollment is None:
        raise EnrollmentNotFoundError(f"Course Enrollment not found for user {username} in course {course_key}")
    if attributes:
        enrollments.set_enrollment_attributes(course_key, user.id, attributes)
    _audit("enrollment_api_update", course_key, actor_id, user.id, mode=mode, is_active=is_active)
    details = _CourseDetails()(course_key) or {}
    return _enrollment_dict(enrollment, user.username, details)


def get_enrollment_attributes(username: str, course_id: str | CourseKey) -> list[dict]:
    """``[{"namespace", "name", "value"}]`` of the user's enrollment in the course."""
    user = _user(username)
    rows = get_backend().enrollments.get_enrollment_attributes(_course_key(course_id), user.id)
    return [{"namespace": row.namespace, "name": row.name, "value": row.value} for row in rows]


def set_enrollment_attributes(
    username: str, course_id: str | CourseKey, attributes: list[dict], *, actor_id: int | None = None
) -> None:
    """Create or update attributes of the user's enrollment; each needs ``namespace``, ``name`` and ``value``."""
    course_key = _course_key(course_id)
    user = _user(username)
    checked = _check_attributes(attributes)
    enrollments = get_backend().enrollments
    if enrollments.get_enrollment(course_key, user.id) is None:
        raise EnrollmentNotFoundError(f"Course Enrollment not found for user {username} in course {course_key}")
    enrollments.set_enrollment_attributes(course_key, user.id, checked)
    _audit("enrollment_api_attributes", course_key, actor_id, user.id, attributes=[vars(a) for a in checked])


def unenroll_user_from_all_courses(username: str, *, actor_id: int | None = None) -> set[str]:
    """Deactivate every enrollment of the user at once; the orgs of the courses left."""
    user = _user(username)
    course_keys = get_backend().enrollments.unenroll_all(user.id)
    for course_key in course_keys:
        _audit("enrollment_api_unenroll_all", course_key, actor_id, user.id)
    return {str(course_key.org) for course_key in course_keys}


#: The org preference holding a user's email opt-in (Open edX's ``UserOrgTag`` key).
EMAIL_OPT_IN_KEY = "email-optin"


def set_email_opt_in(username: str, course_id: str | CourseKey, opt_in: bool, *, actor_id: int | None = None) -> bool:
    """
    Record whether the user accepts email from the course's organization; the value stored.

    As Open edX's ``update_email_opt_in``: a user younger than Django's ``EMAIL_OPTIN_MINIMUM_AGE``
    (13 by default) by their year of birth is stored as opted out; the value is ``"True"`` or
    ``"False"`` under the org preference ``email-optin``. Audited as ``enrollment_api_email_opt_in``.
    """
    course_key = _course_key(course_id)
    user = _user(username)
    users = get_backend().users
    minimum_age = getattr(settings, "EMAIL_OPTIN_MINIMUM_AGE", 13)
    born = users.get_year_of_birth(user.id)
    of_age = born is None or timezone.now().year - born > minimum_age
    value = bool(opt_in) and of_age
    org = str(course_key.org)
    users.set_org_preference(user.id, org, EMAIL_OPT_IN_KEY, str(value))
    _audit("enrollment_api_email_opt_in", course_key, actor_id, user.id, org=org, opt_in=value)
    return value


def get_user_roles(username: str) -> set[UserRoleData]:
    """Every course and org role of the user."""
    return set(get_backend().roles.list_user_roles(_user(username).id))


def serialize_enrollments(enrollments: Iterable[EnrollmentData]) -> list[dict]:
    """Enrollment records as :func:`get_enrollments` shapes them (rows of vanished courses left out)."""
    enrollments = list(enrollments)
    users = get_backend().users.get_users({e.user_id for e in enrollments})
    details = _CourseDetails()
    rows = []
    for enrollment in enrollments:
        course_details = details(enrollment.course_key)
        if course_details is not None and enrollment.user_id in users:
            rows.append(_enrollment_dict(enrollment, users[enrollment.user_id].username, course_details))
    return rows


def proctoring_modes(course: CourseData) -> frozenset[str]:
    """
    The modes whose learners may take the course's proctored exams: :data:`PROCTORING_MODES`, and
    honor when the course's provider sets ``allow_honor_mode`` in ``INSTRUCTOR_PLUGIN["PROCTORING_BACKENDS"]``.
    """
    provider = plugin_setting("PROCTORING_BACKENDS").get(course.proctoring_provider or "", {})
    return PROCTORING_MODES | {HONOR_MODE} if provider.get("allow_honor_mode") else PROCTORING_MODES


def is_enrollment_valid_for_proctoring(username: str, course_id: str | CourseKey) -> bool:
    """
    Whether the user's enrollment is active, in a mode of :func:`proctoring_modes`, in a course with
    proctored exams; always ``False`` while special exams are off (``INSTRUCTOR_PLUGIN["ENABLE_SPECIAL_EXAMS"]``,
    by default Open edX's ``FEATURES["ENABLE_SPECIAL_EXAMS"]``).
    """
    if not plugin_setting("ENABLE_SPECIAL_EXAMS"):
        return False
    try:
        course = _course(_course_key(course_id))
        user = _user(username)
    except CourseEnrollmentError:
        return False
    enrollment = get_backend().enrollments.get_enrollment(course.course_key, user.id)
    return bool(
        course.enable_proctored_exams
        and enrollment
        and enrollment.is_active
        and enrollment.mode in proctoring_modes(course)
    )


class EnrollmentsService:
    """The enrollments runtime service edx-proctoring calls; ids arrive as strings or keys."""

    def get_active_enrollments_by_course(self, course_id: str | CourseKey) -> Iterator[EnrollmentData]:
        """The course's active enrollments, streamed."""
        course_key = _course_key(course_id)
        for row in get_backend().enrollments.iter_learner_profiles(course_key):
            yield EnrollmentData(user_id=row.id, course_key=course_key, mode=row.enrollment_mode, is_active=True)

    def get_active_enrollments_by_course_and_user(
        self, course_id: str | CourseKey, user_id: int
    ) -> EnrollmentData | None:
        """The user's active enrollment in the course, or ``None`` (also for an unknown user)."""
        enrollment = get_backend().enrollments.get_enrollment(_course_key(course_id), int(user_id))
        return enrollment if enrollment and enrollment.is_active else None

    def get_enrollments_can_take_proctored_exams(
        self, course_id: str | CourseKey, text_search: str | None = None
    ) -> list[EnrollmentData] | None:
        """Active enrollments in :func:`proctoring_modes`, by username or email text; ``None``: no proctoring."""
        try:
            course = _course(_course_key(course_id))
        except CourseNotFoundError:
            return None
        if not course.enable_proctored_exams:
            return None
        needle = (text_search or "").lower()
        modes = proctoring_modes(course)
        return [
            EnrollmentData(user_id=row.id, course_key=course.course_key, mode=row.enrollment_mode, is_active=True)
            for row in get_backend().enrollments.iter_learner_profiles(course.course_key)
            if row.enrollment_mode in modes
            and (not needle or needle in row.username.lower() or needle in row.email.lower())
        ]


# --- Beyond seed 002's api.py: what its views do with the allowed-to-enroll table and roles ---


class EnrollmentAllowedExistsError(InstructorError):
    category = ErrorCategory.CONFLICT
    error_code = "enrollment_allowed_exists"
    message = "An enrollment allowed already exists."


class EnrollmentAllowedNotFoundError(InstructorError):
    category = ErrorCategory.NOT_FOUND
    error_code = "enrollment_allowed_not_found"
    message = "No enrollment allowed for this email and course."


def _allowed_dict(row: AllowedEnrollmentData) -> dict:
    return {
        "email": row.email,
        "course_id": str(row.course_key),
        "auto_enroll": row.auto_enroll,
        "user": row.user_id,
        "created": _iso(row.created),
    }


def get_enrollments_allowed(email: str) -> list[dict]:
    """``[{"email", "course_id", "auto_enroll", "user", "created"}]`` of this email in every course."""
    return [_allowed_dict(row) for row in get_backend().enrollments.list_allowed_by_email(email)]


def add_enrollment_allowed(
    email: str, course_id: str | CourseKey, auto_enroll: bool = False, *, actor_id: int | None = None
) -> dict:
    """Allow the email to enroll in the course; ``EnrollmentAllowedExistsError`` if it already is."""
    course = _course(_course_key(course_id))
    enrollments = get_backend().enrollments
    if enrollments.get_allowed(course.course_key, email) is not None:
        raise EnrollmentAllowedExistsError(
            message=f"An enrollment allowed with email {email} and course {course.course_key} already exists."
        )
    row = enrollments.allow(course.course_key, email, auto_enroll)
    _audit("enrollment_api_allow", course.course_key, actor_id, None, email=email, auto_enroll=auto_enroll)
    return _allowed_dict(row)


def remove_enrollment_allowed(email: str, course_id: str | CourseKey, *, actor_id: int | None = None) -> None:
    """Withdraw the email's allowed-to-enroll entry; ``EnrollmentAllowedNotFoundError`` if there is none."""
    course_key = _course_key(course_id)
    enrollments = get_backend().enrollments
    if enrollments.get_allowed(course_key, email) is None:
        raise EnrollmentAllowedNotFoundError(email, course_key)
    enrollments.disallow(course_key, email)
    _audit("enrollment_api_disallow", course_key, actor_id, None, email=email)


def staff_course_keys(username: str) -> set[CourseKey]:
    """The courses where the user holds the course-level staff or instructor role (org roles do not count)."""
    return {
        role.course_key
        for role in get_user_roles(username)
        if role.course_key is not None and role.role in ("staff", "instructor")
    }


def audit_enrollment_change_request(
    course_id: str | CourseKey, username: str, requested_mode: str | None, requested_activation: bool | None
) -> None:
    """Record a server-to-server enrollment request and the enrollment it left (``enrollment_change_requested``)."""
    try:
        course_key = _course_key(course_id)
        user = _user(username)
    except CourseEnrollmentError:
        return
    current = get_enrollment(username, course_key)
    _audit(
        "enrollment_change_requested",
        course_key,
        None,
        user.id,
        requested_mode=requested_mode,
        actual_mode=current["mode"] if current else None,
        requested_activation=requested_activation,
        actual_activation=current["is_active"] if current else None,
    )


def search_enrollments(
    filters: EnrollmentSearch, cursor: EnrollmentCursor | None, limit: int
) -> Sequence[EnrollmentSearchRow]:
    """Up to ``limit`` enrollments of every course (active or not), newest first, from ``cursor`` on."""
    return get_backend().enrollments.search_enrollments(filters, cursor, limit)


def iso_datetime(value: datetime | None) -> str | None:
    """A datetime as the enrollment API writes it: ISO 8601 in UTC with ``Z``."""
    return _iso(value)


def get_user_roles_or_none(username: str) -> set[UserRoleData] | None:
    """:func:`get_user_roles`, or ``None`` for an unknown user."""
    try:
        return get_user_roles(username)
    except UserNotFoundError:
        return None


def username_for_email(email: str) -> str | None:
    """The username of the account holding this email (case-insensitive), if any."""
    user = get_backend().users.find_user_by_email(email)
    return user.username if user else None


# --- The gates of the enrollment API's POST and unenroll ---------------------


def run_enrollment_view_filter(username: str, course_id: str | CourseKey, requester_is_backend_service: bool) -> None:
    """
    Run openedx-filters' ``CourseEnrollmentViewStarted`` as the original's POST does before enrolling.

    Its steps (``org.openedx.learning.course.enrollment.view.started.v1`` in Django's
    ``OPEN_EDX_FILTERS_CONFIG``) get the host's user object of ``username``, the course key and whether
    a server-to-server caller asked; a step raising ``PreventEnrollment`` is a ``CourseEnrollmentError``
    carrying its message. With no step configured nothing is read.
    """
    if not CourseEnrollmentViewStarted.get_pipeline_configuration()[0]:
        return
    host_user = get_user_model()._default_manager.get(pk=_user(username).id)
    try:
        CourseEnrollmentViewStarted.run_filter(
            user=host_user,
            course_key=_course_key(course_id),
            requester_is_backend_service=requester_is_backend_service,
        )
    except CourseEnrollmentViewStarted.PreventEnrollment as error:
        raise CourseEnrollmentError(str(error)) from error


def embargo_blocked_url(username: str, course_id: str | CourseKey, ip_addresses: Sequence[str]) -> str | None:
    """The blocked-enrollment message path when the embargo refuses the user the course (:mod:`.embargo`)."""
    return blocked_enrollment_url(_course_key(course_id), _user(username), ip_addresses)


def enterprise_linking_enabled() -> bool:
    """
    Whether ``linked_enterprise_customer`` is honoured: ``INSTRUCTOR_PLUGIN["ENABLE_ENTERPRISE_INTEGRATION"]``
    is true and the backend provides ``enterprise``.
    """
    return bool(plugin_setting("ENABLE_ENTERPRISE_INTEGRATION")) and get_backend().provides("enterprise")


def link_enterprise_enrollment(username: str, course_id: str | CourseKey, enterprise_customer_uuid: str) -> None:
    """
    Record the enterprise course enrollment of the user's enterprise customer and the user's consent
    for ``enterprise_customer_uuid``, as the original does for a server-to-server ``linked_enterprise_customer``.

    A user who is not a learner of the customer raises ``CourseEnrollmentError`` with the reason.
    """
    user = _user(username)
    course_key = _course_key(course_id)
    enterprise = get_backend().enterprise
    try:
        enterprise.create_enterprise_course_enrollment(user.id, course_key)
        enterprise.provide_consent(user.id, course_key, enterprise_customer_uuid)
    except EnterpriseLinkFailed as error:
        raise CourseEnrollmentError(error.message) from error


#: Open edX's required retirement states, in which a request may not be acted upon (nor in any ``*_COMPLETE``).
RETIREMENT_STATES_NOT_ACTIONABLE = frozenset({"PENDING", "COMPLETE", "ERRORED", "ABORTED"})


class RetirementRequestNotFoundError(InstructorError):
    category = ErrorCategory.NOT_FOUND
    error_code = "retirement_request_not_found"
    message = "No retirement request status for username."


class RetirementStateError(InstructorError):
    category = ErrorCategory.CONFLICT
    error_code = "retirement_state_error"
    message = "The retirement request cannot be acted upon in its state."


def check_retirement_request(username: str) -> None:
    """
    Raise unless the account first named ``username`` has a retirement request that may be acted upon.

    No request (or no ``retirement`` backend capability): ``RetirementRequestNotFoundError``; a request
    in a state of :data:`RETIREMENT_STATES_NOT_ACTIONABLE` or ending in ``_COMPLETE``: ``RetirementStateError``.
    """
    backend = get_backend()
    state = backend.retirement.get_retirement_state(username) if backend.provides("retirement") else None
    if state is None:
        raise RetirementRequestNotFoundError(username)
    if state in RETIREMENT_STATES_NOT_ACTIONABLE or state.endswith("_COMPLETE"):
        raise RetirementStateError(
            username, message=f"{username} is in {state}, not a valid state to perform retirement actions on."
        )
