"""Serializers of the problem look-up, the grading configuration and the grading operations."""

from collections.abc import Mapping

from rest_framework import serializers


class ProblemQuerySerializer(serializers.Serializer):
    email_or_username = serializers.CharField(required=False, allow_blank=True, help_text="Show this learner's state.")


class BreadcrumbSerializer(serializers.Serializer):
    display_name = serializers.CharField(allow_blank=True)
    usage_key = serializers.CharField(allow_null=True, help_text="null for the course itself.")


class ScoreSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True)
    total = serializers.FloatField(allow_null=True)


class AttemptsSerializer(serializers.Serializer):
    current = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True, help_text="null when attempts are unlimited.")


class ProblemSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    breadcrumbs = BreadcrumbSerializer(many=True)
    current_score = ScoreSerializer(allow_null=True)
    attempts = AttemptsSerializer(allow_null=True)


class LearnerParameterSerializer(serializers.Serializer):
    learner = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=255,
        help_text="Username or email, in the query or the body; omitted means every learner.",
    )


class RescoreRequestSerializer(LearnerParameterSerializer):
    only_if_higher = serializers.BooleanField(
        required=False, default=False, help_text="Keep the current score when it is higher (query or body)."
    )


class ScoreOverrideRequestSerializer(LearnerParameterSerializer):
    """``score`` (or its alias ``new_score``): the learner's new score, at least 0; ``learner`` is required."""

    score = serializers.FloatField(min_value=0, max_value=1e9)

    def to_internal_value(self, data):
        if isinstance(data, Mapping) and "score" not in data and "new_score" in data:
            data = {**{key: data[key] for key in data}, "score": data["new_score"]}
        return super().to_internal_value(data)


class SyncOperationResultSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    learner = serializers.CharField(allow_null=True)
    problem_location = serializers.CharField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    previous_score = serializers.FloatField(allow_null=True)
    message = serializers.CharField()


class OperationScopeSerializer(serializers.Serializer):
    learners = serializers.CharField(help_text='"all" or the learner\'s username.')
    problem_location = serializers.CharField()


class AsyncOperationResultSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    status_url = serializers.CharField()
    scope = OperationScopeSerializer()
