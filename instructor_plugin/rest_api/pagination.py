"""Page-number pagination over backend pages, with the edx envelope."""

from __future__ import annotations

from collections.abc import Callable

from edx_rest_framework_extensions.paginators import DefaultPagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from ..backends.data import Page, PageRequest

#: The largest row offset a page may start at: every database takes it, no course has that many rows.
MAX_OFFSET = 2**31 - 1


class BackendPagination(DefaultPagination):
    """
    ``page`` (1-based) and ``page_size`` (default 10, at most 100) over a backend list.

    The backend counts and slices; this class only turns the query into a
    :class:`PageRequest` and the :class:`Page` into the envelope ``count, num_pages,
    current_page, start, next, previous, results``. A page past the end is a 404, and so is
    one starting beyond :data:`MAX_OFFSET`, without asking the backend.
    """

    invalid_page_message = "Invalid page."
    #: Extra top-level keys a view adds to the envelope: name -> OpenAPI schema.
    extra_fields: dict[str, dict] = {}

    def paginate(self, request, fetch: Callable[[PageRequest], Page]) -> Page:
        """Fetch the requested page, or raise ``NotFound("Invalid page.")``."""
        self.request = request
        self.size = self.get_page_size(request)
        try:
            self.number = int(request.query_params.get(self.page_query_param, 1))
        except ValueError:
            raise NotFound(self.invalid_page_message) from None
        offset = (self.number - 1) * self.size
        if self.number < 1 or offset > MAX_OFFSET:
            raise NotFound(self.invalid_page_message)
        self.result = fetch(PageRequest(offset=offset, limit=self.size))
        if self.number > self.num_pages:
            raise NotFound(self.invalid_page_message)
        return self.result

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.result.total // self.size))

    def get_next_link(self) -> str | None:
        if self.number >= self.num_pages:
            return None
        return self._link(self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number <= 1:
            return None
        return self._link(self.number - 1)

    def _link(self, number: int) -> str:
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, number)

    def get_paginated_response(self, data, **extra) -> Response:
        return Response(
            {
                "count": self.result.total,
                "num_pages": self.num_pages,
                "current_page": self.number,
                "start": (self.number - 1) * self.size,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
                **extra,
            }
        )

    def get_schema_operation_parameters(self, view) -> list[dict]:
        """``page`` counts from 1; ``page_size`` is between 1 and ``max_page_size``."""
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["count", "num_pages", "current_page", "start", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "num_pages": {"type": "integer", "example": 13},
                "current_page": {"type": "integer", "example": 1},
                "start": {"type": "integer", "example": 0},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
                **self.extra_fields,
            },
        }
