"""
Stand-in of openedx-platform ``lms/djangoapps/certificates/generation_handler.py``: ``generate_certificate_task``.

Thinner than the platform: there are no grades here, so nobody passes and only allowlisted learners of a
certificate-eligible mode get a certificate; its generation task runs at once (as with eager Celery).
"""

from common.djangoapps.student.models import CourseEnrollment

from lms.djangoapps.certificates.data import CertificateStatuses
from lms.djangoapps.certificates.models import CertificateAllowlist, CertificateInvalidation, GeneratedCertificate

#: Enrollment modes without a certificate (the platform asks ``course_modes.api.is_eligible_for_certificate``).
_INELIGIBLE_MODES = ("audit",)


def is_on_certificate_allowlist(user, course_key):
    return CertificateAllowlist.objects.filter(user=user, course_id=course_key, allowlist=True).exists()


def generate_certificate_task(user, course_key, generation_mode=None, delay_seconds=0):
    """Whether a certificate task ran (or a certificate's status was set)."""
    enrollment = CourseEnrollment.objects.filter(user=user, course_id=course_key, is_active=True).first()
    certificate = GeneratedCertificate.objects.filter(user=user, course_id=course_key).first()
    if enrollment is None or enrollment.mode in _INELIGIBLE_MODES:
        return False
    invalidated = CertificateInvalidation.objects.filter(
        generated_certificate__user=user, generated_certificate__course_id=course_key, active=True
    ).exists()
    if invalidated:
        if certificate is not None and certificate.status != CertificateStatuses.unavailable:
            certificate.invalidate(mode=enrollment.mode, source="certificate_generation")
        return certificate is not None
    if is_on_certificate_allowlist(user, course_key):
        GeneratedCertificate.objects.update_or_create(
            user=user,
            course_id=course_key,
            defaults={"status": CertificateStatuses.downloadable, "mode": enrollment.mode},
        )
        return True
    if certificate is not None:
        certificate.status = CertificateStatuses.notpassing
        certificate.save()
        return True
    return False
