"""
The demo host's error pages: the plugin's JSON envelope under the plugin's mounts, plain pages elsewhere.

The plugin answers its own misses; these handlers catch what never reaches a plugin view, such as
``/courses/not-a-course/instructor/api/x`` (no course id matches) or a body Django refuses to read::

    GET /courses/nope/instructor/api/x
    404 {"error": "No such endpoint.", "error_code": "endpoint_not_found", "detail": "No such endpoint.",
         "developer_message": "No such endpoint."}
"""

import re

from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions

from instructor_plugin.rest_api.errors import BadRequest, exception_handler

#: The URL prefixes the plugin mounts (``instructor_plugin/urls.py``).
PLUGIN_PATH = re.compile(r"^/(?:api/instructor/v2/|api/instructor_task/v1/|courses/.+/instructor/api/)")


def _envelope(api_exception: exceptions.APIException) -> JsonResponse:
    response = exception_handler(api_exception, {})
    return JsonResponse(response.data, status=response.status_code)


def bad_request(request, exception):
    """400: for instance a body that cannot be parsed before any view runs."""
    if PLUGIN_PATH.match(request.path):
        return _envelope(BadRequest("Bad request.", "bad_request"))
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """403 raised outside a plugin view."""
    if PLUGIN_PATH.match(request.path):
        return _envelope(exceptions.PermissionDenied())
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    """404: no URL pattern matched (the plugin's catch-alls answer the paths they can match)."""
    if PLUGIN_PATH.match(request.path):
        return _envelope(exceptions.NotFound("No such endpoint.", "endpoint_not_found"))
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500: an error no view handled; never a traceback, DEBUG being off."""
    if PLUGIN_PATH.match(request.path):
        return _envelope(exceptions.APIException("An unexpected error occurred.", "server_error"))
    return defaults.server_error(request)
