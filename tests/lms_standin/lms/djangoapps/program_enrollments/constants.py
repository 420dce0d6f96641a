"""Stand-in of openedx-platform ``lms/djangoapps/program_enrollments/constants.py``: the role a waiting learner asks."""


class ProgramCourseEnrollmentRoles:
    """Roles a program-course enrollment may carry until its learner has an account."""

    COURSE_STAFF = "course_staff"
    __ALL__ = (COURSE_STAFF,)
    __MODEL_CHOICES__ = ((COURSE_STAFF, COURSE_STAFF),)
