"""The bulk-update body: a JSON array, read within the plugin's size and depth limits."""

from __future__ import annotations

import io

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from ...conf import plugin_setting
from ..parsers import _depth, _read_limited


class ArrayJSONParser(JSONParser):
    """A JSON array (of override items) read within ``MAX_REQUEST_BODY_BYTES`` and ``MAX_JSON_DEPTH``."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = plugin_setting("MAX_JSON_DEPTH")
        too_deep = ParseError(f"JSON parse error - nested deeper than {limit} levels.")
        try:
            data = super().parse(io.BytesIO(_read_limited(stream)), media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if _depth(data) > limit:
            raise too_deep
        if not isinstance(data, list):
            raise ParseError("The request body must be a JSON array.", "invalid_body")
        return data
