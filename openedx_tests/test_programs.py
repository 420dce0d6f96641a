"""
Where the LMS shapes the Open edX backend's programs beyond the contract: Discovery's program dicts from
the catalog cache, the ``program_enrollments`` rows and their simple-history records, course staff
requests as role assignments, external keys as SAML social auth uids, and lists whose queries do not
grow with their rows.
"""

from __future__ import annotations

import pytest
from common.djangoapps.student.models import CourseAccessRole, CourseEnrollment
from common.djangoapps.third_party_auth.models import SAMLProviderConfig
from crum import set_current_request
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from lms.djangoapps.program_enrollments.models import (
    CourseAccessRoleAssignment,
    ProgramCourseEnrollment,
    ProgramEnrollment,
)
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.catalog.cache import PROGRAM_CACHE_KEY_TPL, PROGRAMS_BY_TYPE_CACHE_KEY_TPL
from organizations.models import Organization
from social_django.models import UserSocialAuth

from instructor_plugin import program_enrollments
from instructor_plugin.backends.contract.suite import (
    COURSE,
    PROGRAM,
    PROGRAM_CURRICULUM,
    SIBLING,
)
from instructor_plugin.backends.data import CursorRequest, NewProgramCourseEnrollment, NewProgramEnrollment
from instructor_plugin.backends.openedx import openedx_backend
from instructor_plugin.backends.openedx.programs import to_program_data

from .world import OpenedxWorld

User = get_user_model()


@pytest.fixture
def backend():
    return openedx_backend()


@pytest.fixture
def world(db):
    world = OpenedxWorld()
    world.make_course(COURSE)
    world.make_course(SIBLING)
    world.make_program(PROGRAM, "Contract Program", COURSE.org, {PROGRAM_CURRICULUM: [COURSE]})
    return world


@pytest.fixture
def ann(world):
    return world.make_user("ann", "ann@example.com", "Ann")


def test_a_discovery_program_dict_translates():
    """The first authoring org, every curriculum (active or not), valid run keys once each, the type as given."""
    program = to_program_data(
        {
            "uuid": PROGRAM,
            "title": "Data Science",
            "marketing_slug": None,
            "type": "MicroMasters",
            "authoring_organizations": [{"key": "FirstX"}, {"key": "SecondX"}],
            "curricula": [
                {
                    "uuid": PROGRAM_CURRICULUM,
                    "name": "2026",
                    "is_active": False,
                    "courses": [
                        {"key": "X+1", "course_runs": [{"key": str(COURSE)}, {"key": "not a key"}, {}]},
                        {"key": "X+2", "course_runs": [{"key": str(SIBLING)}, {"key": str(COURSE)}]},
                    ],
                }
            ],
        }
    )

    assert (program.title, program.marketing_slug, program.program_type, program.org) == (
        "Data Science",
        "",
        "MicroMasters",
        "FirstX",
    )
    assert [(c.uuid, c.name, c.is_active, c.course_keys) for c in program.curricula] == [
        (PROGRAM_CURRICULUM, "2026", False, (COURSE, SIBLING))
    ]
    assert to_program_data({"uuid": PROGRAM, "authoring_organizations": []}).org == ""


def test_programs_by_type_are_those_of_the_requests_site(backend, world):
    """``get_programs_by_type(request.site, ...)`` as the LMS's views call it; ``SITE_ID``'s site without a request."""
    other = Site.objects.create(domain="other.test", name="other")
    cache.set(PROGRAMS_BY_TYPE_CACHE_KEY_TPL.format(site_id=other.id, program_type="masters"), [], None)
    request = RequestFactory().get("/")
    request.site = other

    set_current_request(request)
    try:
        on_other_site = backend.programs.list_programs("masters")
    finally:
        set_current_request(None)

    assert on_other_site == []
    assert [p.uuid for p in backend.programs.list_programs("Masters")] == [PROGRAM]


def test_a_program_missing_from_the_cache_is_unknown(backend, world):
    cache.delete(PROGRAM_CACHE_KEY_TPL.format(uuid=PROGRAM))

    assert backend.programs.get_program(PROGRAM) is None
    assert backend.programs.list_programs(None, [COURSE]) == []


def test_enrollments_are_the_platforms_rows_with_their_history(backend, world, ann):
    staff = User.objects.create_user("staff", "staff@example.com")
    created = backend.programs.create_program_enrollments(
        PROGRAM, [NewProgramEnrollment("S-1", PROGRAM_CURRICULUM, "pending")], staff.pk
    )[0]
    row = ProgramEnrollment.objects.get()
    # The LMS's own writing API saves the model; its changes show in the same history.
    row.status = "enrolled"
    row.save()

    assert (str(row.program_uuid), str(row.curriculum_uuid), row.external_user_key) == (
        PROGRAM,
        PROGRAM_CURRICULUM,
        "S-1",
    )
    assert [(h.history_type, h.status, h.history_user_id) for h in backend.programs.list_history(created.id)] == [
        ("+", "pending", staff.pk),
        ("~", "enrolled", None),
    ]


def test_an_enrollment_the_lms_made_by_account_only_has_an_empty_key(backend, world, ann):
    ProgramEnrollment.objects.create(
        program_uuid=PROGRAM, curriculum_uuid=PROGRAM_CURRICULUM, user_id=ann, status="enrolled"
    )

    [enrollment] = backend.programs.fetch_program_enrollments(PROGRAM)

    assert (enrollment.external_user_key, enrollment.user.id) == ("", ann)


def test_a_course_staff_request_is_a_role_assignment(backend, world):
    waiting = backend.programs.create_program_enrollments(
        PROGRAM, [NewProgramEnrollment("s-2", PROGRAM_CURRICULUM, "pending")], None
    )[0]
    [created] = backend.programs.create_program_course_enrollments(
        COURSE, [NewProgramCourseEnrollment(waiting.id, "active", True)], None
    )

    assert list(CourseAccessRoleAssignment.objects.values_list("enrollment_id", "role")) == [
        (created.id, "course_staff")
    ]

    [refused] = backend.programs.update_program_course_enrollments({created.id: ("active", False)}, None)

    assert refused.course_staff is None
    assert not CourseAccessRoleAssignment.objects.exists()
    assert ProgramCourseEnrollment.objects.get().historical_records.count() == 1


def test_external_keys_are_saml_social_auth_uids(backend, world, ann):
    world.make_identity_provider(COURSE.org)

    backend.programs.set_external_user_key(COURSE.org, "K-1", ann)

    assert list(UserSocialAuth.objects.values_list("provider", "uid", "user_id")) == [
        ("tpa-saml", "contractx:K-1", ann)
    ]
    assert backend.programs.get_users_by_external_keys(COURSE.org, ["k-1"])["k-1"].id == ann


def test_a_recorded_key_is_the_account_saml_sign_in_finds(backend, world, ann):
    """social-auth's own lookup, which SAML sign-in runs, finds the account the key was last linked to."""
    bob = world.make_user("bob", "bob@example.com", "Bob")
    world.make_identity_provider(COURSE.org)
    backend.programs.set_external_user_key(COURSE.org, "K-1", ann)

    backend.programs.set_external_user_key(COURSE.org, "K-1", bob)

    assert UserSocialAuth.get_social_auth("tpa-saml", "contractx:K-1").user_id == bob
    assert UserSocialAuth.objects.count() == 1


def test_without_an_enabled_provider_no_key_is_recorded_or_found(backend, world, ann):
    organization = Organization.objects.get(short_name=COURSE.org)
    provider = SAMLProviderConfig.objects.create(organization=organization, slug="contractx", enabled=False)
    UserSocialAuth.objects.create(user_id=ann, provider="tpa-saml", uid="contractx:K-1")

    backend.programs.set_external_user_key(COURSE.org, "K-2", ann)

    assert UserSocialAuth.objects.count() == 1
    assert backend.programs.get_users_by_external_keys(COURSE.org, ["K-1"]) == {"K-1": None}
    assert backend.programs.get_users_by_external_keys("UnknownX", ["K-1"]) == {"K-1": None}
    provider.enabled = True
    provider.save()
    assert backend.programs.get_users_by_external_keys(COURSE.org, ["K-1"])["K-1"].id == ann


def test_a_course_external_key_prefers_the_active_enrollment(backend, world, ann):
    other = "5a1c6f2e-1111-4aaa-8bbb-000000000003"
    world.make_program(other, "Other Program", COURSE.org, {"5a1c6f2e-2222-4aaa-8bbb-000000000003": [COURSE]})
    first = backend.programs.create_program_enrollments(
        PROGRAM, [NewProgramEnrollment("OLD", PROGRAM_CURRICULUM, "ended", ann)], None
    )[0]
    second = backend.programs.create_program_enrollments(
        other, [NewProgramEnrollment("NEW", "5a1c6f2e-2222-4aaa-8bbb-000000000003", "enrolled", ann)], None
    )[0]
    backend.programs.create_program_course_enrollments(COURSE, [NewProgramCourseEnrollment(second.id, "active")], None)
    backend.programs.create_program_course_enrollments(COURSE, [NewProgramCourseEnrollment(first.id, "inactive")], None)

    assert backend.programs.get_external_user_keys(COURSE, [ann]) == {ann: "NEW"}


def test_an_organisation_unknown_to_the_lms_is_not_reset(backend, world):
    Organization.objects.all().delete()

    assert backend.programs.reset_organization(COURSE.org) is None


def _enroll_learners(backend, world, first, count):
    """Program learners ``first`` .. ``first + count - 1``, each with an account, in the course as masters."""
    new = []
    for n in range(first, first + count):
        user_id = world.make_user(f"learner{n}", f"learner{n}@example.com", f"Learner {n}")
        new.append(NewProgramEnrollment(f"key-{n}", PROGRAM_CURRICULUM, "enrolled", user_id))
    enrollments = backend.programs.create_program_enrollments(PROGRAM, new, None)
    backend.programs.create_program_course_enrollments(
        COURSE, [NewProgramCourseEnrollment(e.id, "active", True) for e in enrollments], None
    )
    for enrollment in enrollments:
        backend.enrollments.enroll(COURSE, enrollment.user.id, "masters")
    return [e.user.id for e in enrollments]


@pytest.mark.parametrize(
    "read",
    [
        lambda backend, users: backend.programs.list_program_enrollments(PROGRAM, CursorRequest(limit=500)).items,
        lambda backend, users: backend.programs.fetch_program_enrollments(PROGRAM, user_ids=users),
        lambda backend, users: (
            backend.programs.list_program_course_enrollments(PROGRAM, COURSE, CursorRequest(limit=500), True).items
        ),
        lambda backend, users: backend.programs.fetch_program_course_enrollments(PROGRAM, [COURSE], user_ids=users),
        lambda backend, users: backend.programs.get_external_user_keys(COURSE, users),
        lambda backend, users: backend.programs.get_course_grades(COURSE, users),
    ],
    ids=["list", "fetch", "list_course", "fetch_course", "external_keys", "grades"],
)
def test_lists_cost_the_same_queries_for_few_or_many(backend, world, read):
    few = _enroll_learners(backend, world, 0, 3)
    with CaptureQueriesContext(connection) as small:
        assert len(read(backend, few)) == 3
    many = few + _enroll_learners(backend, world, 3, 40)
    with CaptureQueriesContext(connection) as large:
        assert len(read(backend, many)) == 43

    assert len(large) == len(small)


def test_learner_course_runs_read_in_sets(backend, world, ann):
    keys = [CourseKey.from_string(f"course-v1:ContractX+R{n}+2026") for n in range(6)]
    for key in keys:
        world.make_course(key)
    backend.enrollments.enroll(keys[0], ann, "verified")
    with CaptureQueriesContext(connection) as one:
        assert len(backend.programs.list_learner_course_runs(ann, keys, {"verified"})) == 1
    for key in keys[1:]:
        backend.enrollments.enroll(key, ann, "verified")
    with CaptureQueriesContext(connection) as six:
        assert len(backend.programs.list_learner_course_runs(ann, keys, {"verified"})) == 6

    assert len(six) == len(one)


def test_the_plugins_program_enrollment_api_over_the_lms(backend, world, ann):
    """Writing and linking through the plugin's ``program_enrollments`` module lands in the LMS's tables."""
    world.make_identity_provider(COURSE.org)
    backend.programs.set_external_user_key(COURSE.org, "S-1", ann)
    bob = world.make_user("bob", "bob@example.com", "Bob")
    requests = [
        {"external_user_key": "s-1", "status": "enrolled", "curriculum_uuid": PROGRAM_CURRICULUM},
        {"external_user_key": "S-2", "status": "pending", "curriculum_uuid": PROGRAM_CURRICULUM},
    ]

    written = program_enrollments.write_program_enrollments(PROGRAM, requests, create=True, update=False)
    course_written = program_enrollments.write_program_course_enrollments(
        PROGRAM,
        COURSE,
        [
            {"external_user_key": "S-1", "status": "active", "course_staff": True},
            {"external_user_key": "s-2", "status": "active"},
        ],
        create=True,
        update=False,
    )
    link_errors = program_enrollments.link_program_enrollments(PROGRAM, {"S-2": "bob"})

    assert (written, course_written, link_errors) == (
        {"s-1": "enrolled", "S-2": "pending"},
        {"S-1": "active", "s-2": "active"},
        {},
    )
    assert dict(ProgramEnrollment.objects.values_list("external_user_key", "user_id")) == {"s-1": ann, "S-2": bob}
    assert dict(CourseEnrollment.objects.filter(course_id=COURSE).values_list("user_id", "mode")) == {
        ann: "masters",
        bob: "masters",
    }
    assert list(CourseAccessRole.objects.filter(course_id=COURSE).values_list("user_id", "role")) == [(ann, "staff")]
    assert UserSocialAuth.objects.filter(user_id=bob, uid="contractx:S-2").exists()
    assert sorted(
        ProgramCourseEnrollment.objects.values_list("program_enrollment__user_id", "course_enrollment__user_id")
    ) == [(ann, ann), (bob, bob)]
