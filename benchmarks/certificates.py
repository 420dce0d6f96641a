"""
The issued-certificates list and a bulk exception upload, each beside a raw-ORM baseline.

Before measuring, the course is topped up to ``CERTIFICATES`` certificates (the seed gives one to
every third learner), as far as it has enrolled learners. The list is one API page of 25 under a
few filters; its baseline counts and slices the same certificates with ``select_related`` and reads
the exceptions and invalidations of the page's learners. The upload posts a CSV of ``UPLOAD_ROWS``
fresh enrolled learners through ``certificates/exceptions/bulk``; its baseline looks the same number
of learners up and allowlists them with the plain ORM.
"""

from __future__ import annotations

from http import HTTPStatus

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from edx_django_utils.cache import RequestCache
from opaque_keys.edx.keys import CourseKey
from rest_framework.test import APIClient

from benchmarks.measure import Comparison, Figures, measure, measure_write
from instructor_plugin.backends.builtin.models import (
    CertificateAllowlistEntry,
    CertificateInvalidation,
    CourseEnrollment,
    GeneratedCertificate,
    UserProfile,
)

CERTIFICATES = 100_000
UPLOAD_ROWS = 5_000
BATCH = 5_000
User = get_user_model()


def top_up_certificates(course_key: CourseKey, target: int = CERTIFICATES) -> int:
    """Give enrolled learners without a certificate one until the course has ``target``; return the count."""
    existing = GeneratedCertificate.objects.filter(course_key=course_key)
    missing = target - existing.count()
    if missing > 0:
        without = CourseEnrollment.objects.filter(course_key=course_key, is_active=True).exclude(
            Exists(GeneratedCertificate.objects.filter(course_key=course_key, user_id=OuterRef("user_id")))
        )
        rows = without.order_by("user_id").values_list("user_id", "mode")[:missing]
        GeneratedCertificate.objects.bulk_create(
            (
                GeneratedCertificate(
                    user_id=user_id,
                    course_key=course_key,
                    mode=mode,
                    status="audit_passing" if mode == "audit" else "downloadable",
                )
                for user_id, mode in rows.iterator(chunk_size=BATCH)
            ),
            batch_size=BATCH,
        )
    return existing.count()


def _client() -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.filter(is_staff=True).order_by("pk").first())
    return client


def _issued_page(client: APIClient, course_key: CourseKey, query: str):
    def run() -> None:
        RequestCache.clear_all_namespaces()
        response = client.get(f"/api/instructor/v2/courses/{course_key}/certificates/issued?page_size=25{query}")
        assert response.status_code == HTTPStatus.OK, response.content

    return run


def _baseline_page(course_key: CourseKey):
    def run() -> None:
        rows = GeneratedCertificate.objects.filter(course_key=course_key)
        rows.count()
        page = list(rows.select_related("user").order_by("user__username")[:25])
        user_ids = [row.user_id for row in page]
        dict(
            CourseEnrollment.objects.filter(course_key=course_key, user_id__in=user_ids).values_list("user_id", "mode")
        )
        list(CertificateAllowlistEntry.objects.filter(course_key=course_key, user_id__in=user_ids))
        list(CertificateInvalidation.objects.filter(certificate__in=page, active=True).select_related("invalidated_by"))

    return run


def _fresh_learners(course_key: CourseKey, prefix: str, count: int) -> list[str]:
    names = [f"{prefix}{number}" for number in range(count)]
    User.objects.filter(username__in=names).delete()
    User.objects.bulk_create(
        [User(username=name, email=f"{name}@example.com", password="!") for name in names], batch_size=BATCH
    )
    ids = list(User.objects.filter(username__in=names).values_list("pk", flat=True))
    UserProfile.objects.bulk_create([UserProfile(user_id=pk, name=f"Learner {pk}") for pk in ids], batch_size=BATCH)
    CourseEnrollment.objects.bulk_create(
        [CourseEnrollment(user_id=pk, course_key=course_key, mode="verified") for pk in ids], batch_size=BATCH
    )
    return names


def _upload(client: APIClient, course_key: CourseKey, names: list[str]):
    content = "username,notes\n" + "".join(f"{name},Benchmark exception\n" for name in names)

    def run() -> None:
        RequestCache.clear_all_namespaces()
        response = client.post(
            f"/api/instructor/v2/courses/{course_key}/certificates/exceptions/bulk",
            {"file": SimpleUploadedFile("exceptions.csv", content.encode())},
            format="multipart",
        )
        assert response.status_code == HTTPStatus.OK, response.content
        assert len(response.json()["success"]) == len(names), response.json()["errors"][:3]

    return run


def _baseline_upload(course_key: CourseKey, names: list[str]):
    @transaction.atomic
    def run() -> None:
        ids = list(User.objects.filter(username__in=names).values_list("pk", flat=True))
        enrolled = set(
            CourseEnrollment.objects.filter(course_key=course_key, user_id__in=ids, is_active=True).values_list(
                "user_id", flat=True
            )
        )
        CertificateAllowlistEntry.objects.bulk_create(
            [
                CertificateAllowlistEntry(course_key=course_key, user_id=pk, notes="Benchmark exception")
                for pk in ids
                if pk in enrolled
            ],
            batch_size=BATCH,
        )

    return run


def figures(course_key: CourseKey, runs: int = 5) -> list[Comparison | Figures]:
    """The issued list at ``CERTIFICATES`` certificates under three filters, then a 5,000-row exception upload."""
    total = top_up_certificates(course_key)
    client = _client()
    timed, traced, baseline = (_fresh_learners(course_key, f"bench-cert-{side}-", UPLOAD_ROWS) for side in "abc")
    return [
        Comparison(
            measure(f"certificates/issued all, {total:,} certs", _issued_page(client, course_key, "&filter=all"), runs),
            measure("  baseline count + select_related page", _baseline_page(course_key), runs),
        ),
        measure("certificates/issued received", _issued_page(client, course_key, "&filter=received"), runs),
        measure(
            "certificates/issued granted_exceptions",
            _issued_page(client, course_key, "&filter=granted_exceptions"),
            runs,
        ),
        measure("certificates/issued search", _issued_page(client, course_key, "&search=learner99"), runs),
        Comparison(
            measure_write(
                f"exceptions/bulk {UPLOAD_ROWS} rows",
                _upload(client, course_key, timed),
                _upload(client, course_key, traced),
            ),
            measure_write(f"  baseline ORM allowlist {UPLOAD_ROWS}", _baseline_upload(course_key, baseline)),
        ),
    ]
