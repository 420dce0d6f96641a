"""The OpenAPI shapes of the cohorts API's list parameters and of the answers without a serializer of their own."""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


class CohortListParametersSerializer(serializers.Serializer):
    """``page`` (from 1; past the end: 404), ``page_size`` (default 10, at most 100) and ``ordering``."""

    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)
    ordering = serializers.CharField(required=False, help_text="By name: ``asc`` (default) or ``desc``.")


_CONTENT_GROUP = inline_serializer(
    "ContentGroup",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "version": serializers.IntegerField(),
        "usage": serializers.ListField(child=serializers.DictField()),
    },
    many=True,
)

GROUP_CONFIGURATIONS = inline_serializer(
    "ContentGroups",
    {
        "id": serializers.IntegerField(allow_null=True),
        "groups": _CONTENT_GROUP,
        "studio_content_groups_link": serializers.CharField(),
    },
)

GROUP_CONFIGURATION = inline_serializer(
    "ContentGroupConfiguration",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "scheme": serializers.CharField(),
        "description": serializers.CharField(allow_blank=True),
        "parameters": serializers.DictField(),
        "groups": _CONTENT_GROUP,
        "active": serializers.BooleanField(),
        "version": serializers.IntegerField(),
        "is_read_only": serializers.BooleanField(),
    },
)
