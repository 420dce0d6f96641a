"""Stand-in of openedx-platform ``openedx/core/djangoapps/course_groups/partition_scheme.py``."""


def get_cohorted_user_partition(course):
    """The course's first user partition of the ``cohort`` scheme (its content groups), if any."""
    for user_partition in course.user_partitions:
        if user_partition.scheme_id == "cohort":
            return user_partition
    return None
