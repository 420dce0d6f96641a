"""Errors a backend raises; the plugin turns each into a clear client error."""


class BackendError(Exception):
    """Base class of every backend error."""


class CourseNotFound(BackendError):
    """No course has this key."""


class BlockNotFound(BackendError):
    """No block with this usage key exists in the course."""


class UserNotFound(BackendError):
    """No user matches this identifier."""


class AmbiguousIdentifier(BackendError):
    """More than one user matches this identifier (a username equal to another user's email)."""


class StateNotFound(BackendError):
    """The learner holds no state on the problem."""


class NoDueDate(BackendError):
    """The block has no due date to extend or reset."""


class DueDateNotLater(BackendError):
    """An extended due date must be later than the original due date of the block and of each dated descendant."""


class ExamNotFound(BackendError):
    """No special exam with this id exists in the course."""
