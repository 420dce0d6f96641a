"""
The LMS-like URLconf (``lms.urls`` of the stand-in) of a host whose plugin framework finds this plugin's entry
point before the LMS's own ``instructor`` app: entry points come in the order of ``sys.path`` and of each
folder's listing, so an LMS image may find either first.
"""

from lms import urls as lms_urls


def _is_this_plugin(pattern) -> bool:
    return getattr(getattr(pattern, "urlconf_name", None), "__name__", None) == "instructor_plugin.urls"


urlpatterns = [
    *(pattern for pattern in lms_urls.urlpatterns if _is_this_plugin(pattern)),
    *(pattern for pattern in lms_urls.urlpatterns if not _is_this_plugin(pattern)),
]
