"""The program enrollments Python API (seed 004) over the built-in backend: writes, statuses, linking, history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from instructor_plugin import program_enrollments as api
from instructor_plugin.backends.builtin.models import (
    Course,
    CourseAccessRole,
    CourseEnrollment,
    ExternalUserKey,
    ProgramCourseEnrollment,
    ProgramEnrollment,
)
from instructor_plugin.backends.data import CourseData
from instructor_plugin.backends.registry import get_backend
from instructor_plugin.models import AuditRecord
from tests.conftest import COURSE_ID, enroll, make_user
from tests.program_fixtures import (
    CURRICULUM_UUID,
    ORG,
    OTHER_CURRICULUM_UUID,
    OTHER_PROGRAM_UUID,
    PROGRAM_UUID,
    make_other_program,
    make_test_program,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(course, course_key):
    return make_test_program(course_key)


@pytest.fixture
def other_program(course, course_key):
    return make_other_program(course_key)


def _request(key: str, status: str = "enrolled", curriculum: str = CURRICULUM_UUID) -> dict:
    return {"external_user_key": key, "status": status, "curriculum_uuid": curriculum}


def _enroll_in_program(*keys: str, status: str = "enrolled") -> dict:
    return api.write_program_enrollments(PROGRAM_UUID, [_request(k, status) for k in keys], create=True, update=False)


# --- program enrollments -------------------------------------------------------------------


def test_every_success_status_is_written_and_answered(program):
    statuses = ("enrolled", "pending", "suspended", "canceled", "ended")
    requests = [_request(f"s-{status}", status) for status in statuses]
    results = api.write_program_enrollments(PROGRAM_UUID, requests, create=True, update=False)
    assert results == {f"s-{status}": status for status in statuses}
    stored = dict(ProgramEnrollment.objects.values_list("external_user_key", "status"))
    assert stored == results


def test_error_statuses_of_program_writes(program):
    _enroll_in_program("existing")
    requests = [
        _request("twice"),
        _request("TWICE"),
        _request("bad", "graduated"),
        _request("existing"),
        _request("elsewhere", curriculum=OTHER_CURRICULUM_UUID),
    ]
    results = api.write_program_enrollments(PROGRAM_UUID, requests, create=True, update=False)
    assert results == {
        "twice": "duplicated",
        "TWICE": "duplicated",
        "bad": "invalid-status",
        "existing": "conflict",
        "elsewhere": "invalid-status",
    }
    assert ProgramEnrollment.objects.count() == 1


def test_update_only_answers_not_in_program_and_changes_existing(program):
    _enroll_in_program("s-1")
    results = api.write_program_enrollments(
        PROGRAM_UUID,
        [{"external_user_key": "S-1", "status": "suspended"}, {"external_user_key": "s-2", "status": "enrolled"}],
        create=False,
        update=True,
    )
    assert results == {"S-1": "suspended", "s-2": "not-in-program"}
    assert ProgramEnrollment.objects.get().status == "suspended"


def test_put_creates_and_updates(program):
    _enroll_in_program("s-1")
    results = api.write_program_enrollments(
        PROGRAM_UUID, [_request("s-1", "ended"), _request("s-2", "pending")], create=True, update=True
    )
    assert results == {"s-1": "ended", "s-2": "pending"}


def test_unknown_program_is_an_error(db):
    with pytest.raises(api.ProgramDoesNotExistException):
        api.write_program_enrollments(PROGRAM_UUID, [_request("s-1")], create=True, update=False)


def test_program_writes_keep_history_naming_the_actor(program):
    actor = make_user("registrar", is_staff=True)
    api.write_program_enrollments(PROGRAM_UUID, [_request("s-1", "pending")], True, False, actor_id=actor.pk)
    api.write_program_enrollments(PROGRAM_UUID, [_request("s-1", "enrolled")], False, True, actor_id=actor.pk)
    enrollment = api.get_program_enrollment(PROGRAM_UUID, external_user_key="S-1")
    history = get_backend().programs.list_history(program_enrollment_id=enrollment.id)
    assert [(h.history_type, h.status, h.history_user_id) for h in history] == [
        ("+", "pending", actor.pk),
        ("~", "enrolled", actor.pk),
    ]


def test_a_known_external_key_enrolls_the_account(program):
    learner = make_user("known")
    ExternalUserKey.objects.create(org=ORG, external_user_key="K-1", key_lower="k-1", user=learner)
    _enroll_in_program("k-1")
    assert api.get_program_enrollment(PROGRAM_UUID, user=learner.pk).user.username == "known"


# --- program-course enrollments ------------------------------------------------------------


def _course_write(requests, create=True, update=False, program_uuid=PROGRAM_UUID):
    return api.write_program_course_enrollments(program_uuid, COURSE_ID, requests, create, update)


def test_program_course_statuses(program, other_program):
    _enroll_in_program("a", "b", "c", "d", "e")
    api.write_program_enrollments(OTHER_PROGRAM_UUID, [_request("e", curriculum=OTHER_CURRICULUM_UUID)], True, False)
    _course_write([{"external_user_key": "e", "status": "active"}], program_uuid=OTHER_PROGRAM_UUID)
    _course_write([{"external_user_key": "c", "status": "active"}])
    results = _course_write(
        [
            {"external_user_key": "a", "status": "active"},
            {"external_user_key": "b", "status": "inactive"},
            {"external_user_key": "c", "status": "active"},
            {"external_user_key": "d", "status": "enrolled"},
            {"external_user_key": "e", "status": "active"},
            {"external_user_key": "z", "status": "active"},
            {"external_user_key": "dup", "status": "active"},
            {"external_user_key": "DUP", "status": "active"},
        ]
    )
    assert results == {
        "a": "active",
        "b": "inactive",
        "c": "conflict",
        "d": "invalid-status",
        "e": "conflict",
        "z": "not-in-program",
        "dup": "duplicated",
        "DUP": "duplicated",
    }
    patched = _course_write([{"external_user_key": "d", "status": "active"}], create=False, update=True)
    assert patched == {"d": "not-found"}


def test_course_outside_the_curriculum_is_refused(program):
    _enroll_in_program("a")
    Course.objects.create(course_key=CourseKey.from_string("course-v1:TestX+Other+2026"), display_name="Other")
    with pytest.raises(api.CourseNotInProgramException):
        api.write_program_course_enrollments(
            PROGRAM_UUID, "course-v1:TestX+Other+2026", [{"external_user_key": "a", "status": "active"}], True, False
        )


def test_an_account_is_enrolled_in_masters_and_audit_is_converted(program):
    learner = make_user("with-account")
    other = make_user("verified-one")
    enroll(learner, program.curricula.get().courses.get().course_key, mode="audit")
    enroll(other, program.curricula.get().courses.get().course_key, mode="verified")
    for user, key in ((learner, "acc"), (other, "ver")):
        ExternalUserKey.objects.create(org=ORG, external_user_key=key, key_lower=key, user=user)
    _enroll_in_program("acc", "ver")
    _course_write([{"external_user_key": "acc", "status": "active"}, {"external_user_key": "ver", "status": "active"}])
    modes = dict(CourseEnrollment.objects.values_list("user__username", "mode"))
    assert modes == {"with-account": "masters", "verified-one": "verified"}
    assert AuditRecord.objects.filter(action="program_masters_enrollment", learner=learner).exists()
    _course_write([{"external_user_key": "acc", "status": "inactive"}], create=False, update=True)
    assert not CourseEnrollment.objects.get(user=learner).is_active


def test_course_staff_is_granted_and_removed(program):
    learner = make_user("ta")
    ExternalUserKey.objects.create(org=ORG, external_user_key="ta", key_lower="ta", user=learner)
    _enroll_in_program("ta")
    _course_write([{"external_user_key": "ta", "status": "active", "course_staff": True}])
    assert CourseAccessRole.objects.filter(user=learner, role="staff").exists()
    _course_write([{"external_user_key": "ta", "status": "active", "course_staff": False}], create=False, update=True)
    assert not CourseAccessRole.objects.filter(user=learner, role="staff").exists()


def test_course_writes_keep_history(program):
    _enroll_in_program("a")
    _course_write([{"external_user_key": "a", "status": "active"}])
    _course_write([{"external_user_key": "a", "status": "inactive"}], create=False, update=True)
    row = ProgramCourseEnrollment.objects.get()
    history = get_backend().programs.list_history(program_course_enrollment_id=row.pk)
    assert [(h.history_type, h.status) for h in history] == [("+", "active"), ("~", "inactive")]


# --- linking: pending enrollments realised -------------------------------------------------


def test_link_program_enrollments_realises_waiting_enrollments(program):
    _enroll_in_program("w-1", status="pending")
    _course_write([{"external_user_key": "w-1", "status": "active", "course_staff": True}])
    assert not CourseEnrollment.objects.exists()
    learner = make_user("newcomer")
    errors = api.link_program_enrollments(PROGRAM_UUID, {"w-1": "newcomer", "nobody": "newcomer", "w-2": "ghost"})
    assert set(errors) == {"nobody", "w-2"}
    enrollment = CourseEnrollment.objects.get(user=learner)
    assert (enrollment.mode, enrollment.is_active) == ("masters", True)
    assert CourseAccessRole.objects.filter(user=learner, role="staff").exists()
    assert api.get_external_key_by_user_and_course(learner, COURSE_ID) == "w-1"
    assert api.get_users_by_external_keys(PROGRAM_UUID, ["W-1"])["W-1"].username == "newcomer"


def test_link_external_user_key_realises_every_waiting_enrollment_of_the_org(program):
    _enroll_in_program("ext-9", status="pending")
    _course_write([{"external_user_key": "ext-9", "status": "active"}])
    learner = make_user("signed-up")
    assert api.link_external_user_key(ORG, "EXT-9", learner) == 1
    assert CourseEnrollment.objects.get(user=learner).mode == "masters"
    assert api.link_external_user_key("OtherOrg", "ext-9", learner) == 0


def test_linking_refuses_an_enrollment_of_another_account(program):
    first, second = make_user("first"), make_user("second")
    ExternalUserKey.objects.create(org=ORG, external_user_key="k", key_lower="k", user=first)
    _enroll_in_program("k")
    assert "k" in api.link_program_enrollments(PROGRAM_UUID, {"k": second.username})


# --- reading ---------------------------------------------------------------------------------


def test_fetch_filters(program):
    learner = make_user("reader")
    ExternalUserKey.objects.create(org=ORG, external_user_key="r", key_lower="r", user=learner)
    _enroll_in_program("r", "p")
    assert [e.external_user_key for e in api.fetch_program_enrollments(PROGRAM_UUID, realized_only=True)] == ["r"]
    assert [e.external_user_key for e in api.fetch_program_enrollments(PROGRAM_UUID, waiting_only=True)] == ["p"]
    assert [e.program_uuid for e in api.fetch_program_enrollments_by_student(user=learner)] == [PROGRAM_UUID]
    _course_write([{"external_user_key": "r", "status": "active"}, {"external_user_key": "p", "status": "inactive"}])
    active = api.fetch_program_course_enrollments(PROGRAM_UUID, COURSE_ID, active_only=True)
    assert [e.program_enrollment.external_user_key for e in active] == ["r"]
    by_students = api.fetch_program_course_enrollments_by_students(external_user_keys=["P"], inactive_only=True)
    assert [e.status for e in by_students] == ["inactive"]
    with pytest.raises(ValueError):
        api.fetch_program_enrollments(PROGRAM_UUID, realized_only=True, waiting_only=True)
    with pytest.raises(api.ProgramEnrollmentError):
        api.get_program_course_enrollment(PROGRAM_UUID, COURSE_ID, external_user_key="nobody")


@pytest.mark.parametrize(
    ("results", "code"),
    [
        (["enrolled", "pending"], 200),
        (["enrolled", "conflict"], 207),
        (["duplicated", "conflict"], 422),
        ([], 204),
    ],
)
def test_get_enrollment_http_code(results, code):
    assert api.get_enrollment_http_code(results, api.ProgramOperationStatuses.__OK__) == code


def test_get_course_run_status():
    now = timezone.now()

    def course(**dates) -> CourseData:
        return CourseData(course_key=None, display_name="C", **dates)  # type: ignore[arg-type]

    assert api.get_course_run_status(course(end=now - timedelta(days=1)), None) == "completed"
    assert api.get_course_run_status(course(start=now - timedelta(days=1)), None) == "in_progress"
    assert api.get_course_run_status(course(start=now + timedelta(days=1)), None) == "upcoming"
    passed = {"is_passing": True, "created": now - timedelta(days=31)}
    assert api.get_course_run_status(course(self_paced=True, start=now - timedelta(days=60)), passed) == "completed"


def test_rows_saved_one_by_one_keep_the_lowercased_key(program):
    """The admin saves rows one at a time: their lookup key follows the external key."""
    learner = make_user("admin-made")
    row = ExternalUserKey(org=ORG, external_user_key="MiXeD-1", user=learner)
    row.save()
    enrollment = ProgramEnrollment(
        program=program, curriculum=program.curricula.get(), external_user_key="MiXeD-1", status="pending"
    )
    enrollment.save()
    assert (row.key_lower, enrollment.key_lower) == ("mixed-1", "mixed-1")
    assert api.get_program_enrollment(PROGRAM_UUID, external_user_key="mixed-1").id == enrollment.pk
