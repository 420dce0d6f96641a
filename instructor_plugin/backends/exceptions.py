"""Errors a backend raises; each is an :class:`~instructor_plugin.exceptions.InstructorError` with its code."""

from ..exceptions import ErrorCategory, InstructorError


class BackendError(InstructorError):
    """Base class of every backend error."""


class CourseNotFound(BackendError):
    """No course has this key."""

    category = ErrorCategory.NOT_FOUND
    error_code = "course_not_found"
    message = "Course not found."


class BlockNotFound(BackendError):
    """No block with this usage key exists in the course."""

    category = ErrorCategory.NOT_FOUND
    error_code = "block_not_found"
    message = "Block not found in this course."


class UserNotFound(BackendError):
    """No user matches this identifier."""

    category = ErrorCategory.NOT_FOUND
    error_code = "learner_not_found"
    message = "Learner not found."


class AccountTaken(BackendError):
    """An account with this username or email already exists."""

    error_code = "account_taken"
    message = "An account with this username or email already exists."


class AmbiguousIdentifier(BackendError):
    """More than one user matches this identifier (a username equal to another user's email)."""

    error_code = "ambiguous_identifier"
    message = "More than one user matches this identifier."


class StateNotFound(BackendError):
    """The learner holds no state on the problem."""

    category = ErrorCategory.NOT_FOUND
    error_code = "state_not_found"
    message = "No state found for this learner and problem."


class NoDueDate(BackendError):
    """The block has no due date to extend or reset."""

    error_code = "no_due_date"
    message = "The unit has no due date."


class DueDateNotLater(BackendError):
    """An extended due date must be later than the original due date of the block and of each dated descendant."""

    error_code = "due_date_not_later"
    message = "An extended due date must be later than the original due date."


class ExamNotFound(BackendError):
    """No special exam with this id exists in the course."""

    category = ErrorCategory.NOT_FOUND
    error_code = "exam_not_found"
    message = "Exam not found in this course."


# --- Enrollment rules (the enrollment API, the v2 endpoints and batch enrollment) ----


class EnrollmentClosed(BackendError):
    """The course's enrollment window is not open."""

    error_code = "enrollment_closed"
    message = "Enrollment is closed for this course."


class CourseFull(BackendError):
    """The course holds as many active enrollments as it allows."""

    error_code = "course_full"
    message = "The course is full."


class EnrollmentNotAllowed(BackendError):
    """The course is invitation only and the user was not invited."""

    category = ErrorCategory.FORBIDDEN
    error_code = "enrollment_not_allowed"
    message = "This course is invitation only."


class EnterpriseLinkFailed(BackendError):
    """An enrollment could not be linked to an enterprise customer (the learner is not one of its learners)."""

    error_code = "enterprise_link_failed"
    message = "The enrollment could not be linked to the enterprise customer."
