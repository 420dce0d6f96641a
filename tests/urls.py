"""The stand-in host's URLconf: the plugin's URLs, mounted by the plugin framework."""

from edx_django_utils.plugins import get_plugin_url_patterns

urlpatterns = get_plugin_url_patterns("lms.djangoapp")
