"""Stand-in of openedx-platform ``common/djangoapps/course_modes`` (enrollment tracks)."""
