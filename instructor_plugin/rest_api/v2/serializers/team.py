"""Serializers of the course team endpoints."""

from rest_framework import serializers

from instructor_plugin.access import ROLE_DISPLAY_NAMES, TEAM_ROLE_ORDER
from instructor_plugin.course_team import ALLOW, REVOKE
from instructor_plugin.rest_api.v2.serializers.enrollments import MemberChangeResultSerializer


class TeamRoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    display_name = serializers.CharField()

    def to_representation(self, role: str) -> dict:
        return {"role": role, "display_name": str(ROLE_DISPLAY_NAMES[role])}


class TeamRolesQuerySerializer(serializers.Serializer):
    editable = serializers.BooleanField(default=False, help_text="Only the roles the caller may grant.")


class TeamRolesResponseSerializer(serializers.Serializer):
    course_id = serializers.CharField()
    results = TeamRoleSerializer(many=True)


class TeamListQuerySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=TEAM_ROLE_ORDER, required=False)
    email_or_username = serializers.CharField(
        required=False, allow_blank=True, help_text="Substring of username or email (case-insensitive)."
    )


class TeamMemberSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    roles = serializers.SerializerMethodField()

    def get_roles(self, member) -> list[dict]:
        held = [*member.course_roles, *member.forum_roles]
        return list(TeamRoleSerializer([role for role in TEAM_ROLE_ORDER if role in held], many=True).data)


class TeamModifyRequestSerializer(serializers.Serializer):
    identifiers = serializers.ListField(child=serializers.CharField(max_length=255), allow_empty=False, max_length=100)
    role = serializers.ChoiceField(choices=TEAM_ROLE_ORDER)
    action = serializers.ChoiceField(choices=[ALLOW, REVOKE])


class TeamModifyResponseSerializer(serializers.Serializer):
    action = serializers.CharField()
    role = serializers.CharField()
    results = MemberChangeResultSerializer(many=True)


class TeamRevokeRequestSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=TEAM_ROLE_ORDER), allow_empty=False)


class TeamRevokeResponseSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    action = serializers.CharField()
    success = serializers.BooleanField()
