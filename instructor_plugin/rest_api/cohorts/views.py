"""
The cohorts API at Open edX's paths, methods, fields and status codes.

Errors carry the original's ``developer_message`` and ``error_code`` (``cohort-not-found``,
``missing-cohort-name``...) inside the plugin's envelope. Course staff manage cohorts; the
discussion moderators may also read the cohort list and a cohort.
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from ... import cohorts
from ...cohorts import UNSET, CohortError
from ...permissions import COHORTS_MANAGE, COHORTS_VIEW, VIEW_DASHBOARD
from ..pagination import BackendPagination
from ..views import CourseAPIView
from .serializers import (
    CohortCsvUploadSerializer,
    CohortListQuerySerializer,
    CohortMemberSerializer,
    CohortSerializer,
    CohortSettingsSerializer,
    CohortSettingsUpdateSerializer,
    CohortUsersAddResultSerializer,
    CohortUsersAddSerializer,
    CohortWriteSerializer,
)


class WrongEndpoint(MethodNotAllowed):
    """A method this path takes only with (or without) a cohort id: 405 with the original's code."""

    def __init__(self, method: str, message: str, code: str):
        super().__init__(method, message, code)


class CohortsAPIView(CourseAPIView):
    """
    Course staff (``cohorts.manage``) for everything but the reads a view opens to ``cohorts.view``.

    The API keeps Open edX's paths and shapes, outside the plugin's OpenAPI document of the v2 API.
    """

    permission_name = COHORTS_MANAGE
    schema = None  # type: ignore[assignment]


class CohortSettingsView(CohortsAPIView):
    """
    Whether the course is cohorted (GET), or turn cohorts on or off (PUT).

    ``GET /api/cohorts/v1/settings/course-v1:OpenedX+DemoX+Demo_Course`` -> ``200 {"id": 1,
    "is_cohorted": true}``. ``PUT`` ``{"is_cohorted": false}`` -> ``200 {"id": 1, "is_cohorted":
    false}``; without ``is_cohorted`` -> ``400`` (``missing-field``).
    """

    def get(self, request, course_id):
        return Response(CohortSettingsSerializer(cohorts.get_settings(self.course_key)).data)

    def put(self, request, course_id):
        body = CohortSettingsUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if "is_cohorted" not in body.validated_data:
            raise CohortError('Missing field "is_cohorted".', "missing-field", "is_cohorted")
        settings = cohorts.set_cohorted(self.course_key, body.validated_data["is_cohorted"], request.user.pk)
        return Response(CohortSettingsSerializer(settings).data)


class CohortHandlerView(CohortsAPIView):
    """
    The course's cohorts: list (GET, a bare array of one page), create (POST), read (GET) or change (PATCH) one.

    ``GET .../courses/{course_id}/cohorts/?page_size=100&ordering=asc`` -> ``200 [{"name": "Blue Team",
    "id": 1, "user_count": 25, "assignment_type": "manual", "user_partition_id": null, "group_id": null}]``
    (``page_size`` 10 by default, at most 100; a page past the end is a 404).
    ``POST .../cohorts/`` ``{"name": "Green", "assignment_type": "random"}`` -> ``200`` the cohort.
    ``GET .../cohorts/1`` -> ``200`` the cohort; ``PATCH .../cohorts/1`` ``{"name": "Teal"}`` -> ``204``.
    An unknown cohort, or another course's, is a 404 (``cohort-not-found``).
    """

    pagination_class = BackendPagination

    def get_permission_name(self) -> str:
        return COHORTS_VIEW if self.request.method == "GET" else COHORTS_MANAGE

    def get(self, request, course_id, cohort_id=None):
        if cohort_id is not None:
            return Response(CohortSerializer(cohorts.get_cohort(self.course_key, cohort_id)).data)
        query = CohortListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ordering = query.validated_data["ordering"].lower()
        if ordering not in ("asc", "desc"):
            raise CohortError('Invalid ordering value. Must be "asc" or "desc".', "invalid-ordering-value", "ordering")
        paginator = self.pagination_class()
        page = paginator.paginate(
            request, lambda page_request: cohorts.list_cohorts(self.course_key, ordering == "desc", page_request)
        )
        return Response(CohortSerializer(page.items, many=True).data)

    def post(self, request, course_id, cohort_id=None):
        if cohort_id is not None:
            raise WrongEndpoint("POST", "Please use the parent endpoint.", "wrong-endpoint")
        body = CohortWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        cohort = cohorts.create_cohort(
            self.course_key,
            data.get("name", ""),
            data.get("assignment_type", ""),
            data.get("group_id"),
            data.get("user_partition_id"),
            request.user.pk,
        )
        return Response(CohortSerializer(cohort).data)

    def patch(self, request, course_id, cohort_id=None):
        if cohort_id is None:
            raise WrongEndpoint("PATCH", "Request method requires cohort_id in path", "missing-cohort-id")
        body = CohortWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        cohorts.update_cohort(
            self.course_key,
            cohort_id,
            request.user.pk,
            name=data.get("name"),
            assignment_type=data.get("assignment_type"),
            group_id=data.get("group_id", UNSET),
            user_partition_id=data.get("user_partition_id"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CohortUsersView(CohortsAPIView):
    """
    A cohort's members: list (GET, paginated), add (POST), remove one (DELETE ``users/{username}``).

    ``GET .../cohorts/1/users?page=1&page_size=10`` -> ``200 {"count": 25, "num_pages": 3,
    "current_page": 1, "start": 0, "next": "...", "previous": null, "results": [{"username":
    "learner1", "email": "learner1@example.com", "name": "Learner 1"}]}``.
    ``POST .../cohorts/1/users/`` ``{"users": ["learner2", "new@example.com", "nobody"]}`` -> ``200
    {"success": true, "added": [], "changed": [{"email": "learner2@example.com", "previous_cohort":
    "Red Team", "username": "learner2"}], "present": [], "unknown": ["nobody"], "preassigned":
    ["new@example.com"], "invalid": []}`` (``POST .../users/learner2`` adds that one user).
    ``DELETE .../cohorts/1/users/learner2`` -> ``204``; no such user 404 (``user-not-found``), not in
    the cohort 400 (``user-not-in-cohort``).
    """

    pagination_class = BackendPagination

    def get(self, request, course_id, cohort_id, username=None):
        paginator = self.pagination_class()
        page = paginator.paginate(
            request, lambda page_request: cohorts.list_members(self.course_key, cohort_id, page_request)
        )
        return paginator.get_paginated_response(CohortMemberSerializer(page.items, many=True).data)

    def post(self, request, course_id, cohort_id, username=None):
        body = CohortUsersAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        identifiers = body.validated_data.get("users") or ([username] if username else [])
        result = cohorts.add_users(self.course_key, cohort_id, identifiers, request.user.pk)
        return Response(CohortUsersAddResultSerializer(result).data)

    def delete(self, request, course_id, cohort_id, username=None):
        if username is None:
            raise WrongEndpoint("DELETE", "Missing username in path", "missing-username")
        cohorts.remove_user(self.course_key, cohort_id, username, request.user.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CohortCsvView(CohortsAPIView):
    """
    Upload a CSV of learner-to-cohort assignments (multipart ``uploaded-file``), applied by a background task.

    ``POST .../courses/{course_id}/users`` with a CSV ``email,cohort`` (or ``username,cohort``) ->
    ``204``. The task (``cohort_students``) lists in the course's instructor tasks with a result row per
    CSV row, and leaves a ``cohort_results`` report. A file that is missing, not ``.csv``, not UTF-8
    CSV or lacks the columns -> 400 (``failed-validation``); over ``MAX_COHORT_CSV_UPLOAD_BYTES`` ->
    413; while another upload of the course runs -> 409 with its ``task_id``.
    """

    def post(self, request, course_id):
        body = CohortCsvUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = cohorts.read_assignments_csv(body.validated_data.get("uploaded-file"))
        cohorts.start_csv_assignment(self.course_key, rows, request.user.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupConfigurationsView(CohortsAPIView):
    """
    The course's content groups, for the cohort form's picker (Open edX's v2 path): course staff and researchers.

    ``GET /api/cohorts/v2/courses/course-v1:OpenedX+DemoX+Demo_Course/group_configurations`` -> ``200
    {"id": 50, "groups": [{"id": 1, "name": "Core Track", "version": 1, "usage": []}],
    "studio_content_groups_link": "https://studio.example.com/course/course-v1:.../group_configurations"}``;
    no content groups -> ``"id": null, "groups": []``.
    ``GET .../group_configurations/50`` -> ``200 {"id": 50, "name": "Content Groups", "scheme": "cohort",
    "description": "", "parameters": {}, "groups": [...], "active": true, "version": 3, "is_read_only": false}``;
    another id -> 404.
    """

    permission_name = VIEW_DASHBOARD

    def get(self, request, course_id, configuration_id=None):
        if configuration_id is None:
            return Response(cohorts.get_group_configurations(self.course_key))
        return Response(cohorts.get_group_configuration(self.course_key, int(configuration_id)))
