"""Serializers of the certificate endpoints."""

from __future__ import annotations

from rest_framework import serializers

from instructor_plugin.backends.data import CertificateData, CertificateGenerationRunData
from instructor_plugin.certificates import CERTIFICATE_STATUSES, ISSUED_FILTERS, STUDENT_SETS
from instructor_plugin.rest_api.fields import AbsentAwareBooleanField

MAX_LEARNERS = 1000


class IssuedCertificatesQuerySerializer(serializers.Serializer):
    """The filters of the issued list."""

    filter = serializers.ChoiceField(choices=ISSUED_FILTERS, required=False, default="all")
    search = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True, default="")


class IssuedCertificateSerializer(serializers.Serializer):
    """A certificate row: ``special_case`` is ``exception``, ``invalidated`` or ``""``, as the MFE reads it."""

    username = serializers.CharField(source="user.username")
    email = serializers.CharField(source="user.email")
    enrollment_track = serializers.CharField(allow_null=True)
    certificate_status = serializers.CharField(source="status")
    special_case = serializers.SerializerMethodField()
    exception_granted = serializers.DateTimeField(allow_null=True)
    exception_notes = serializers.CharField(allow_null=True)
    invalidated_by = serializers.CharField(allow_null=True)
    invalidation_date = serializers.DateTimeField(allow_null=True)
    invalidation_note = serializers.CharField()

    def get_special_case(self, certificate: CertificateData) -> str:
        if certificate.exception_granted is not None:
            return "exception"
        if certificate.invalidation_date is not None:
            return "invalidated"
        return ""


class CertificateGenerationHistorySerializer(serializers.Serializer):
    """A generation run: ``Generated`` or ``Regenerated``, when, and for whom."""

    task_name = serializers.SerializerMethodField()
    date = serializers.DateTimeField(source="created")
    details = serializers.CharField(source="candidates")

    def get_task_name(self, run: CertificateGenerationRunData) -> str:
        return "Regenerated" if run.is_regeneration else "Generated"


class CertificateRegenerateRequestSerializer(serializers.Serializer):
    """Who to (re)generate for: learners whose certificate has one of ``statuses``, or a ``student_set``."""

    statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=CERTIFICATE_STATUSES), required=False, default=list
    )
    student_set = serializers.ChoiceField(choices=STUDENT_SETS, required=False, default="all")


class CertificateTaskAcceptedSerializer(serializers.Serializer):
    """A queued task."""

    task_id = serializers.CharField()
    status_url = serializers.CharField()
    message = serializers.CharField()


class CertificateConfigSerializer(serializers.Serializer):
    """Whether certificate generation is on."""

    enabled = AbsentAwareBooleanField()


class CertificateLearnersRequestSerializer(serializers.Serializer):
    """Learners (usernames or emails) and the notes to record."""

    learners = serializers.ListField(
        child=serializers.CharField(max_length=255), allow_empty=False, max_length=MAX_LEARNERS
    )
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class CertificateLearnerRequestSerializer(serializers.Serializer):
    """One learner, by username or email."""

    username = serializers.CharField(max_length=255)


class CertificateLearnerErrorSerializer(serializers.Serializer):
    learner = serializers.CharField()
    message = serializers.CharField()
    line = serializers.IntegerField(required=False, help_text="The CSV line (bulk upload only).")


class CertificateLearnersResultSerializer(serializers.Serializer):
    """Per-learner outcomes."""

    success = serializers.ListField(child=serializers.CharField())
    # The wire field is named ``errors``, like DRF's Serializer.errors property it shadows on the class.
    errors = CertificateLearnerErrorSerializer(many=True)  # type: ignore[assignment]


class CertificateMessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class CertificateInvalidationRemovedSerializer(serializers.Serializer):
    message = serializers.CharField()
    task_id = serializers.CharField(allow_null=True, help_text="The regeneration of the learner's certificate.")


class CertificateBulkUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False,
        allow_empty_file=True,
        help_text="A CSV: username or email, then optional notes; a header row is allowed.",
    )
