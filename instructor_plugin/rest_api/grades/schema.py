"""The OpenAPI description of grades v1's responses and paging parameters (the wire format the views answer)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer
from rest_framework import serializers

#: What the front web server (gunicorn on the demo host, nginx before an LMS) answers, as an HTML page, for a
#: request line longer than it takes (4,094 bytes for gunicorn): a query string of many long filter values.
URI_TOO_LONG = {(414, "text/html"): OpenApiTypes.STR}

#: ``cursor`` and ``page_size`` of every cursor-paged list.
CURSOR_PARAMETERS = [
    OpenApiParameter("cursor", str, description="The opaque position of a `next` or `previous` link."),
    OpenApiParameter("page_size", int, description="Learners per page (default 50, at most 1,000)."),
]


def _paged(name: str, item: serializers.Serializer, **extra: serializers.Field) -> type[serializers.Serializer]:
    """A serializer class of a cursor page of ``item``: ``next``, ``previous``, ``results`` and ``extra``."""
    fields = {
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": serializers.ListField(child=item),
        **extra,
    }
    return type(name, (serializers.Serializer,), fields)


class CourseGradeSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.CharField(help_text="Empty unless the learner is in the `masters` track.")
    course_id = serializers.CharField()
    passed = serializers.BooleanField()
    percent = serializers.FloatField()
    letter_grade = serializers.CharField(allow_null=True, allow_blank=True)


CourseGradePageSerializer = _paged("CourseGradePageSerializer", CourseGradeSerializer())

COURSE_GRADES_RESPONSE = PolymorphicProxySerializer(
    component_name="CourseGradesResponse",
    serializers=[CourseGradeSerializer(many=True), CourseGradePageSerializer],
    resource_type_field_name=None,
    many=False,
)


class GradingPolicyEntrySerializer(serializers.Serializer):
    assignment_type = serializers.CharField(allow_null=True)
    count = serializers.IntegerField(allow_null=True)
    dropped = serializers.IntegerField(allow_null=True)
    weight = serializers.FloatField(allow_null=True)


class SubsectionBreakdownSerializer(serializers.Serializer):
    attempted = serializers.BooleanField()
    category = serializers.CharField()
    label = serializers.CharField(help_text='"HW 01"')  # type: ignore[assignment]  # a wire field named as a DRF attribute
    module_id = serializers.CharField()
    percent = serializers.FloatField()
    score_earned = serializers.FloatField()
    score_possible = serializers.FloatField()
    subsection_name = serializers.CharField()


class GradebookEntrySerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField(help_text="Empty unless the learner is in the `masters` track.")
    percent = serializers.FloatField()
    section_breakdown = SubsectionBreakdownSerializer(many=True)
    full_name = serializers.CharField(required=False, help_text="`masters` learners only.")
    external_user_key = serializers.CharField(required=False, help_text="Learners enrolled through a program.")


GradebookPageSerializer = _paged(
    "GradebookPageSerializer",
    GradebookEntrySerializer(),
    total_users_count=serializers.IntegerField(help_text="Active enrollments of the course."),
    filtered_users_count=serializers.IntegerField(help_text="Active enrollments the filters keep."),
)

GRADEBOOK_RESPONSE = PolymorphicProxySerializer(
    component_name="GradebookResponse",
    serializers=[GradebookEntrySerializer, GradebookPageSerializer],
    resource_type_field_name=None,
    many=False,
)


class OverrideGradeSerializer(serializers.Serializer):
    earned_all_override = serializers.CharField(required=False, allow_null=True, help_text="A number, as text or not.")
    possible_all_override = serializers.CharField(required=False, allow_null=True)
    earned_graded_override = serializers.CharField(required=False, allow_null=True)
    possible_graded_override = serializers.CharField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class BulkUpdateItemSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    usage_id = serializers.CharField()
    grade = OverrideGradeSerializer()


class BulkUpdateResultSerializer(serializers.Serializer):
    user_id = serializers.JSONField(help_text="The item's `user_id` (as sent when it failed).")
    usage_id = serializers.JSONField(help_text="The item's `usage_id` (as sent when it failed).")
    success = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)


class AssignmentTypeSerializer(serializers.Serializer):
    type = serializers.CharField()
    short_label = serializers.CharField()
    min_count = serializers.IntegerField(allow_null=True)
    drop_count = serializers.IntegerField(allow_null=True)
    weight = serializers.FloatField(allow_null=True)


class GradingInfoSubsectionSerializer(serializers.Serializer):
    assignment_type = serializers.CharField(allow_null=True)
    display_name = serializers.CharField(allow_blank=True)
    graded = serializers.BooleanField()
    module_id = serializers.CharField()
    short_label = serializers.CharField(required=False, help_text="Graded subsections only.")


class GradingInfoSerializer(serializers.Serializer):
    assignment_types = serializers.DictField(child=AssignmentTypeSerializer())
    subsections = GradingInfoSubsectionSerializer(many=True)
    grade_cutoffs = serializers.DictField(child=serializers.FloatField())
    grades_frozen = serializers.BooleanField()
    can_see_bulk_management = serializers.BooleanField()


class GradeValuesSerializer(serializers.Serializer):
    earned_all = serializers.FloatField()
    possible_all = serializers.FloatField()
    earned_graded = serializers.FloatField()
    possible_graded = serializers.FloatField()


class OverrideValuesSerializer(serializers.Serializer):
    earned_all_override = serializers.FloatField(allow_null=True)
    possible_all_override = serializers.FloatField(allow_null=True)
    earned_graded_override = serializers.FloatField(allow_null=True)
    possible_graded_override = serializers.FloatField(allow_null=True)


class OverrideHistorySerializer(OverrideValuesSerializer):
    id = serializers.IntegerField()
    history_id = serializers.IntegerField()
    grade_id = serializers.IntegerField(allow_null=True)
    created = serializers.DateTimeField()
    history_date = serializers.DateTimeField()
    history_type = serializers.CharField(help_text="`+` created, `~` changed, `-` deleted.")
    history_user = serializers.CharField(allow_null=True)
    history_user_id = serializers.IntegerField(allow_null=True)
    override_reason = serializers.CharField(allow_blank=True, allow_null=True)
    system = serializers.CharField(allow_blank=True, allow_null=True)


class SubsectionGradeSerializer(serializers.Serializer):
    subsection_id = serializers.CharField()
    user_id = serializers.IntegerField()
    course_id = serializers.CharField()
    success = serializers.BooleanField()
    error_message = serializers.CharField(required=False, help_text="When `success` is false.")
    original_grade = GradeValuesSerializer()
    override = OverrideValuesSerializer(allow_null=True)
    history = OverrideHistorySerializer(many=True)


class SectionSummarySerializer(serializers.Serializer):
    percent = serializers.FloatField()
    label = serializers.CharField()  # type: ignore[assignment]  # a wire field named as a DRF attribute
    detail = serializers.CharField()
    category = serializers.CharField()
    prominent = serializers.BooleanField(required=False)
    mark = serializers.DictField(required=False)


class SectionGradesSerializer(serializers.Serializer):
    course_id = serializers.CharField()
    username = serializers.CharField()
    passed = serializers.BooleanField()
    current_grade = serializers.IntegerField()
    section_breakdown = SectionSummarySerializer(many=True)


SectionGradesPageSerializer = _paged("SectionGradesPageSerializer", SectionGradesSerializer())


class SubmissionSerializer(serializers.Serializer):
    state = serializers.DictField(allow_null=True, help_text="The learner's state after that submission.")
    grade = serializers.FloatField(allow_null=True)
    max_grade = serializers.FloatField(allow_null=True)


class ProblemSubmissionsSerializer(serializers.Serializer):
    location = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    data = serializers.CharField(allow_blank=True, help_text="The problem's definition (OLX), when known.")  # type: ignore[assignment]  # a wire field named as a DRF attribute
    submission_history = SubmissionSerializer(many=True)


class LearnerSubmissionsSerializer(serializers.Serializer):
    course_id = serializers.CharField()
    course_name = serializers.CharField()
    user = serializers.CharField()
    problems = ProblemSubmissionsSerializer(many=True)


SubmissionHistoryPageSerializer = _paged("SubmissionHistoryPageSerializer", LearnerSubmissionsSerializer())
