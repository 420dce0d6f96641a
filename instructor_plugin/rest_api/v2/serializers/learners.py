"""Serializers of the learner lookup endpoint."""

from rest_framework import serializers


class LearnerSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.EmailField()
    full_name = serializers.CharField(allow_blank=True)
    progress_url = serializers.CharField(allow_null=True)
    is_enrolled = serializers.BooleanField()
