"""
Accounts made by course staff from a CSV, each enrolled at once (Open edX's ``register_and_enroll_students``).

Each row is ``email, username, full name, country`` and, when ``ENABLE_AUTOMATED_SIGNUPS_EXTRA_FIELDS`` is
on, an optional ``cohort`` and ``course mode``. A row whose email has an account enrolls that account (a
different username is a warning); otherwise an account is created with a random password and enrolled,
and, when asked, the learner gets the ``account_creation_and_enrollment`` message (which links to the
password reset, never carrying the password). A row's problem is that row's error; the other rows go on.
"""

from __future__ import annotations

import csv
import io
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from opaque_keys.edx.keys import CourseKey

from .backends.data import CohortData, CourseData, ManualEnrollmentAuditData, UserData
from .backends.exceptions import AccountTaken
from .backends.registry import get_backend
from .cohorts import CohortNotFound, add_users, get_cohort_by_name
from .conf import plugin_setting
from .enrollment import UNENROLLED_TO_ENROLLED, get_email_params, is_cohorted, join_cohort, send_mail_to_student
from .exceptions import ErrorCategory, InstructorError
from .message_types import ACCOUNT_CREATION_AND_ENROLLMENT, ENROLLED_ENROLL

__all__ = ["AutomatedSignupsDisabled", "register_and_enroll"]

REASON = "Enrolling via csv upload"
#: The longest username and full name an account takes, and the country code's length.
USERNAME_MAX, NAME_MAX, COUNTRY_MAX = 150, 255, 2
_PASSWORD_ALPHABET = "".join(char for char in string.ascii_letters + string.digits if char not in "aAeEiIoOuU1l")
_PASSWORD_LENGTH = 12
REQUIRED_COLUMNS, ALL_COLUMNS = 4, 6


class AutomatedSignupsDisabled(InstructorError):
    """The site does not let course staff create accounts (``ALLOW_AUTOMATED_SIGNUPS`` is off)."""

    category = ErrorCategory.FORBIDDEN
    error_code = "automated_signups_disabled"
    message = "Creating accounts from a CSV is not enabled on this site."


@dataclass
class RegistrationOutcome:
    """The original's three lists, each entry ``{"username", "email", "response"}``."""

    row_errors: list[dict] = field(default_factory=list)
    general_errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"row_errors": self.row_errors, "general_errors": self.general_errors, "warnings": self.warnings}


def _entry(username: str, email: str, response: str) -> dict:
    return {"username": username, "email": email, "response": response}


def _site_flag(course_key: CourseKey, name: str) -> bool:
    return bool(get_backend().site_config.get_value(name, plugin_setting(name), org=course_key.org))


def _read_rows(upload: UploadedFile | None, outcome: RegistrationOutcome) -> list[list[str]]:
    if upload is None:
        outcome.general_errors.append(_entry("", "", "File is not attached."))
        return []
    if not (upload.name or "").endswith(".csv"):
        message = "Make sure that the file you upload is in CSV format with no extraneous characters or rows."
        outcome.general_errors.append(_entry("", "", message))
        return []
    try:
        if upload.size > plugin_setting("MAX_REGISTRATION_CSV_UPLOAD_BYTES"):
            raise ValueError("too large")
        return list(csv.reader(io.StringIO(upload.read().decode("utf-8-sig"))))
    except (ValueError, csv.Error):
        outcome.general_errors.append(_entry("", "", "Could not read uploaded file."))
        return []


@dataclass
class _Batch:
    """What every row of one upload shares."""

    course: CourseData
    actor_id: int | None
    notify: bool
    email_params: dict
    valid_modes: frozenset[str]
    extra_fields: bool
    cohorts: dict[str, CohortData | None] = field(default_factory=dict)
    warned_not_cohorted: bool = False


def register_and_enroll(
    course_key: CourseKey, actor_id: int | None, upload: UploadedFile | None, *, notify: bool, secure: bool
) -> dict:
    """
    Create and enroll the accounts of an uploaded CSV; ``{"row_errors", "general_errors", "warnings"}``.

    Raises :class:`AutomatedSignupsDisabled` unless the site allows automated signups.
    """
    if not _site_flag(course_key, "ALLOW_AUTOMATED_SIGNUPS"):
        raise AutomatedSignupsDisabled()
    outcome = RegistrationOutcome()
    rows = _read_rows(upload, outcome)
    if not rows:
        return outcome.as_dict()
    backend = get_backend()
    course = backend.courses.get_course(course_key)
    batch = _Batch(
        course=course,
        actor_id=actor_id,
        notify=notify,
        email_params=get_email_params(course, True, secure=secure),
        valid_modes=frozenset(mode.slug for mode in backend.enrollments.list_mode_details(course_key)),
        extra_fields=_site_flag(course_key, "ENABLE_AUTOMATED_SIGNUPS_EXTRA_FIELDS"),
    )
    for number, cells in enumerate(rows, 1):
        if cells:
            _register_row(batch, number, [cell.strip() for cell in cells], outcome)
    return outcome.as_dict()


def _row_shape_error(batch: _Batch, number: int, cells: Sequence[str]) -> str | None:
    if batch.extra_fields:
        if REQUIRED_COLUMNS <= len(cells) <= ALL_COLUMNS:
            return None
        return (
            f"Data in row #{number} must have between four and six columns: email, username, full name, country, "
            "cohort, and course mode. The last two columns are optional."
        )
    if len(cells) == REQUIRED_COLUMNS:
        return None
    return f"Data in row #{number} must have exactly four columns: email, username, full name, and country."


def _cohort_of(
    batch: _Batch, course_key: CourseKey, name: str, username: str, email: str, outcome: RegistrationOutcome
) -> CohortData | None:
    if not name or batch.warned_not_cohorted:
        return None
    if not is_cohorted(course_key):
        message = "Course is not cohorted but cohort provided. Ignoring cohort assignment for all users."
        outcome.row_errors.append(_entry(username, email, message))
        batch.warned_not_cohorted = True
        return None
    if name not in batch.cohorts:
        try:
            batch.cohorts[name] = get_cohort_by_name(course_key, name)
        except CohortNotFound:
            message = f"Cohort name not found: {name}. Ignoring cohort assignment for all users."
            outcome.row_errors.append(_entry(username, email, message))
            batch.cohorts[name] = None
    return batch.cohorts[name]


def _register_row(batch: _Batch, number: int, cells: list[str], outcome: RegistrationOutcome) -> None:
    course_key = batch.course.course_key
    shape_error = _row_shape_error(batch, number, cells)
    if shape_error:
        outcome.general_errors.append(_entry("", "", shape_error))
        return
    email, username, name, country, *extra = cells
    cohort_name, mode = [*extra, "", ""][:2]
    cohort = _cohort_of(batch, course_key, cohort_name, username, email, outcome)
    if mode and mode not in batch.valid_modes:
        message = (
            f"Invalid course mode: {mode}. Falling back to the default mode, or keeping the current mode in case "
            "the user is already enrolled."
        )
        outcome.row_errors.append(_entry(username, email, message))
        mode = ""
    try:
        validate_email(email)
    except ValidationError:
        outcome.row_errors.append(_entry(username, email, f"Invalid email {email}."))
        return
    with transaction.atomic():
        existing = get_backend().users.find_user_by_email(email)
        user = existing or _new_account(batch, email, username, name, country, outcome)
        if user is None:
            return
        if existing is not None and existing.username != username:
            message = (
                f"An account with email {email} exists but the provided username {username} is different. "
                f"Enrolling anyway with {email}."
            )
            outcome.warnings.append(_entry(username, email, message))
        _enroll(batch, user, mode or None, announce=existing is not None)
        if cohort is not None:
            add_users(course_key, cohort.id, [user.username], batch.actor_id)


def _new_account(
    batch: _Batch, email: str, username: str, name: str, country: str, outcome: RegistrationOutcome
) -> UserData | None:
    """A new account for the row, the learner told when ``notify``; None (and the row's error) when refused."""
    backend = get_backend()
    problem = _new_account_problem(username, name, country)
    if problem:
        outcome.row_errors.append(_entry(username, email, problem))
        return None
    password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(_PASSWORD_LENGTH))
    try:
        user = backend.users.create_account(username, email, name, country, password)
    except AccountTaken:
        outcome.row_errors.append(_entry(username, email, f"Username {username} already exists."))
        return None
    if batch.notify:
        root = str(batch.email_params["course_url"]).split("/courses/", 1)[0]
        params = {
            **batch.email_params,
            "message_type": ACCOUNT_CREATION_AND_ENROLLMENT,
            "email_address": email,
            "user_id": user.id,
            "username": user.username,
            "full_name": user.full_name,
            "password_reset_url": f"{root}/password_reset/",
        }
        send_mail_to_student(email, params)
    return user


def _new_account_problem(username: str, name: str, country: str) -> str | None:
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        return f"Invalid username {username}."
    if len(username) > USERNAME_MAX:
        return f"Invalid username {username}."
    if len(name) > NAME_MAX:
        return f"The full name is longer than {NAME_MAX} characters."
    if len(country) > COUNTRY_MAX:
        return f"Invalid country {country}: use its two-letter code."
    return None


def _enroll(batch: _Batch, user: UserData, mode: str | None, *, announce: bool) -> None:
    """
    Enroll the account (changing the mode of an enrollment it has), recording the change as the original does.

    A learner of an existing account is told of the enrollment when ``notify`` (``announce``); a new
    account's learner got the account-creation message instead.
    """
    backend = get_backend()
    course_key = batch.course.course_key
    enrollment = backend.enrollments.get_enrollment(course_key, user.id)
    if enrollment and enrollment.is_active:
        if mode and enrollment.mode != mode:
            backend.enrollments.enroll(course_key, user.id, mode)
        return
    backend.enrollments.enroll(course_key, user.id, mode)
    backend.enrollments.record_manual_enrollment(
        ManualEnrollmentAuditData(
            enrolled_by_id=batch.actor_id,
            enrolled_email=user.email,
            course_key=course_key,
            state_transition=UNENROLLED_TO_ENROLLED,
            reason=REASON,
        )
    )
    join_cohort(course_key, user)
    if batch.notify and announce:
        params = {
            **batch.email_params,
            "message_type": ENROLLED_ENROLL,
            "email_address": user.email,
            "user_id": user.id,
            "full_name": user.full_name,
        }
        send_mail_to_student(user.email, params, user.language)
