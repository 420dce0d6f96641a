"""Stand-in package of openedx-platform (see tests/lms_standin/README.rst)."""
