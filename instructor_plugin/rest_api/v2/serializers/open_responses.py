"""Serializers of the open-response assessment endpoints."""

from rest_framework import serializers


class ORASerializer(serializers.Serializer):
    block_id = serializers.CharField(source="id")
    unit_name = serializers.CharField(source="parent_name")
    display_name = serializers.CharField(source="name")
    total_responses = serializers.IntegerField(source="total")
    training = serializers.IntegerField()
    peer = serializers.IntegerField()
    self = serializers.IntegerField()
    waiting = serializers.IntegerField()
    staff = serializers.IntegerField()
    final_grade_received = serializers.IntegerField(source="done")
    staff_ora_grading_url = serializers.URLField(allow_null=True)


class ORASummarySerializer(serializers.Serializer):
    total_units = serializers.IntegerField()
    total_assessments = serializers.IntegerField()
    total_responses = serializers.IntegerField()
    training = serializers.IntegerField()
    peer = serializers.IntegerField()
    self = serializers.IntegerField()
    waiting = serializers.IntegerField()
    staff = serializers.IntegerField()
    final_grade_received = serializers.IntegerField()
