"""Stand-in of openedx-platform ``common/djangoapps/student`` (users' profiles, course access roles)."""
