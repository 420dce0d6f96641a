"""The course id as it appears in URLs: ``course-v1:ORG+NUM+RUN`` or the old ``org/num/run``."""

COURSE_ID_PATTERN = r"(?P<course_id>[^/+]+(?:/|\+)[^/+]+(?:/|\+)[^/?]+)"
