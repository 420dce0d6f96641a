"""Bodies and answers of the cohorts API, in the original's field names."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...backends.data import COHORT_ASSIGNMENT_TYPES
from ...cohorts import split_identifiers
from ..fields import AbsentAwareBooleanField


class CohortSettingsSerializer(serializers.Serializer):
    """``{"id": 4, "is_cohorted": true}``: ``id`` is the settings record's."""

    id = serializers.IntegerField()
    is_cohorted = serializers.BooleanField()


class CohortSettingsUpdateSerializer(serializers.Serializer):
    """``{"is_cohorted": true}``; the domain refuses anything but a boolean (``invalid-is-cohorted``)."""

    is_cohorted = AbsentAwareBooleanField(required=False)


class CohortSerializer(serializers.Serializer):
    """A cohort: ``user_count`` counts its actively enrolled members; the content group may be null."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    user_count = serializers.IntegerField()
    assignment_type = serializers.ChoiceField(choices=COHORT_ASSIGNMENT_TYPES)
    user_partition_id = serializers.IntegerField(allow_null=True)
    group_id = serializers.IntegerField(allow_null=True)


class CohortWriteSerializer(serializers.Serializer):
    """
    ``{"name": "Blue", "assignment_type": "manual", "group_id": 2, "user_partition_id": 50}``.

    Every key is optional here: what a create or an update requires is the domain's to say, with the
    original's error codes. A ``group_id`` of ``null`` unlinks the content group.
    """

    name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    assignment_type = serializers.CharField(required=False, allow_blank=True, max_length=16)
    group_id = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**31 - 1)
    user_partition_id = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**31 - 1)


class CohortListQuerySerializer(serializers.Serializer):
    """``ordering``: ``asc`` (default) or ``desc`` by name."""

    ordering = serializers.CharField(required=False, default="asc")


@extend_schema_field({"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]})
class IdentifiersField(serializers.Field):
    """A list of usernames or emails, or one text of them separated by commas or whitespace."""

    default_error_messages = {"invalid": "Expected a list of usernames or emails."}

    def to_internal_value(self, data):
        if isinstance(data, str):
            return split_identifiers(data)
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            self.fail("invalid")
        return [item.strip() for item in data]

    def to_representation(self, value):
        return value


class CohortUsersAddSerializer(serializers.Serializer):
    """``{"users": ["alice", "bob@example.com"]}`` (missing or empty: ``missing-users``)."""

    users = IdentifiersField(required=False)


class CohortMemberSerializer(serializers.Serializer):
    """A member of a cohort: ``{"username", "email", "name"}``."""

    username = serializers.CharField()
    email = serializers.EmailField()
    name = serializers.CharField(source="full_name")


class CohortChangedSerializer(serializers.Serializer):
    email = serializers.EmailField()
    previous_cohort = serializers.CharField()
    username = serializers.CharField()


class CohortAddedSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.EmailField()


class CohortUsersAddResultSerializer(serializers.Serializer):
    """Each identifier in one list: added, moved from another cohort, already there, unknown, preassigned, invalid."""

    success = serializers.BooleanField()
    added = CohortAddedSerializer(many=True)
    changed = CohortChangedSerializer(many=True)
    present = serializers.ListField(child=serializers.CharField())
    unknown = serializers.ListField(child=serializers.CharField())
    preassigned = serializers.ListField(child=serializers.CharField())
    invalid = serializers.ListField(child=serializers.CharField())


class CohortCsvUploadSerializer(serializers.Serializer):
    """Multipart: ``uploaded-file``, a CSV with a ``cohort`` column and ``email`` and/or ``username``."""

    def get_fields(self):
        return {"uploaded-file": serializers.FileField(required=False, allow_empty_file=True)}
