"""The cursor pagination of grades v1: ``cursor`` and ``page_size`` (default 50); ``next, previous, results``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ...backends.data import CursorPage, CursorRequest

DEFAULT_PAGE_SIZE = 50
#: The original takes any page size; the plugin reads at most this many learners at once.
MAX_PAGE_SIZE = 1000


def _encode(direction: str, user_id: int) -> str:
    return base64.urlsafe_b64encode(f"{direction}{user_id}".encode()).decode()


def _decode(text: str) -> CursorRequest | None:
    try:
        raw = base64.urlsafe_b64decode(text.encode()).decode()
        direction, user_id = raw[0], int(raw[1:])
    except (binascii.Error, UnicodeError, ValueError, IndexError):
        return None
    if direction == "a":
        return CursorRequest(after=user_id)
    if direction == "b":
        return CursorRequest(before=user_id)
    return None


class CursorPagination:
    """
    Slices by user id: an opaque ``cursor`` (a bad one reads from the start) and ``page_size``
    (a bad one falls back to 50, as the original's).

    ``key`` reads an item's cursor key (the learner's user id unless a view pages by something else).
    """

    def __init__(self, key: Callable[[Any], int] = lambda item: item.user.id):
        self.key = key

    def cursor(self, request) -> CursorRequest:
        self.request = request
        try:
            size = int(request.query_params.get("page_size", DEFAULT_PAGE_SIZE))
        except ValueError:
            size = DEFAULT_PAGE_SIZE
        size = min(max(size, 1), MAX_PAGE_SIZE)
        position = _decode(request.query_params.get("cursor", "")) or CursorRequest()
        self.position = CursorRequest(after=position.after, before=position.before, limit=size)
        return self.position

    def _link(self, direction: str, user_id: int) -> str:
        return replace_query_param(self.request.build_absolute_uri(), "cursor", _encode(direction, user_id))

    def get_paginated_response(self, page: CursorPage, data: list, **extra) -> Response:
        ids = [self.key(item) for item in page.items]
        backwards = self.position.before is not None
        has_next = (page.has_more and not backwards) or (backwards and bool(ids))
        has_previous = (page.has_more and backwards) or (self.position.after is not None and bool(ids))
        next_link = self._link("a", ids[-1]) if has_next and ids else None
        previous_link = self._link("b", ids[0]) if has_previous and ids else None
        if not ids and self.position.after is not None:
            previous_link = remove_query_param(self.request.build_absolute_uri(), "cursor")
        return Response({"next": next_link, "previous": previous_link, "results": data, **extra})
