"""Query parameters and the upload of the bulk-grades CSV API (the Gradebook MFE's camelCase names)."""

from __future__ import annotations

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey
from rest_framework import serializers

from ...bulk_grades import CsvFilters


class CsvFiltersSerializer(serializers.Serializer):
    """A download's filters: grades are percents 0..100; ``excludedCourseRoles`` repeats (``all``: any role)."""

    track = serializers.CharField(required=False, allow_blank=True, max_length=100)
    cohort = serializers.CharField(required=False, allow_blank=True, max_length=255)
    assignment = serializers.CharField(required=False, allow_blank=True, max_length=255)
    assignmentType = serializers.CharField(required=False, allow_blank=True, max_length=64)  # noqa: N815
    assignmentGradeMin = serializers.FloatField(required=False, min_value=0, max_value=100)  # noqa: N815
    assignmentGradeMax = serializers.FloatField(required=False, min_value=0, max_value=100)  # noqa: N815
    courseGradeMin = serializers.FloatField(required=False, min_value=0, max_value=100)  # noqa: N815
    courseGradeMax = serializers.FloatField(required=False, min_value=0, max_value=100)  # noqa: N815
    excludedCourseRoles = serializers.ListField(  # noqa: N815
        child=serializers.CharField(max_length=64), required=False, max_length=20
    )

    def validate_assignment(self, value: str) -> UsageKey | None:
        if not value:
            return None
        try:
            return UsageKey.from_string(value)
        except InvalidKeyError:
            raise serializers.ValidationError("Not a usage key.") from None

    @classmethod
    def read(cls, query_params) -> CsvFilters:
        """The filters of a query string (empty values are absent, as the original reads them)."""
        data = {key: query_params.get(key) for key in query_params if key != "excludedCourseRoles"}
        data = {key: value for key, value in data.items() if value != ""}
        if "excludedCourseRoles" in query_params:
            data["excludedCourseRoles"] = query_params.getlist("excludedCourseRoles")
        serializer = cls(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        return CsvFilters(
            track=values.get("track") or None,
            cohort=values.get("cohort") or None,
            assignment=values.get("assignment"),
            assignment_type=values.get("assignmentType") or None,
            assignment_grade_min=values.get("assignmentGradeMin"),
            assignment_grade_max=values.get("assignmentGradeMax"),
            course_grade_min=values.get("courseGradeMin"),
            course_grade_max=values.get("courseGradeMax"),
            excluded_course_roles=tuple(values.get("excludedCourseRoles", ())),
        )


class GradesUploadSerializer(serializers.Serializer):
    """
    Multipart: ``csv``, the grades CSV (a download with ``new_override-`` cells filled in), or ``result_id``,
    the task of an import that was ``waiting``, to ask its status again.
    """

    csv = serializers.FileField(allow_empty_file=True, required=False)
    result_id = serializers.CharField(required=False, max_length=64)

    def validate(self, attrs: dict) -> dict:
        if "csv" not in attrs and "result_id" not in attrs:
            raise serializers.ValidationError({"csv": ["No file was submitted."]})
        return attrs


class GradeImportStatusSerializer(serializers.Serializer):
    """An import's status (the response of ``POST``)."""

    total = serializers.IntegerField()
    processed = serializers.IntegerField()
    saved = serializers.IntegerField()
    error_rows = serializers.ListField(child=serializers.DictField())
    error_messages = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]  # a wire field named as a DRF attribute
    percentage = serializers.CharField()
    can_commit = serializers.BooleanField()
    saved_error_id = serializers.IntegerField(allow_null=True)
    result_id = serializers.CharField(allow_null=True, help_text="The import's task while it is `waiting`.")
    waiting = serializers.BooleanField()


class ImportCountsSerializer(serializers.Serializer):
    total_rows = serializers.IntegerField()
    processed_rows = serializers.IntegerField()
    saved_rows = serializers.IntegerField()


class ImportHistorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    class_name = serializers.CharField()
    unique_id = serializers.CharField()
    operation = serializers.CharField()
    user = serializers.CharField(allow_null=True)
    modified = serializers.DateTimeField()
    original_filename = serializers.CharField(allow_blank=True)
    data = ImportCountsSerializer()  # type: ignore[assignment]  # a wire field named as a DRF attribute
