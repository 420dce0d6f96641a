"""Seed 002's Python API: functions, dict shapes, errors, rules, and the same rules at the v2 door."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from instructor_plugin import enrollment_api as api
from instructor_plugin.backends.builtin.models import Course, CourseEnrollmentAllowed, CourseMode
from instructor_plugin.backends.data import EnrollmentData
from instructor_plugin.exceptions import InstructorError
from instructor_plugin.models import AuditRecord
from tests.conftest import COURSE_ID, enroll, make_user, v2

ERRORS = [
    "CourseEnrollmentClosedError",
    "CourseEnrollmentExistsError",
    "CourseEnrollmentFullError",
    "CourseEnrollmentNotUpdatableError",
    "CourseModeNotFoundError",
    "CourseNotFoundError",
    "EnrollmentApiLoadError",
    "EnrollmentAttributesMissingError",
    "EnrollmentModeMismatchError",
    "EnrollmentNotFoundError",
    "InvalidEnrollmentAttribute",
    "UserNotFoundError",
]


@pytest.fixture
def ann(course):
    return make_user("ann")


def set_course(course, **values):
    Course.objects.filter(pk=course.pk).update(**values)


@pytest.mark.parametrize("name", ERRORS)
def test_every_error_is_a_course_enrollment_error_of_the_plugin(name):
    error_class = getattr(api, name)
    error = error_class("Something.", {"k": 1}) if name != "CourseEnrollmentExistsError" else error_class("x", {})

    assert isinstance(error, api.CourseEnrollmentError)
    assert isinstance(error, InstructorError)
    assert error.error_code
    assert str(error) in ("Something.", "x")


def test_add_enrollment_returns_the_original_shape_and_audits(ann, course):
    result = api.add_enrollment("ann", COURSE_ID, actor_id=ann.id)

    assert result["user"] == "ann"
    assert (result["mode"], result["is_active"]) == ("audit", True)
    assert result["created"].endswith("Z")
    details = result["course_details"]
    assert set(details) == {
        "course_id",
        "course_name",
        "enrollment_start",
        "enrollment_end",
        "course_start",
        "course_end",
        "invite_only",
        "course_modes",
        "pacing_type",
    }
    assert details["pacing_type"] == "Instructor Paced"
    assert set(details["course_modes"][0]) == {
        "slug",
        "name",
        "min_price",
        "suggested_prices",
        "currency",
        "expiration_datetime",
        "description",
        "sku",
        "bulk_sku",
    }
    assert AuditRecord.objects.filter(action="enrollment_api_enroll", actor=ann, learner=ann).exists()


def test_add_enrollment_rules_in_order(ann, course):
    with pytest.raises(api.CourseNotFoundError):
        api.add_enrollment("ann", "course-v1:No+Such+Course")
    with pytest.raises(api.CourseNotFoundError):
        api.add_enrollment("ann", "not a key")
    with pytest.raises(api.CourseModeNotFoundError) as mode_error:
        api.add_enrollment("ann", COURSE_ID, mode="professional")
    assert mode_error.value.data["course_id"] == COURSE_ID
    with pytest.raises(api.UserNotFoundError):
        api.add_enrollment("nobody", COURSE_ID)

    set_course(course, enrollment_end=timezone.now() - timedelta(days=1), invitation_only=True)
    with pytest.raises(api.CourseEnrollmentClosedError):
        api.add_enrollment("ann", COURSE_ID)
    set_course(course, enrollment_end=None)
    with pytest.raises(api.EnrollmentNotAllowed):
        api.add_enrollment("ann", COURSE_ID)
    CourseEnrollmentAllowed.objects.create(course_key=course.course_key, email="ann@example.com")
    set_course(course, max_student_enrollments_allowed=1)
    enroll(make_user("bob"), course.course_key)
    with pytest.raises(api.CourseEnrollmentFullError):
        api.add_enrollment("ann", COURSE_ID)
    set_course(course, max_student_enrollments_allowed=None)
    api.add_enrollment("ann", COURSE_ID)
    with pytest.raises(api.CourseEnrollmentExistsError) as exists:
        api.add_enrollment("ann", COURSE_ID, mode="verified")
    assert exists.value.enrollment["mode"] == "audit"


def test_expired_modes_need_include_expired(ann, course):
    CourseMode.objects.filter(course=course, slug="verified").update(
        expiration_datetime=timezone.now() - timedelta(days=1)
    )

    with pytest.raises(api.CourseModeNotFoundError):
        api.add_enrollment("ann", COURSE_ID, mode="verified")
    assert api.add_enrollment("ann", COURSE_ID, mode="verified", include_expired=True)["mode"] == "verified"
    assert len(api.get_course_enrollment_details(COURSE_ID)["course_modes"]) == 1
    assert len(api.get_course_enrollment_details(COURSE_ID, include_expired=True)["course_modes"]) == 2
    api.validate_course_mode(COURSE_ID, "verified", is_active=False)


def test_add_inactive_and_attributes(ann, course):
    attrs = [{"namespace": "credit", "name": "provider_id", "value": "hogwarts"}]
    result = api.add_enrollment("ann", COURSE_ID, is_active=False, enrollment_attributes=attrs)

    assert result["is_active"] is False
    assert api.get_enrollment_attributes("ann", COURSE_ID) == attrs
    with pytest.raises(api.InvalidEnrollmentAttribute):
        api.set_enrollment_attributes("ann", COURSE_ID, [{"namespace": "credit"}])
    with pytest.raises(api.EnrollmentNotFoundError):
        api.set_enrollment_attributes("ann", "course-v1:No+Such+Course", attrs)


def test_update_enrollment(ann, course):
    with pytest.raises(api.EnrollmentNotFoundError, match="Course Enrollment not found for user ann"):
        api.update_enrollment("ann", COURSE_ID, mode="verified")
    with pytest.raises(api.UserNotFoundError):
        api.update_enrollment("nobody", COURSE_ID, is_active=False)
    enroll(ann, course.course_key)

    result = api.update_enrollment("ann", COURSE_ID, mode="verified", is_active=False)

    assert (result["mode"], result["is_active"]) == ("verified", False)
    assert AuditRecord.objects.filter(action="enrollment_api_update").count() == 1


def test_reads(ann, course):
    enroll(ann, course.course_key, mode="verified")

    assert api.get_enrollment("ann", COURSE_ID)["mode"] == "verified"
    assert api.get_enrollment("nobody", COURSE_ID) is None
    assert api.get_enrollment("ann", "course-v1:No+Such+Course") is None
    assert [e["mode"] for e in api.get_enrollments("ann")] == ["verified"]
    assert len(api.get_verified_enrollments("ann")) == 1
    assert api.serialize_enrollments([EnrollmentData(ann.id, course.course_key, "verified", True)])[0]["user"] == "ann"
    assert api.get_user_roles("ann") == set()
    with pytest.raises(api.UserNotFoundError):
        api.get_enrollments("nobody")


def test_unenroll_from_all_courses(ann, course):
    enroll(ann, course.course_key)

    assert api.unenroll_user_from_all_courses("ann") == {"TestX"}
    assert api.get_enrollment("ann", COURSE_ID)["is_active"] is False
    assert api.unenroll_user_from_all_courses("ann") == set()


def test_proctoring_eligibility_and_service(ann, course):
    enroll(ann, course.course_key, mode="verified")
    service = api.EnrollmentsService()

    assert api.is_enrollment_valid_for_proctoring("ann", COURSE_ID) is False
    assert service.get_enrollments_can_take_proctored_exams(COURSE_ID) is None
    set_course(course, enable_proctored_exams=True)
    assert api.is_enrollment_valid_for_proctoring("ann", COURSE_ID) is True
    assert [e.user_id for e in service.get_enrollments_can_take_proctored_exams(COURSE_ID, "ANN")] == [ann.id]
    assert service.get_enrollments_can_take_proctored_exams(COURSE_ID, "zzz") == []
    assert [e.user_id for e in service.get_active_enrollments_by_course(COURSE_ID)] == [ann.id]
    assert service.get_active_enrollments_by_course_and_user(COURSE_ID, ann.id).mode == "verified"
    assert service.get_active_enrollments_by_course_and_user(COURSE_ID, 99999) is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"enrollment_end": timezone.now() - timedelta(days=1)}, "Enrollment is closed for this course."),
        ({"max_student_enrollments_allowed": 0}, "The course is full."),
    ],
)
def test_the_v2_door_applies_the_same_rules(api_v2_on, users, client, course, values, message):
    set_course(course, **values)
    make_user("newbie")
    client.force_authenticate(users["instructor"])

    response = client.post(
        v2(suffix="/enrollments/modify"), {"identifier": ["newbie"], "action": "enroll"}, format="json"
    )

    (row,) = response.json()["results"]
    assert (row["error"], row["error_message"]) == (True, message)
    assert api.get_enrollment("newbie", COURSE_ID) is None


def test_the_v2_door_lets_staff_enroll_in_an_invitation_only_course(api_v2_on, users, client, course):
    set_course(course, invitation_only=True)
    make_user("newbie")
    client.force_authenticate(users["instructor"])

    client.post(v2(suffix="/enrollments/modify"), {"identifier": ["newbie"], "action": "enroll"}, format="json")

    assert api.get_enrollment("newbie", COURSE_ID)["is_active"] is True
