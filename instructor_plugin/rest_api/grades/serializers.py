"""Query parameters of grades v1."""

from __future__ import annotations

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey
from rest_framework import serializers

from ...backends.data import GradebookFilter


class GradebookQuerySerializer(serializers.Serializer):
    """The gradebook's filters; grades are percents 0..100, ``excluded_course_roles`` repeats (``all``: any role)."""

    username = serializers.CharField(required=False, max_length=150)
    user_contains = serializers.CharField(required=False, max_length=255)
    username_contains = serializers.CharField(required=False, max_length=150)
    cohort_id = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    enrollment_mode = serializers.CharField(required=False, max_length=100)
    assignment = serializers.CharField(required=False, max_length=255)
    assignment_grade_min = serializers.FloatField(required=False, min_value=0, max_value=100)
    assignment_grade_max = serializers.FloatField(required=False, min_value=0, max_value=100)
    course_grade_min = serializers.FloatField(required=False, min_value=0, max_value=100)
    course_grade_max = serializers.FloatField(required=False, min_value=0, max_value=100)
    excluded_course_roles = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=20
    )

    def validate_assignment(self, value: str) -> UsageKey:
        try:
            return UsageKey.from_string(value)
        except InvalidKeyError:
            raise serializers.ValidationError("Not a usage key.") from None

    def to_filter(self) -> GradebookFilter:
        data = dict(self.validated_data)
        data.pop("username", None)
        return GradebookFilter(**{**data, "excluded_course_roles": tuple(data.get("excluded_course_roles", ()))})

    @classmethod
    def read(cls, query_params) -> GradebookQuerySerializer:
        data = {key: query_params.get(key) for key in query_params if key != "excluded_course_roles"}
        if "excluded_course_roles" in query_params:
            data["excluded_course_roles"] = query_params.getlist("excluded_course_roles")
        serializer = cls(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer


class SubsectionQuerySerializer(serializers.Serializer):
    """``user_id`` (required) and ``history_record_limit`` (a bad value reads as 0, as the original's)."""

    user_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
