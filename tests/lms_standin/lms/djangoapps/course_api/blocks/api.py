"""
Stand-in of openedx-platform ``lms/djangoapps/course_api/blocks/api.py``: ``get_blocks``, which edx-completion's
API views import when the LMS-like host mounts their URLs. No test calls those views.
"""


def get_blocks(request, usage_key, user=None, **kwargs):
    """The course blocks API; not stood in."""
    raise NotImplementedError("The stand-in has no course blocks API.")
