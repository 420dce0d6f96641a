"""Stand-in of openedx-platform ``lms/djangoapps/instructor_task/exceptions.py``."""


class UpdateProblemModuleStateError(Exception):
    """A change of a learner's problem state that cannot be made (the platform aborts the task)."""
