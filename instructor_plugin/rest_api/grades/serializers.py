"""Query parameters of grades v1."""

from __future__ import annotations

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey
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


#: The most usernames one ``section_grades_breakdown`` request may name.
MAX_USERNAMES = 100
#: Django's username length.
USERNAME_MAX_LENGTH = 150


class SectionBreakdownQuerySerializer(serializers.Serializer):
    """``course_id`` (optional) and ``username``: comma-separated, at most 100, each a valid username."""

    course_id = serializers.CharField(required=False, allow_blank=True, max_length=255)
    username = serializers.CharField(required=False, allow_blank=True, max_length=100 * 151)

    def validate_course_id(self, value: str) -> CourseKey | None:
        if not value:
            return None
        try:
            return CourseKey.from_string(value)
        except InvalidKeyError:
            raise serializers.ValidationError(f"'{value}' is not a valid course id.") from None

    def validate_username(self, value: str) -> list[str]:
        usernames = [name.strip() for name in value.split(",") if name.strip()]
        if len(usernames) > MAX_USERNAMES:
            raise serializers.ValidationError(
                f"Too many usernames in a single request - {len(usernames)}. A maximum of {MAX_USERNAMES} is allowed"
            )
        validator = UnicodeUsernameValidator()
        for name in usernames:
            try:
                validator(name)
                MaxLengthValidator(USERNAME_MAX_LENGTH)(name)
            except DjangoValidationError:
                raise serializers.ValidationError(f"'{name}' is not a valid username.") from None
        return usernames
