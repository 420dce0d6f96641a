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
from ..schema import documented
from ..views import CourseAPIView
from . import schema as openapi
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

    The API keeps Open edX's paths and shapes. A method a path serves only with (or without) an id is
    answered with the original's 405 (``wrong_endpoints``: method -> message and code).
    """

    permission_name = COHORTS_MANAGE
    wrong_endpoints: dict[str, tuple[str, str]] = {}

    def http_method_not_allowed(self, request, *args, **kwargs):
        if request.method in self.wrong_endpoints:
            raise WrongEndpoint(request.method, *self.wrong_endpoints[request.method])
        return super().http_method_not_allowed(request, *args, **kwargs)


class CohortSettingsView(CohortsAPIView):
    """
    Whether the course is cohorted (GET), or turn cohorts on or off (PUT).

    ``GET /api/cohorts/v1/settings/course-v1:OpenedX+DemoX+Demo_Course`` -> ``200 {"id": 1,
    "is_cohorted": true}``. ``PUT`` ``{"is_cohorted": false}`` -> ``200 {"id": 1, "is_cohorted":
    false}``; without ``is_cohorted`` -> ``400`` (``missing-field``).
    """

    @documented(responses={200: CohortSettingsSerializer})
    def get(self, request, course_id):
        return Response(CohortSettingsSerializer(cohorts.get_settings(self.course_key)).data)

    @documented(request=CohortSettingsUpdateSerializer, responses={200: CohortSettingsSerializer})
    def put(self, request, course_id):
        body = CohortSettingsUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if "is_cohorted" not in body.validated_data:
            raise CohortError('Missing field "is_cohorted".', "missing-field", "is_cohorted")
        settings = cohorts.set_cohorted(self.course_key, body.validated_data["is_cohorted"], request.user.pk)
        return Response(CohortSettingsSerializer(settings).data)


class CohortListView(CohortsAPIView):
    """
    The course's cohorts: list them (GET, a bare array of one page) or create one (POST).

    ``GET .../courses/{course_id}/cohorts/?page_size=100&ordering=asc`` -> ``200 [{"name": "Blue Team",
    "id": 1, "user_count": 25, "assignment_type": "manual", "user_partition_id": null, "group_id": null}]``
    (``page_size`` 10 by default, at most 100; a page past the end is a 404).
    ``POST .../cohorts/`` ``{"name": "Green", "assignment_type": "random"}`` -> ``200`` the cohort.
    ``PATCH .../cohorts/`` -> ``405`` (``missing-cohort-id``).
    """

    wrong_endpoints = {"PATCH": ("Request method requires cohort_id in path", "missing-cohort-id")}

    def get_permission_name(self) -> str:
        return COHORTS_VIEW if self.request.method == "GET" else COHORTS_MANAGE

    @documented(parameters=[openapi.CohortListParametersSerializer], responses={200: CohortSerializer(many=True)})
    def get(self, request, course_id):
        query = CohortListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ordering = query.validated_data["ordering"].lower()
        if ordering not in ("asc", "desc"):
            raise CohortError('Invalid ordering value. Must be "asc" or "desc".', "invalid-ordering-value", "ordering")
        # A page of cohorts without the page envelope: the view keeps no ``pagination_class``.
        paginator = BackendPagination()
        page = paginator.paginate(
            request, lambda page_request: cohorts.list_cohorts(self.course_key, ordering == "desc", page_request)
        )
        return Response(CohortSerializer(page.items, many=True).data)

    @documented(request=CohortWriteSerializer, responses={200: CohortSerializer})
    def post(self, request, course_id):
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


class CohortView(CohortsAPIView):
    """
    One cohort: read it (GET) or change it (PATCH).

    ``GET .../cohorts/1`` -> ``200`` the cohort; ``PATCH .../cohorts/1`` ``{"name": "Teal"}`` -> ``204``.
    An unknown cohort, or another course's, is a 404 (``cohort-not-found``); ``POST .../cohorts/1`` -> ``405``
    (``wrong-endpoint``).
    """

    wrong_endpoints = {"POST": ("Please use the parent endpoint.", "wrong-endpoint")}

    def get_permission_name(self) -> str:
        return COHORTS_VIEW if self.request.method == "GET" else COHORTS_MANAGE

    @documented(responses={200: CohortSerializer})
    def get(self, request, course_id, cohort_id):
        return Response(CohortSerializer(cohorts.get_cohort(self.course_key, cohort_id)).data)

    @documented(request=CohortWriteSerializer, responses={204: None})
    def patch(self, request, course_id, cohort_id):
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


class CohortMembersView(CohortsAPIView):
    """
    A cohort's members: list them (GET, paginated) or add some (POST).

    ``GET .../cohorts/1/users?page=1&page_size=10`` -> ``200 {"count": 25, "num_pages": 3,
    "current_page": 1, "start": 0, "next": "...", "previous": null, "results": [{"username":
    "learner1", "email": "learner1@example.com", "name": "Learner 1"}]}``.
    ``POST .../cohorts/1/users/`` ``{"users": ["learner2", "new@example.com", "nobody"]}`` -> ``200
    {"success": true, "added": [], "changed": [{"email": "learner2@example.com", "previous_cohort":
    "Red Team", "username": "learner2"}], "present": [], "unknown": ["nobody"], "preassigned":
    ["new@example.com"], "invalid": []}``. ``DELETE .../cohorts/1/users/`` -> ``405`` (``missing-username``).
    """

    pagination_class = BackendPagination
    wrong_endpoints = {"DELETE": ("Missing username in path", "missing-username")}

    @documented(responses={200: CohortMemberSerializer(many=True)})
    def get(self, request, course_id, cohort_id, username=None):
        paginator = self.pagination_class()
        page = paginator.paginate(
            request, lambda page_request: cohorts.list_members(self.course_key, cohort_id, page_request)
        )
        return paginator.get_paginated_response(CohortMemberSerializer(page.items, many=True).data)

    @documented(request=CohortUsersAddSerializer, responses={200: CohortUsersAddResultSerializer})
    def post(self, request, course_id, cohort_id, username=None):
        body = CohortUsersAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        identifiers = body.validated_data.get("users") or ([username] if username else [])
        result = cohorts.add_users(self.course_key, cohort_id, identifiers, request.user.pk)
        return Response(CohortUsersAddResultSerializer(result).data)


class CohortMemberView(CohortMembersView):
    """
    The members path with a username: GET lists the members as above, POST adds this user (or the body's
    ``users``), DELETE removes them from the cohort.

    ``DELETE .../cohorts/1/users/learner2`` -> ``204``; no such user 404 (``user-not-found``), not in the
    cohort 400 (``user-not-in-cohort``).
    """

    wrong_endpoints = {}

    @documented(
        responses={200: CohortMemberSerializer(many=True)},
        operation_id="api_cohorts_v1_courses_cohorts_user_members_list",
        description="The cohort's members, as without a username.",
    )
    def get(self, request, course_id, cohort_id, username=None):
        return super().get(request, course_id, cohort_id)

    @documented(
        request=CohortUsersAddSerializer,
        responses={200: CohortUsersAddResultSerializer},
        operation_id="api_cohorts_v1_courses_cohorts_user_create",
        description="Add this user (or, if the body names any, the body's ``users``).",
    )
    def post(self, request, course_id, cohort_id, username=None):
        return super().post(request, course_id, cohort_id, username)

    @documented(responses={204: None})
    def delete(self, request, course_id, cohort_id, username):
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

    @documented(request={"multipart/form-data": CohortCsvUploadSerializer}, responses={204: None}, errors=(409, 413))
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
    """

    permission_name = VIEW_DASHBOARD

    @documented(responses={200: openapi.GROUP_CONFIGURATIONS})
    def get(self, request, course_id):
        return Response(cohorts.get_group_configurations(self.course_key))


class GroupConfigurationView(CohortsAPIView):
    """
    The course's content-group configuration, as Open edX writes a user partition (same access as the list).

    ``GET .../group_configurations/50`` -> ``200 {"id": 50, "name": "Content Groups", "scheme": "cohort",
    "description": "", "parameters": {}, "groups": [...], "active": true, "version": 3, "is_read_only": false}``;
    another id -> 404.
    """

    permission_name = VIEW_DASHBOARD

    @documented(
        responses={200: openapi.GROUP_CONFIGURATION},
        operation_id="api_cohorts_v2_courses_group_configuration_retrieve",
    )
    def get(self, request, course_id, configuration_id):
        return Response(cohorts.get_group_configuration(self.course_key, int(configuration_id)))
