"""Stand-in of openedx-platform ``openedx/core/constants.py``: the course id in URLs (``course-v1:O+N+R``)."""

COURSE_ID_PATTERN = r"(?P<course_id>[^/+]+(/|\+)[^/+]+(/|\+)[^/?]+)"
