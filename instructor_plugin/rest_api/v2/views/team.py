"""The course team endpoints: roles, members, granting and revoking."""

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from rest_framework.response import Response

from instructor_plugin.access import list_team
from instructor_plugin.course_team import (
    available_roles,
    check_manageable_roles,
    editable_roles,
    modify_team,
    revoke_member_roles,
)
from instructor_plugin.permissions import MANAGE_COURSE_TEAM
from instructor_plugin.rest_api.pagination import BackendPagination
from instructor_plugin.rest_api.schema import documented
from instructor_plugin.rest_api.v2.serializers.team import (
    TeamListQuerySerializer,
    TeamMemberSerializer,
    TeamModifyRequestSerializer,
    TeamModifyResponseSerializer,
    TeamRevokeRequestSerializer,
    TeamRevokeResponseSerializer,
    TeamRolesQuerySerializer,
    TeamRolesResponseSerializer,
)

from .base import InstructorV2APIView


class CourseTeamRolesView(InstructorV2APIView):
    """
    The team roles of the course, in display order; ``editable=true`` keeps the ones the caller may grant.

    ``GET .../team/roles?editable=true`` -> ``200 {"course_id": "course-v1:...", "results":
    [{"role": "staff", "display_name": "Staff"}, {"role": "instructor", "display_name": "Admin"}, ...]}``
    """

    permission_name = MANAGE_COURSE_TEAM

    @documented(parameters=[TeamRolesQuerySerializer], responses={200: TeamRolesResponseSerializer})
    def get(self, request, course_id):
        query = TeamRolesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data["editable"]:
            roles = editable_roles(self.course, self.course_access)
        else:
            roles = available_roles(self.course)
        return Response(TeamRolesResponseSerializer({"course_id": course_id, "results": roles}).data)


class TeamPagination(BackendPagination):
    extra_fields = {
        "course_id": {"type": "string"},
        "role": {"type": "string", "nullable": True},
        "email_or_username": {"type": "string", "nullable": True},
    }


@method_decorator(never_cache, name="dispatch")
class CourseTeamView(InstructorV2APIView):
    """
    List the course team, or grant or revoke one role for several users.

    ``GET .../team?role=staff&email_or_username=ann&page=1&page_size=25`` -> ``200 {"count": 1, "num_pages": 1,
    ..., "course_id": "...", "role": "staff", "email_or_username": "ann", "results": [{"username": "ann",
    "email": "ann@example.com", "full_name": "Ann", "roles": [{"role": "staff", "display_name": "Staff"}]}]}``

    ``POST .../team`` ``{"identifiers": ["ann", "bob@example.com"], "role": "staff", "action": "allow"}`` ->
    ``200 {"action": "allow", "role": "staff", "results": [{"identifier": "ann", "error": false,
    "user_does_not_exist": false, "is_active": true}, ...]}``; a role the caller may not manage is a 403.
    """

    permission_name = MANAGE_COURSE_TEAM
    pagination_class = TeamPagination

    @documented(parameters=[TeamListQuerySerializer], responses={200: TeamMemberSerializer(many=True)})
    def get(self, request, course_id):
        query = TeamListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        role = query.validated_data.get("role")
        search = query.validated_data.get("email_or_username") or None
        roles = (role,) if role else available_roles(self.course)
        paginator = self.pagination_class()
        page = paginator.paginate(request, lambda window: list_team(self.course_key, roles, search, window))
        data = TeamMemberSerializer(page.items, many=True).data
        return paginator.get_paginated_response(data, course_id=course_id, role=role, email_or_username=search)

    @documented(request=TeamModifyRequestSerializer, responses={200: TeamModifyResponseSerializer})
    def post(self, request, course_id):
        body = TeamModifyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        role, action = body.validated_data["role"], body.validated_data["action"]
        check_manageable_roles(self.course, self.course_access, [role])
        results = modify_team(self.course_key, request.user.pk, body.validated_data["identifiers"], role, action)
        return Response(TeamModifyResponseSerializer({"action": action, "role": role, "results": results}).data)


@method_decorator(never_cache, name="dispatch")
class CourseTeamMemberView(InstructorV2APIView):
    """
    Revoke roles from one team member.

    ``DELETE .../team/ann`` ``{"roles": ["staff", "Moderator"]}`` -> ``200 {"identifier": "ann",
    "roles": ["staff", "Moderator"], "action": "revoke", "success": true}``; an unknown user is a 404, an
    inactive one a 400, and revoking one's own instructor role a 409.
    """

    permission_name = MANAGE_COURSE_TEAM

    @documented(request=TeamRevokeRequestSerializer, responses={200: TeamRevokeResponseSerializer}, errors=(409,))
    def delete(self, request, course_id, email_or_username):
        body = TeamRevokeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        roles = body.validated_data["roles"]
        check_manageable_roles(self.course, self.course_access, roles)
        user = revoke_member_roles(self.course_key, request.user.pk, email_or_username, roles)
        outcome = {"identifier": user.username, "roles": roles, "action": "revoke", "success": True}
        return Response(TeamRevokeResponseSerializer(outcome).data)
