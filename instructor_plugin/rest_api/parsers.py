"""
How plugin endpoints read request bodies: within a size limit, JSON of bounded depth, always an object.

Every plugin endpoint takes an object (a JSON object, a form or a multipart form), so a JSON
body that is a list, a string, a number or ``null`` is refused here, before any view sees it::

    POST .../enrollments/modify  (Content-Type: application/json)  [1, 2]
    -> 400 {"error": "The request body must be a JSON object.", "error_code": "invalid_body", ...}

:func:`read_request_body` runs these checks before authentication, so a malformed body is
refused the same way whoever sends it, and before any database work.
"""

from __future__ import annotations

import io

from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser

from ..conf import plugin_setting
from .errors import RequestTooLarge

__all__ = ["ArrayJSONParser", "LimitedFormParser", "ObjectJSONParser", "max_body_bytes", "read_request_body"]

#: Methods whose body a plugin endpoint may read; a body sent with any other is ignored, as DRF does.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def max_body_bytes() -> int:
    """The largest request body a plugin endpoint reads (``MAX_REQUEST_BODY_BYTES``)."""
    return int(plugin_setting("MAX_REQUEST_BODY_BYTES"))


def read_request_body(request) -> None:
    """
    Refuse a body larger than :func:`max_body_bytes` (413), then parse a body-carrying request's body.

    Any error of the body (malformed, too deep, not an object, too many fields or files) is
    raised here rather than later, inside authentication (the session's CSRF check reads the
    form) or inside a view.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ParseError("Invalid Content-Length header.") from None
    if length > max_body_bytes():
        raise RequestTooLarge(f"The request body is larger than {max_body_bytes()} bytes.")
    if request.method in BODY_METHODS:
        request.data  # noqa: B018 (parsing is the point)


def _read_limited(stream) -> bytes:
    """The whole stream, or :class:`RequestTooLarge` when it holds more than :func:`max_body_bytes`."""
    limit = max_body_bytes()
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
    return content


def _depth(value) -> int:
    """How deeply ``value`` nests lists and objects (a scalar is 0), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children)
    return deepest


class LimitedJSONParser(JSONParser):
    """JSON read within the size limit, nested at most ``MAX_JSON_DEPTH`` levels, of one top-level type."""

    top_level: type = dict
    top_level_name = "object"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = plugin_setting("MAX_JSON_DEPTH")
        too_deep = ParseError(f"JSON parse error - nested deeper than {limit} levels.")
        try:
            data = super().parse(io.BytesIO(_read_limited(stream)), media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if _depth(data) > limit:
            raise too_deep
        if not isinstance(data, self.top_level):
            raise ParseError(f"The request body must be a JSON {self.top_level_name}.", "invalid_body")
        return data


class ObjectJSONParser(LimitedJSONParser):
    """A JSON object: the body of every plugin endpoint but the few that take a list."""


class ArrayJSONParser(LimitedJSONParser):
    """A JSON array (grade overrides, program enrollment records)."""

    top_level = list
    top_level_name = "array"


class LimitedFormParser(FormParser):
    """A URL-encoded form read within the size limit (Django limits its field count)."""

    def parse(self, stream, media_type=None, parser_context=None):
        return super().parse(io.BytesIO(_read_limited(stream)), media_type, parser_context)
