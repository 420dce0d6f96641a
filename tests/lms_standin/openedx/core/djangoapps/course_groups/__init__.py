"""Stand-in of openedx-platform ``openedx/core/djangoapps/course_groups`` (cohorts)."""
