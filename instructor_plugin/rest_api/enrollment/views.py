"""
The enrollment API (seed 002) at the original paths, parameters, status codes and bodies.

Errors carry the original's keys (``message``, ``localizedMessage``, ``course_details``,
``field_errors``) plus the plugin's envelope (``error``, ``error_code``, ``detail``,
``developer_message``). Authentication is the plugin's (JWT, session with CSRF); a request whose
``X-Edx-Api-Key`` header matches Django's ``EDX_API_KEY`` setting is a server-to-server call.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import JsonResponse
from django.utils.module_loading import import_string
from edx_django_utils.ip import get_all_client_ips
from edx_rest_framework_extensions.permissions import NotJwtRestrictedApplication
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.permissions import BasePermission, IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from ... import cohorts
from ... import enrollment_api as api
from ...backends.data import CohortData, EnrollmentCursor, EnrollmentSearch
from ...cohorts import CohortNotFound
from ...conf import plugin_setting
from ..errors import exception_handler
from ..parsers import LimitedFormParser, ObjectJSONParser, read_request_body
from ..schema import documented
from . import schema

#: The modes anyone may ask for; others need staff or the API key.
_OPEN_MODES = (None, "audit", "honor")
#: The most usernames, emails or course ids one admin-list filter may name.
MAX_INPUT_COUNT = 100


def has_api_key(request) -> bool:
    """Whether the request carries the server-to-server key (Django's ``EDX_API_KEY``, when set)."""
    expected = getattr(settings, "EDX_API_KEY", None)
    given = request.META.get("HTTP_X_EDX_API_KEY")
    return bool(expected and given) and hmac.compare_digest(str(given), str(expected))


def _is_global_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


class ApiKeyHeaderPermissionIsAuthenticated(BasePermission):
    """The server-to-server key, or an authenticated user."""

    def has_permission(self, request, view) -> bool:
        return has_api_key(request) or bool(request.user and request.user.is_authenticated)


class NotRestrictedApplication(NotJwtRestrictedApplication):
    """
    Refuse a JWT of a restricted application (``is_restricted``), whatever its scopes.

    The original views declare no scopes, so the LMS's ``EnsureJWTAuthSettingsMiddleware`` adds
    this check to each of them: no restricted application may use the enrollment API.
    """

    message = "Restricted JWT applications may not use the enrollment API."


class CanRetireUser(IsAuthenticated):
    """The retirement service user (Django's ``RETIREMENT_SERVICE_WORKER_USERNAME``) or a superuser."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        worker = getattr(settings, "RETIREMENT_SERVICE_WORKER_USERNAME", None)
        return request.user.is_superuser or bool(worker and request.user.username == worker)


class EnrollmentUserThrottle(UserRateThrottle):
    """
    ``ENROLLMENT_API_THROTTLE_RATES``: the ``staff`` rate for global staff and superusers, ``user`` for others.

    Requests with the server-to-server key are never throttled. Counts live in the host's default cache.
    """

    def allow_request(self, request, view) -> bool:
        if has_api_key(request):
            return True
        user = request.user
        self.scope = "staff" if user and (user.is_staff or user.is_superuser) else "user"
        self.rate = plugin_setting("ENROLLMENT_API_THROTTLE_RATES")[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str | None:
        return None


class Refused(APIException):
    """A refusal answered with the original's ``{"message": ...}`` body (and extra keys) beside the envelope."""

    def __init__(self, message: str, code: str, status_code: int = status.HTTP_400_BAD_REQUEST, **extra: object):
        super().__init__(message, code)
        self.status_code = status_code
        self.extra = {"message": message, **extra}


def not_found() -> Refused:
    """The bare 404 the original answers so that enrollments of others cannot be probed."""
    return Refused("Not found.", "not_found", status.HTTP_404_NOT_FOUND)


class EnrollmentAPIView(APIView):
    """The plugin's parsers, authentication and error handling, with the enrollment throttle."""

    parser_classes = (ObjectJSONParser, LimitedFormParser)
    permission_classes: tuple[type[BasePermission], ...] = (
        NotRestrictedApplication,
        ApiKeyHeaderPermissionIsAuthenticated,
    )
    throttle_classes: tuple[type[UserRateThrottle], ...] = (EnrollmentUserThrottle,)

    def get_authenticators(self):
        return [import_string(path)() for path in plugin_setting("AUTHENTICATION_CLASSES")]

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        read_request_body(request)
        super().initial(request, *args, **kwargs)

    def is_privileged(self, request) -> bool:
        return has_api_key(request) or _is_global_staff(request.user)


class EnrollmentView(EnrollmentAPIView):
    """
    One enrollment: the caller's, or anyone's for global staff and server-to-server callers.

    ``GET /api/enrollment/v1/enrollment/learner1,course-v1:OpenedX+DemoX+Demo_Course`` ->
    ``200 {"created": "...Z", "mode": "audit", "is_active": true, "user": "learner1", "course_details": {...}}``;
    no enrollment -> ``200 null``; someone else's without the right -> 404.
    """

    @documented(
        responses={200: schema.NULLABLE_ENROLLMENT, **schema.THROTTLED},
        summary="One enrollment (null when there is none)",
        tags=["enrollment"],
    )
    def get(self, request, course_id, username=None):
        username = username or request.user.username
        if username != request.user.username and not self.is_privileged(request):
            raise not_found()
        enrollment = api.get_enrollment(username, course_id)
        # DRF renders ``None`` as an empty body; the API's documented answer is the JSON ``null``.
        return Response(enrollment) if enrollment is not None else JsonResponse(None, safe=False)


class EnrollmentListView(EnrollmentAPIView):
    """
    The caller's enrollments (``GET``), or enroll / change an enrollment (``POST``).

    ``GET /api/enrollment/v1/enrollment?user=learner1`` -> ``200 [{"created", "mode", "is_active", "user",
    "course_details"}]``, limited to the courses the caller is course staff of, unless the list is the
    caller's own or the caller is global staff or server-to-server.

    ``POST /api/enrollment/v1/enrollment`` ``{"course_details": {"course_id": "course-v1:OpenedX+DemoX+Demo_Course"},
    "mode": "audit"}`` -> ``200 {"created", "mode": "audit", "is_active": true, "user": "learner1",
    "course_details": {...}}``; an existing enrollment -> 200 with it; errors: 400 ``{"message"}``, 403 for a
    paid mode or an invitation-only course, 404 for someone else, 406 for an unknown user.
    Optional ``"cohort": "Blue Team"`` puts the enrolled user in that cohort of the course (unknown ->
    400 ``{"message": "An error occured while adding to cohort [Blue Team]"}``, nobody enrolled);
    ``"email_opt_in": true`` records the *caller's* email opt-in for the course's organization.
    Gates, as the original: the embargo (403 ``{"message", "user_message_url"}``), the openedx-filters
    ``CourseEnrollmentViewStarted`` (a refusal is a 400) and, for a server-to-server call,
    ``"linked_enterprise_customer": "<customer uuid>"`` (a learner outside the customer is a 400).
    """

    @documented(
        parameters=[schema.query("user", "Whose enrollments (default: the caller's).")],
        responses={200: schema.ENROLLMENT.__class__(many=True), **schema.THROTTLED},
        summary="A user's active enrollments",
        tags=["enrollment"],
    )
    def get(self, request):
        username = request.query_params.get("user", request.user.username)
        try:
            enrollments = api.get_enrollments(username)
        except api.CourseEnrollmentError:
            message = f"An error occurred while retrieving enrollments for user '{username}'"
            raise Refused(message, "course_enrollment_error") from None
        if username == request.user.username or self.is_privileged(request):
            return Response(enrollments)
        allowed = {str(key) for key in api.staff_course_keys(request.user.username)}
        return Response([row for row in enrollments if row["course_details"]["course_id"] in allowed])

    @documented(
        request={"application/json": schema.ENROLL_REQUEST},
        responses={200: schema.ENROLLMENT, **schema.THROTTLED},
        errors=(406,),
        summary="Enroll, or change an enrollment",
        tags=["enrollment"],
    )
    def post(self, request):
        course_key = self._course_key(request.data)
        privileged = self.is_privileged(request)
        username = self._username(request, privileged)
        mode = request.data.get("mode")
        if mode is not None and not isinstance(mode, str):
            raise Refused("'mode' must be a string.", "invalid_mode")
        if mode not in _OPEN_MODES and not privileged:
            raise Refused(
                f"User does not have permission to create enrollment with mode [{mode}].",
                "mode_not_permitted",
                status.HTTP_403_FORBIDDEN,
            )
        if api.get_user_roles_or_none(username) is None:
            raise Refused(f"The user {username} does not exist.", "user_not_found", status.HTTP_406_NOT_ACCEPTABLE)
        blocked_url = api.embargo_blocked_url(username, course_key, get_all_client_ips(request))
        if blocked_url is not None:
            raise Refused(
                f"Users from this location cannot access the course '{course_key}'.",
                "embargoed",
                status.HTTP_403_FORBIDDEN,
                user_message_url=request.build_absolute_uri(blocked_url),
            )
        is_active = request.data.get("is_active")
        try:
            return Response(self._enroll(request, username, course_key, mode, is_active, privileged))
        finally:
            if has_api_key(request):
                api.audit_enrollment_change_request(course_key, username, mode, is_active)

    @staticmethod
    def _course_key(data) -> CourseKey:
        details = data.get("course_details")
        course_id = details.get("course_id") if isinstance(details, dict) else None
        if not course_id:
            raise Refused("Course ID must be specified to create a new enrollment.", "course_id_required")
        try:
            return CourseKey.from_string(str(course_id))
        except InvalidKeyError:
            raise Refused(f"No course '{course_id}' found for enrollment", "course_not_found") from None

    @staticmethod
    def _username(request, privileged: bool) -> str:
        """The user to enroll: ``user``, else the account of ``email`` (privileged only), else the caller."""
        username, email = request.data.get("user"), request.data.get("email")
        if username is not None and not isinstance(username, str):
            raise Refused("'user' must be a username.", "invalid_user")
        if username:
            if username != request.user.username and not privileged:
                raise not_found()
            return username
        if not email:
            return request.user.username
        if not privileged:
            raise not_found()
        found = api.username_for_email(str(email))
        if found is None:
            raise Refused(
                f"The user with the email address {email} does not exist.",
                "user_not_found",
                status.HTTP_406_NOT_ACCEPTABLE,
            )
        return found

    @staticmethod
    def _flag(data, name: str, what: str) -> bool | None:
        value = data.get(name)
        if value is not None and not isinstance(value, bool):
            raise Refused(f"'{value}' is an invalid {what}.", f"invalid_{name}")
        return value

    def _enroll(self, request, username: str, course_key: CourseKey, mode: str | None, is_active, privileged) -> dict:
        data = request.data
        self._flag(data, "is_active", "enrollment activation status")
        force = bool(self._flag(data, "force_enrollment", "force enrollment status")) and _is_global_staff(request.user)
        attributes = data.get("enrollment_attributes")
        if attributes is not None and not isinstance(attributes, list):
            attributes = [attributes]
        actor_id = request.user.id if request.user.is_authenticated else None
        cohort = self._cohort(course_key, data.get("cohort"))
        opt_in = self._opt_in(data.get("email_opt_in"))
        enrollment, changed = self._enroll_or_update(
            request, username, course_key, mode, is_active, privileged, attributes, force, actor_id
        )
        if not changed:
            return enrollment
        if cohort is not None:
            cohorts.add_users(course_key, cohort.id, [username], actor_id)
        if opt_in is not None and request.user.is_authenticated:
            # The requesting user's preference, not the enrolled user's, as the original does.
            api.set_email_opt_in(request.user.username, course_key, opt_in, actor_id=actor_id)
        return enrollment

    @staticmethod
    def _cohort(course_key: CourseKey, name) -> CohortData | None:
        """
        The cohort named by ``cohort``, checked before enrolling so that a refusal leaves no enrollment.

        Unknown is the original's 400; in an unknown course the enrollment's own error answers instead.
        """
        if name is None:
            return None
        try:
            if not isinstance(name, str):
                raise CohortNotFound(course_key, name)
            return cohorts.get_cohort_by_name(course_key, name)
        except CohortNotFound:
            try:
                api.get_course_enrollment_details(course_key)
            except api.CourseNotFoundError:
                return None
            raise Refused(f"An error occured while adding to cohort [{name}]", "cohort_not_found") from None

    @staticmethod
    def _opt_in(value) -> bool | None:
        """``email_opt_in``: a JSON boolean, or ``true``/``false`` in a form; anything else is a 400."""
        if value is None or isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise Refused(f"'{value}' is an invalid email opt-in status.", "invalid_email_opt_in")

    def _enroll_or_update(
        self, request, username, course_key, mode, is_active, privileged, attributes, force, actor_id
    ) -> tuple[dict, bool]:
        """The enrollment, and whether this request made or changed it (an existing one is answered as is)."""
        data = request.data
        try:
            api.run_enrollment_view_filter(username, course_key, requester_is_backend_service=has_api_key(request))
            self._link_enterprise(request, username, course_key)
            current = api.get_enrollment(username, course_key)
            mode_changed = bool(current and mode is not None and current["mode"] != mode)
            active_changed = bool(current and is_active is not None and current["is_active"] != is_active)
            if current and privileged and (mode_changed or active_changed):
                self._check_change(current, mode, is_active, attributes, mode_changed and active_changed)
                updated = api.update_enrollment(
                    username,
                    course_key,
                    mode=mode,
                    is_active=is_active,
                    enrollment_attributes=attributes,
                    include_expired=has_api_key(request),
                    actor_id=actor_id,
                )
                return updated, True
            added = api.add_enrollment(
                username,
                course_key,
                mode=mode,
                is_active=True if is_active is None else is_active,
                enrollment_attributes=attributes,
                enterprise_uuid=data.get("enterprise_uuid"),
                force_enrollment=force,
                include_expired=force,
                actor_id=actor_id,
            )
            return added, True
        except api.CourseEnrollmentExistsError as error:
            return error.enrollment or {}, False
        except (api.InvalidEnrollmentAttribute, api.EnrollmentNotAllowed) as error:
            forbidden = isinstance(error, api.EnrollmentNotAllowed)
            raise Refused(
                str(error), error.error_code, 403 if forbidden else 400, localizedMessage=str(error)
            ) from None
        except api.CourseModeNotFoundError as error:
            message = f"The [{mode}] course mode is expired or otherwise unavailable for course run [{course_key}]."
            raise Refused(message, error.error_code, course_details=error.data) from None
        except api.CourseNotFoundError:
            raise Refused(f"No course '{course_key}' found for enrollment", "course_not_found") from None
        except api.CourseEnrollmentError as error:
            message = (
                f"An error occurred while creating the new course enrollment for user '{username}' "
                f"in course '{course_key}'"
            )
            raise Refused(message, error.error_code, localizedMessage=str(error)) from None

    @staticmethod
    def _link_enterprise(request, username: str, course_key: CourseKey) -> None:
        """A server-to-server ``linked_enterprise_customer`` (a customer's UUID) links the enrollment, when enabled."""
        customer_uuid = request.data.get("linked_enterprise_customer")
        if customer_uuid and has_api_key(request) and api.enterprise_linking_enabled():
            api.link_enterprise_enrollment(username, course_key, str(customer_uuid))

    @staticmethod
    def _check_change(current: dict, mode: str | None, is_active, attributes, both_changed: bool) -> None:
        """A privileged change: no deactivation naming another mode, and the attributes the mode requires."""
        if both_changed and not is_active:
            raise Refused(
                f"Enrollment mode mismatch: active mode={current['mode']}, requested mode={mode}. Won't deactivate.",
                "enrollment_mode_mismatch",
            )
        required = api.REQUIRED_ATTRIBUTES.get(mode or "", [])
        given = {f"{a.get('namespace')}:{a.get('name')}" for a in attributes or [] if isinstance(a, dict)}
        if set(required) - given:
            raise Refused(
                f"Missing enrollment attributes: requested mode={mode} required attributes={required}",
                "enrollment_attributes_missing",
            )


def _comma_list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _encode_cursor(created: datetime, row_id: int, backwards: bool) -> str:
    raw = json.dumps({"c": created.isoformat(), "i": row_id, "b": backwards}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_cursor(text: str) -> EnrollmentCursor:
    try:
        data = json.loads(base64.urlsafe_b64decode(text.encode()))
        return EnrollmentCursor(datetime.fromisoformat(data["c"]), int(data["i"]), bool(data["b"]))
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError):
        raise NotFound("Invalid cursor", "invalid_cursor") from None


class CourseEnrollmentsApiListView(EnrollmentAPIView):
    """
    Every enrollment (active or not), newest first, for global staff; cursor-paginated, 100 a page at most.

    ``GET /api/enrollment/v1/enrollments?course_id=course-v1:OpenedX+DemoX+Demo_Course&username=learner1,learner2
    &page_size=50`` -> ``200 {"next": ".../enrollments?cursor=...", "previous": null, "results": [{"created",
    "mode", "is_active", "user", "course_id"}]}``; filters also ``course_ids`` (course id texts) and ``email``;
    bad filters -> 400 with ``field_errors``.
    """

    permission_classes = (NotRestrictedApplication, IsAdminUser)

    def _filters(self, params) -> EnrollmentSearch:
        errors: dict[str, list[str]] = {}
        course_key = None
        if params.get("course_id"):
            try:
                course_key = CourseKey.from_string(params["course_id"])
            except InvalidKeyError:
                errors["course_id"] = [f"'{params['course_id']}' is not a valid course id."]
        lists = {name: _comma_list(params.get(name)) for name in ("course_ids", "username", "email")}
        labels = {"course_ids": "course ids", "username": "usernames", "email": "emails"}
        for name, items in lists.items():
            if len(items) > MAX_INPUT_COUNT:
                errors[name] = [
                    f"Too many {labels[name]} in a single request - {len(items)}. "
                    f"A maximum of {MAX_INPUT_COUNT} is allowed"
                ]
        for email in lists["email"]:
            try:
                validate_email(email)
            except DjangoValidationError:
                errors.setdefault("email", []).append(f"'{email}' is not a valid email address.")
        if errors:
            raise ValidationError(errors)
        return EnrollmentSearch(
            course_key=course_key,
            course_id_contains=lists["course_ids"],
            usernames=lists["username"],
            emails=lists["email"],
        )

    def _page_size(self, params) -> int:
        try:
            return min(max(int(params.get("page_size", MAX_INPUT_COUNT)), 1), MAX_INPUT_COUNT)
        except ValueError:
            return MAX_INPUT_COUNT

    @documented(
        parameters=[
            schema.query("course_id", "One course run id."),
            schema.query("course_ids", "Comma-separated texts course ids contain (at most 100)."),
            schema.query("username", "Comma-separated usernames (at most 100)."),
            schema.query("email", "Comma-separated emails (at most 100)."),
            schema.query("page_size", "Rows a page (1 to 100; default 100).", int),
            schema.query("cursor", "The position a next or previous link gives."),
        ],
        responses={200: schema.ENROLLMENTS_PAGE, **schema.THROTTLED},
        summary="Every enrollment, newest first (global staff)",
        tags=["enrollment"],
    )
    def get(self, request):
        filters = self._filters(request.query_params)
        size = self._page_size(request.query_params)
        cursor = _decode_cursor(request.query_params["cursor"]) if request.query_params.get("cursor") else None
        rows = list(api.search_enrollments(filters, cursor, size + 1))
        more = len(rows) > size
        if cursor is not None and cursor.backwards:
            page, has_next, has_previous = rows[-size:] if more else rows, True, more
        else:
            page, has_next, has_previous = rows[:size], more, cursor is not None
        return Response(
            {
                "next": self._link(request, page[-1], False) if has_next and page else None,
                "previous": self._link(request, page[0], True) if has_previous and page else None,
                "results": [
                    {
                        "created": api.iso_datetime(row.enrollment.created),
                        "mode": row.enrollment.mode,
                        "is_active": row.enrollment.is_active,
                        "user": row.username,
                        "course_id": str(row.enrollment.course_key),
                    }
                    for row in page
                ],
            }
        )

    def _link(self, request, row, backwards: bool) -> str:
        params = request.query_params.copy()
        params["cursor"] = _encode_cursor(row.enrollment.created, row.id, backwards)
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


class EnrollmentCourseDetailView(EnrollmentAPIView):
    """
    A course's enrollment details, for anyone: no authentication.

    ``GET /api/enrollment/v1/course/course-v1:OpenedX+DemoX+Demo_Course?include_expired=1`` -> ``200 {"course_id",
    "course_name", "enrollment_start", "enrollment_end", "course_start", "course_end", "invite_only",
    "pacing_type", "course_modes": [{"slug", "name", "min_price", "suggested_prices", "currency",
    "expiration_datetime", "description", "sku", "bulk_sku"}]}``; unknown course -> 400 ``{"message"}``.
    """

    authentication_classes = ()
    permission_classes = ()

    def get_authenticators(self):
        return []

    @documented(
        parameters=[schema.query("include_expired", "Any non-empty value lists expired modes too.")],
        responses={200: schema.COURSE_DETAILS, **schema.THROTTLED},
        summary="A course's enrollment details and modes (public)",
        tags=["enrollment"],
    )
    def get(self, request, course_id):
        include_expired = bool(request.query_params.get("include_expired", ""))
        try:
            return Response(api.get_course_enrollment_details(course_id, include_expired))
        except api.CourseEnrollmentError:
            raise Refused(f"No course found for course ID '{course_id}'", "course_not_found") from None


class UnenrollmentView(EnrollmentAPIView):
    """
    Deactivate every enrollment of a retiring user: the retirement service user only, not throttled.

    ``POST /api/enrollment/v1/unenroll/`` ``{"username": "learner1"}`` -> ``200 ["OpenedX"]`` (the orgs left),
    ``204`` when nothing was active, ``404 {"message"}`` without a known username or without a retirement
    request, ``409`` when the request is in a state not to act on.
    """

    permission_classes = (NotRestrictedApplication, CanRetireUser)
    throttle_classes = ()

    @documented(
        request={"application/json": schema.UNENROLL_REQUEST},
        responses={200: schema.ORGS_LEFT, 204: None},
        errors=(409,),
        summary="Unenroll a retiring user from every course (retirement service)",
        tags=["enrollment"],
    )
    def post(self, request):
        username = request.data.get("username")
        if not username or not isinstance(username, str):
            raise Refused("Username not specified.", "username_required", status.HTTP_404_NOT_FOUND)
        try:
            api.check_retirement_request(username)
        except api.RetirementRequestNotFoundError as error:
            raise Refused(error.message, error.error_code, status.HTTP_404_NOT_FOUND) from None
        except api.RetirementStateError as error:
            raise Refused(error.message, error.error_code, status.HTTP_409_CONFLICT) from None
        try:
            orgs = api.unenroll_user_from_all_courses(username, actor_id=request.user.id)
        except api.UserNotFoundError:
            raise Refused(
                "No retirement request status for username.", "user_not_found", status.HTTP_404_NOT_FOUND
            ) from None
        if not orgs:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(sorted(orgs))


class EnrollmentUserRolesView(EnrollmentAPIView):
    """
    The caller's course and org roles.

    ``GET /api/enrollment/v1/roles/?course_id=course-v1:OpenedX+DemoX+Demo_Course`` ->
    ``200 {"roles": [{"org": "OpenedX", "course_id": "course-v1:...", "role": "staff"}], "is_staff": false}``.
    """

    @documented(
        parameters=[schema.query("course_id", "Only the roles in this course.")],
        responses={200: schema.ROLES, **schema.THROTTLED},
        summary="The caller's course and org roles",
        tags=["enrollment"],
    )
    def get(self, request):
        course_id = request.query_params.get("course_id")
        roles = api.get_user_roles_or_none(request.user.username) if request.user.is_authenticated else set()
        rows = [
            {"org": role.org, "course_id": str(role.course_key) if role.course_key else "", "role": role.role}
            for role in sorted(roles or (), key=lambda r: (r.org, str(r.course_key or ""), r.role))
            if not course_id or str(role.course_key or "") == course_id
        ]
        return Response({"roles": rows, "is_staff": _is_global_staff(request.user)})


class EnrollmentAllowedView(EnrollmentAPIView):
    """
    Allowed-to-enroll entries by email, for global staff.

    ``GET /api/enrollment/v1/enrollment_allowed/?email=new@example.com`` -> ``200 [{"email", "course_id",
    "auto_enroll", "user", "created"}]`` (the caller's email by default).
    ``POST`` ``{"email": "new@example.com", "course_id": "course-v1:...", "auto_enroll": true}`` -> ``201 {...}``;
    400 without email or course, 404 unknown course, 409 if it exists.
    ``DELETE`` ``{"email", "course_id"}`` -> ``204``; ``404`` if there is none.
    """

    permission_classes = (NotRestrictedApplication, IsAdminUser)

    @documented(
        parameters=[schema.query("email", "Whose entries (default: the caller's email).")],
        responses={200: schema.ALLOWED.__class__(many=True), **schema.THROTTLED},
        summary="Allowed-to-enroll entries of an email (global staff)",
        tags=["enrollment"],
    )
    def get(self, request):
        email = request.query_params.get("email") or request.user.email
        return Response(api.get_enrollments_allowed(email))

    @staticmethod
    def _required(request) -> tuple[str, str]:
        email, course_id = request.data.get("email"), request.data.get("course_id")
        if not email or not course_id or not isinstance(email, str) or not isinstance(course_id, str):
            raise Refused("Email and course_id are required.", "invalid_request")
        return email, course_id

    @documented(
        request={"application/json": schema.ALLOWED_REQUEST},
        responses={201: schema.ALLOWED, **schema.THROTTLED},
        errors=(409,),
        summary="Allow an email to enroll in a course (global staff)",
        tags=["enrollment"],
    )
    def post(self, request):
        email, course_id = self._required(request)
        auto_enroll = request.data.get("auto_enroll", False)
        if not isinstance(auto_enroll, bool):
            raise Refused("auto_enroll must be a boolean.", "invalid_request")
        try:
            row = api.add_enrollment_allowed(email, course_id, auto_enroll, actor_id=request.user.id)
        except api.CourseNotFoundError as error:
            raise Refused(str(error), error.error_code, status.HTTP_404_NOT_FOUND) from None
        except api.EnrollmentAllowedExistsError as error:
            raise Refused(str(error), error.error_code, status.HTTP_409_CONFLICT) from None
        return Response(row, status=status.HTTP_201_CREATED)

    @documented(
        request={"application/json": schema.ALLOWED_DELETE_REQUEST},
        responses={204: None, **schema.THROTTLED},
        summary="Withdraw an email's allowed-to-enroll entry (global staff)",
        tags=["enrollment"],
    )
    def delete(self, request):
        email, course_id = self._required(request)
        try:
            api.remove_enrollment_allowed(email, course_id, actor_id=request.user.id)
        except (api.CourseNotFoundError, api.EnrollmentAllowedNotFoundError) as error:
            raise Refused(str(error), error.error_code, status.HTTP_404_NOT_FOUND) from None
        return Response(status=status.HTTP_204_NO_CONTENT)
