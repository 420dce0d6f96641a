"""
The program enrollments API (seed 004) at the original paths, bodies and status codes.

Rosters (program and program-course enrollments) are read and written by global staff and the
program's admins; a restricted JWT application passes only with the scopes the original's views
require, and they require none, so restricted applications are refused as in Open edX. Errors keep
the original's status and ``error_code`` (``program_does_not_exist``, ``course_not_in_program``...)
inside the plugin's envelope.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from uuid import UUID

from django.utils.module_loading import import_string
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    inline_serializer,
)
from edx_rest_framework_extensions.permissions import JwtHasScope, JwtRestrictedApplication
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from ... import program_enrollments as api
from ...backends.data import CursorPage, CursorRequest, UserData
from ...conf import plugin_setting
from ...toggles import is_enrollment_reset_enabled
from ..errors import exception_handler
from ..parsers import ArrayJSONParser, LimitedJSONParser, ObjectJSONParser, read_request_body
from ..schema import documented
from .serializers import (
    PROGRAM_COURSE_WRITE_RESULTS,
    PROGRAM_WRITE_RESULTS,
    CourseRunOverviewListSerializer,
    CourseRunOverviewSerializer,
    IntegrationResetRequestSerializer,
    ProgramAccessSerializer,
    ProgramCourseEnrollmentRequestSerializer,
    ProgramCourseEnrollmentSerializer,
    ProgramCourseGradeSerializer,
    ProgramEnrollmentCreateRequestSerializer,
    ProgramEnrollmentSerializer,
    ProgramEnrollmentUpdateRequestSerializer,
    program_course_enrollment_row,
    program_enrollment_row,
    to_write_requests,
)

#: What each write method does: (create, update).
CREATE_UPDATE_BY_METHOD = {"POST": (True, False), "PATCH": (False, True), "PUT": (True, True)}
#: The usernames the learner views' paths match.
USERNAME_CHARACTERS = r"[\w.@+-]+"
#: The original takes any page size; the plugin reads at most this many rows at once.
MAX_PAGE_SIZE = 1000


def _actor(user) -> UserData:
    return UserData(id=user.pk, username=user.username, email=user.email, is_staff=user.is_staff)


def _canonical_uuid(text: str) -> str:
    try:
        return str(UUID(text))
    except ValueError:
        return text


class ResetNotEnabled(APIException):
    """The integration reset is off here (HTTP 501, as the original)."""

    status_code = status.HTTP_501_NOT_IMPLEMENTED
    default_code = "reset_not_enabled"


class TooManyRecords(APIException):
    """More records than one write may carry (HTTP 413)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_many_records"


class UserOrScopedApplicationAccess(BasePermission):
    """
    The original's ``JWT_RESTRICTED_APPLICATION_OR_USER_ACCESS``: any signed-in user, while a restricted JWT
    application needs the view's ``required_scopes`` (none here, so it is refused).
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if JwtRestrictedApplication().has_permission(request, view):
            return JwtHasScope().has_permission(request, view)
        return True


class ProgramStaffAccess(UserOrScopedApplicationAccess):
    """The same, where a user must be global staff or one of the program's admins."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if JwtRestrictedApplication().has_permission(request, view):
            return True
        return api.is_program_admin(_canonical_uuid(view.kwargs["program_uuid"]), _actor(request.user))


class IdCursorPagination:
    """``cursor`` (opaque; a bad one reads from the start) and ``page_size``; ``{next, previous, results}``."""

    def __init__(self, default_size: int = 100, max_size: int = MAX_PAGE_SIZE):
        self.default_size = default_size
        self.max_size = max_size

    def cursor(self, request) -> CursorRequest:
        self.request = request
        try:
            size = int(request.query_params.get("page_size", self.default_size))
        except ValueError:
            size = self.default_size
        size = min(max(size, 1), self.max_size)
        position = self._decode(request.query_params.get("cursor", ""))
        self.position = CursorRequest(after=position.after, before=position.before, limit=size)
        return self.position

    @staticmethod
    def _decode(text: str) -> CursorRequest:
        try:
            raw = base64.urlsafe_b64decode(text.encode()).decode()
            direction, key = raw[0], int(raw[1:])
        except (binascii.Error, UnicodeError, ValueError, IndexError):
            return CursorRequest()
        return {"a": CursorRequest(after=key), "b": CursorRequest(before=key)}.get(direction, CursorRequest())

    def _link(self, direction: str, key: int) -> str:
        cursor = base64.urlsafe_b64encode(f"{direction}{key}".encode()).decode()
        return replace_query_param(self.request.build_absolute_uri(), "cursor", cursor)

    def response(self, keys: Sequence[int], has_more: bool, data: list, status_code: int = 200) -> Response:
        backwards = self.position.before is not None
        has_next = bool(keys) and (backwards or has_more)
        has_previous = bool(keys) and ((backwards and has_more) or self.position.after is not None)
        body = {
            "next": self._link("a", keys[-1]) if has_next else None,
            "previous": self._link("b", keys[0]) if has_previous else None,
            "results": data,
        }
        if status_code == status.HTTP_204_NO_CONTENT:
            return Response(status=status_code)
        return Response(body, status=status_code)

    def page_response(self, page: CursorPage, data: list, status_code: int = 200) -> Response:
        return self.response([item.id for item in page.items], page.has_more, data, status_code)


def _page_parameters(default: int, maximum: int) -> list[OpenApiParameter]:
    return [
        OpenApiParameter("cursor", str, description="A position from `next` or `previous`; unreadable: the start."),
        OpenApiParameter(
            "page_size", int, description=f"Rows a page: {default} by default, at most {maximum} (more is cut to it)."
        ),
    ]


def _cursor_page(name: str, row: type[serializers.Serializer]):
    return inline_serializer(
        name,
        {
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": row(many=True),
        },
    )


GRADE_PAGE = _cursor_page("ProgramCourseGradePage", ProgramCourseGradeSerializer)


def _write_schema(summary: str, item: type[serializers.Serializer], results: dict):
    """A roster write: up to 25 items; 200 all written, 207 some, 422 none, 204 for none asked, 413 beyond 25."""
    return documented(
        request=item(many=True),
        responses={200: results, 207: results, 422: results, 204: None},
        errors=(413,),
        summary=summary,
    )


def _reset_schema(**extra):
    return documented(
        request=IntegrationResetRequestSerializer,
        responses={200: OpenApiResponse(OpenApiTypes.STR, description='`"success"`')},
        errors=(501,),
        summary="Wipe an organisation's program enrollments (integration sandboxes)",
        **extra,
    )


class ProgramAPIView(APIView):
    """The plugin's authentication, parsers (a JSON array for writes) and errors."""

    parser_classes: tuple[type[LimitedJSONParser], ...] = (ArrayJSONParser,)
    permission_classes: tuple[type[BasePermission], ...] = (ProgramStaffAccess,)
    #: Restricted JWT applications need these scopes: the original's views name none.
    required_scopes: tuple[str, ...] = ()

    def get_authenticators(self):
        return [import_string(path)() for path in plugin_setting("AUTHENTICATION_CLASSES")]

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        read_request_body(request)
        super().initial(request, *args, **kwargs)

    def write(
        self,
        serializer_class: type[Serializer],
        perform: Callable[[list[dict], bool, bool], dict[str, str]],
        ok_statuses: Sequence[str],
    ) -> Response:
        """Validate the items, refuse more than 25, write them; the status comes from the mix of results."""
        serializer = serializer_class(data=self.request.data, many=True)
        serializer.is_valid(raise_exception=True)
        count = len(self.request.data)
        if count > api.MAX_ENROLLMENT_RECORDS:
            raise TooManyRecords(f"{count} enrollments requested, but limit is {api.MAX_ENROLLMENT_RECORDS}.")
        create, update = CREATE_UPDATE_BY_METHOD[str(self.request.method)]
        results = perform(to_write_requests(list(serializer.validated_data)), create, update)
        code = api.get_enrollment_http_code(results.values(), ok_statuses)
        return Response(None if code == status.HTTP_204_NO_CONTENT else results, status=code)


class ProgramEnrollmentsView(ProgramAPIView):
    """
    A program's roster (global staff, the program's admins).

    ``GET /api/program_enrollments/v1/programs/{uuid}/enrollments/?page_size=2`` -> ``200 {"next": "...?cursor=..",
    "previous": null, "results": [{"student_key": "ext-learner1", "status": "enrolled", "account_exists": true,
    "curriculum_uuid": "...", "username": "learner1", "email": "learner1@example.com"}, ...]}``.
    ``POST`` (create), ``PATCH`` (update), ``PUT`` (both) ``[{"student_key": "s-1", "status": "pending",
    "curriculum_uuid": "..."}]`` (PATCH without ``curriculum_uuid``) -> ``200 {"s-1": "pending"}``; 207 when some
    learners failed (``duplicated``, ``conflict``, ``invalid-status``, ``not-in-program``), 422 when all did,
    413 beyond 25 records, 404 ``program_does_not_exist``.
    """

    serializer_by_method = {
        "POST": ProgramEnrollmentCreateRequestSerializer,
        "PATCH": ProgramEnrollmentUpdateRequestSerializer,
        "PUT": ProgramEnrollmentCreateRequestSerializer,
    }

    @documented(
        responses={200: _cursor_page("ProgramEnrollmentPage", ProgramEnrollmentSerializer)},
        parameters=_page_parameters(100, MAX_PAGE_SIZE),
        summary="A program's roster",
    )
    def get(self, request, program_uuid):
        paginator = IdCursorPagination()
        page = api.list_program_enrollments(program_uuid, paginator.cursor(request))
        return paginator.page_response(page, [program_enrollment_row(item) for item in page.items])

    def _write(self, request, program_uuid):
        api.get_program(program_uuid)

        def perform(requests: list[dict], create: bool, update: bool) -> dict[str, str]:
            return api.write_program_enrollments(program_uuid, requests, create, update, actor_id=request.user.pk)

        return self.write(self.serializer_by_method[request.method], perform, api.ProgramOperationStatuses.__OK__)

    @_write_schema("Enroll learners in a program", ProgramEnrollmentCreateRequestSerializer, PROGRAM_WRITE_RESULTS)
    def post(self, request, program_uuid):
        return self._write(request, program_uuid)

    @_write_schema(
        "Change learners' program enrollments", ProgramEnrollmentUpdateRequestSerializer, PROGRAM_WRITE_RESULTS
    )
    def patch(self, request, program_uuid):
        return self._write(request, program_uuid)

    @_write_schema(
        "Enroll learners or change their program enrollments",
        ProgramEnrollmentCreateRequestSerializer,
        PROGRAM_WRITE_RESULTS,
    )
    def put(self, request, program_uuid):
        return self._write(request, program_uuid)


class ProgramCourseEnrollmentsView(ProgramAPIView):
    """
    A program's roster in one course run of its curricula (global staff, the program's admins).

    ``GET .../programs/{uuid}/courses/{course_id}/enrollments/`` -> ``200 {"next", "previous", "results":
    [{"student_key": "ext-learner1", "status": "active", "account_exists": true, "curriculum_uuid": "...",
    "course_staff": false}]}``. ``POST``/``PATCH``/``PUT`` ``[{"student_key": "s-1", "status": "active",
    "course_staff": false}]`` -> ``200 {"s-1": "active"}`` (207/422 as for the program roster, plus
    ``not-found`` for an update of a missing course enrollment); a learner with an account is enrolled in
    the course in ``masters``. 404 ``course_not_in_program`` for a run outside the curricula.
    """

    @documented(
        responses={200: _cursor_page("ProgramCourseEnrollmentPage", ProgramCourseEnrollmentSerializer)},
        parameters=_page_parameters(100, MAX_PAGE_SIZE),
        summary="A program's roster in a course run",
    )
    def get(self, request, program_uuid, course_id):
        paginator = IdCursorPagination()
        page = api.list_program_course_enrollments(program_uuid, course_id, paginator.cursor(request))
        return paginator.page_response(page, [program_course_enrollment_row(item) for item in page.items])

    def _write(self, request, program_uuid, course_id):
        api.get_program_course(program_uuid, course_id)

        def perform(requests: list[dict], create: bool, update: bool) -> dict[str, str]:
            return api.write_program_course_enrollments(
                program_uuid, course_id, requests, create, update, actor_id=request.user.pk
            )

        return self.write(ProgramCourseEnrollmentRequestSerializer, perform, api.ProgramCourseOperationStatuses.__OK__)

    @_write_schema(
        "Enroll program learners in a course run",
        ProgramCourseEnrollmentRequestSerializer,
        PROGRAM_COURSE_WRITE_RESULTS,
    )
    def post(self, request, program_uuid, course_id):
        return self._write(request, program_uuid, course_id)

    @_write_schema(
        "Change program learners' course enrollments",
        ProgramCourseEnrollmentRequestSerializer,
        PROGRAM_COURSE_WRITE_RESULTS,
    )
    def patch(self, request, program_uuid, course_id):
        return self._write(request, program_uuid, course_id)

    @_write_schema(
        "Enroll program learners in a course run or change their enrollments",
        ProgramCourseEnrollmentRequestSerializer,
        PROGRAM_COURSE_WRITE_RESULTS,
    )
    def put(self, request, program_uuid, course_id):
        return self._write(request, program_uuid, course_id)


class ProgramCourseGradesView(ProgramAPIView):
    """
    Course grades of the program's learners with an account in a course run (global staff, program admins).

    ``GET .../programs/{uuid}/courses/{course_id}/grades/`` -> ``200 {"next", "previous", "results":
    [{"student_key": "ext-learner1", "passed": true, "percent": 0.93, "letter_grade": "A"}]}``; ``207`` when some
    rows are ``{"student_key", "error"}``, ``422`` when all are, ``204`` for an empty page.
    """

    @documented(
        responses={
            200: GRADE_PAGE,
            207: GRADE_PAGE,
            422: GRADE_PAGE,
            204: None,
        },
        parameters=_page_parameters(100, MAX_PAGE_SIZE),
        summary="Course grades of a program's learners",
    )
    def get(self, request, program_uuid, course_id):
        paginator = IdCursorPagination()
        page, rows = api.list_program_course_grades(program_uuid, course_id, paginator.cursor(request))
        outcomes = ["error" if "error" in row else "ok" for row in rows]
        return paginator.page_response(page, rows, api.get_enrollment_http_code(outcomes, ["ok"]))


class ProgramReadOnlyAccessView(ProgramAPIView):
    """
    The programs the caller may read: every program of ``?type=`` (default ``masters``) for global staff;
    else those holding a course run they are staff or instructor of, those they administer or are enrolled in.

    ``GET /api/program_enrollments/v1/programs/enrollments/`` -> ``200 [{"uuid": "...", "slug": "demo-program"}]``
    """

    permission_classes = (IsAuthenticated,)

    @documented(
        responses={200: ProgramAccessSerializer(many=True)},
        parameters=[OpenApiParameter("type", str, description="The program type (default `masters`), any case.")],
        summary="Programs the caller may read",
    )
    def get(self, request):
        program_type = request.query_params.get("type", "masters").strip().lower()
        programs = api.readable_programs(_actor(request.user), program_type)
        return Response([{"uuid": program.uuid, "slug": program.marketing_slug} for program in programs])


class UserProgramCourseEnrollmentView(ProgramAPIView):
    """
    The caller's own course runs of a program they are enrolled in, cursor-paginated (10 a page, at most 25).

    ``GET /api/program_enrollments/v1/users/learner1/programs/{uuid}/courses`` -> ``200 {"next": null,
    "previous": null, "results": [{"course_run_id": "course-v1:...", "display_name": "...", "course_run_url":
    "https://lms/courses/course-v1:.../course/", "start_date": "...", "end_date": null, "course_run_status":
    "in_progress", "due_dates": [{"name": "Homework 1", "url": "...", "date": "..."}]}]}``.
    Another user's name -> 403; not ``enrolled`` in the program -> 403; unknown program -> 404.
    """

    permission_classes = (IsAuthenticated,)

    @documented(
        responses={200: _cursor_page("CourseRunOverviewPage", CourseRunOverviewSerializer)},
        parameters=[
            OpenApiParameter(
                "username",
                str,
                OpenApiParameter.PATH,
                pattern=f"^{USERNAME_CHARACTERS}$",
                description="The caller's own username.",
            ),
            *_page_parameters(10, 25),
        ],
        summary="The caller's course runs of a program",
    )
    def get(self, request, username, program_uuid):
        if username != request.user.username:
            raise PermissionDenied("You may only see your own course runs.", "user_mismatch")
        actor = _actor(request.user)
        program, runs = api.list_learner_course_runs(actor, program_uuid)
        paginator = IdCursorPagination(default_size=10, max_size=25)
        cursor = paginator.cursor(request)
        positions = list(range(1, len(runs) + 1))
        if cursor.before is not None:
            chosen = [p for p in positions if p < cursor.before][-cursor.limit :]
            has_more = bool(chosen) and chosen[0] > 1
        else:
            start = cursor.after or 0
            chosen = [p for p in positions if p > start][: cursor.limit]
            has_more = bool(chosen) and chosen[-1] < len(runs)
        overviews = api.course_run_overviews(actor, program, [runs[p - 1] for p in chosen])
        return paginator.response(chosen, has_more, overviews)


class ProgramCourseEnrollmentOverviewView(ProgramAPIView):
    """
    Deprecated in Open edX for the paginated view above: the caller's course runs of the program, unpaginated.

    ``GET /api/program_enrollments/v1/programs/{uuid}/overview/`` -> ``200 {"course_runs": [...]}``
    """

    permission_classes = (IsAuthenticated,)

    @documented(
        responses={200: CourseRunOverviewListSerializer},
        summary="The caller's course runs of a program, unpaginated (deprecated)",
        deprecated=True,
    )
    def get(self, request, program_uuid):
        return Response({"course_runs": api.get_enrollment_overviews(_actor(request.user), program_uuid)})


class EnrollmentDataResetView(ProgramAPIView):
    """
    Integration sandboxes only (``FEATURES['ENABLE_ENROLLMENT_RESET']``, else 501): wipe an organisation's
    program enrollments, the course enrollments they made and the accounts linked to its external user keys,
    keeping the catalog. Any signed-in user may call it, as in Open edX; restricted JWT applications may not.

    ``POST /api/program_enrollments/v1/integration-reset/ {"organization": "TestX"}`` -> ``200 "success"``;
    400 without ``organization``, 404 ``organization_not_found`` when no program or key names it.
    """

    parser_classes = (ObjectJSONParser,)
    permission_classes = (UserOrScopedApplicationAccess,)

    @_reset_schema()
    def post(self, request):
        if not is_enrollment_reset_enabled():
            raise ResetNotEnabled("reset not enabled on this environment")
        serializer = IntegrationResetRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        api.reset_enrollment_data(serializer.validated_data["organization"])
        return Response("success")


class EnrollmentDataResetUnslashedView(EnrollmentDataResetView):
    """The same at the original's own path, ``integration-reset`` (its documentation adds a slash)."""

    @_reset_schema(operation_id="api_program_enrollments_v1_integration_reset_unslashed_create")
    def post(self, request):
        return super().post(request)
