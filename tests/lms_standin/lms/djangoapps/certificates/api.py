"""
Stand-in of openedx-platform ``lms/djangoapps/certificates/api.py``: the functions the Open edX backend calls,
with the platform's names, signatures and effects (without its logging, events and signals).
"""

from django.core.exceptions import ObjectDoesNotExist

from lms.djangoapps.certificates.generation_handler import generate_certificate_task as _generate_certificate_task
from lms.djangoapps.certificates.models import (
    CertificateAllowlist,
    CertificateGenerationCourseSetting,
    CertificateInvalidation,
    GeneratedCertificate,
)


def set_cert_generation_enabled(course_key, is_enabled):
    CertificateGenerationCourseSetting.set_self_generation_enabled_for_course(course_key, is_enabled)


def get_certificate_for_user(username, course_key, format_results=True):
    cert = GeneratedCertificate.objects.filter(user__username=username, course_id=course_key).first()
    if cert is None or not format_results:
        return cert
    return {"username": username, "course_key": cert.course_id, "type": cert.mode, "status": cert.status}


def create_or_update_certificate_allowlist_entry(user, course_key, notes, enabled=True):
    return CertificateAllowlist.objects.update_or_create(
        user=user, course_id=course_key, defaults={"allowlist": enabled, "notes": notes}
    )


def get_allowlist_entry(user, course_key):
    try:
        return CertificateAllowlist.objects.get(user=user, course_id=course_key)
    except ObjectDoesNotExist:
        return None


def remove_allowlist_entry(user, course_key):
    entry = get_allowlist_entry(user, course_key)
    if entry is None:
        return False
    certificate = get_certificate_for_user(user.username, course_key, False)
    if certificate:
        certificate.invalidate(source="allowlist_removal")
    entry.delete()
    return True


def create_certificate_invalidation_entry(certificate, user_requesting_invalidation, notes):
    invalidation, __ = CertificateInvalidation.objects.update_or_create(
        generated_certificate=certificate,
        defaults={"active": True, "invalidated_by": user_requesting_invalidation, "notes": notes},
    )
    return invalidation


def get_certificate_invalidation_entry(generated_certificate, invalidated_by=None, notes=None, active=None):
    filters = {"generated_certificate": generated_certificate}
    if invalidated_by is not None:
        filters["invalidated_by"] = invalidated_by
    if notes is not None:
        filters["notes"] = notes
    if active is not None:
        filters["active"] = active
    return CertificateInvalidation.objects.filter(**filters).first()


def generate_certificate_task(user, course_key, generation_mode=None):
    return _generate_certificate_task(user, course_key, generation_mode)
