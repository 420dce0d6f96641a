"""
The enrollment API's gates (issue 11): embargo, enterprise linking, openedx-filters on every door,
the retirement-status check of ``unenroll/`` and proctoring eligibility in the honor mode.
"""

from __future__ import annotations

import uuid

import pytest

from instructor_plugin import enrollment_api as api
from instructor_plugin.backends.builtin import builtin_backend
from instructor_plugin.backends.builtin.models import (
    CountryAccessRule,
    Course,
    CourseAccessRole,
    CourseEnrollment,
    CourseMode,
    EnterpriseCourseEnrollment,
    EnterpriseCustomerUser,
    RestrictedCourse,
    UserProfile,
    UserRetirementStatus,
)
from instructor_plugin.backends.registry import Backend, get_backend, use_backend
from instructor_plugin.enrollment import run_enrollment_started_filter
from instructor_plugin.models import AuditRecord
from instructor_plugin.settings.common import plugin_settings
from tests.conftest import COURSE_ID, enroll, make_user, v2
from tests.filter_steps import REFUSED_DOMAIN
from tests.test_enrollment_rest_api import API_KEY, BASE, as_user, assert_refused, enroll_body, post, server_client

STARTED = "org.openedx.learning.course.enrollment.started.v1"
VIEW_STARTED = "org.openedx.learning.course.enrollment.view.started.v1"


@pytest.fixture(autouse=True)
def api_key(settings):
    settings.EDX_API_KEY = API_KEY


def plugin(settings, **values):
    settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, **values}


def pipeline(settings, filter_type: str, *steps: str) -> None:
    settings.OPEN_EDX_FILTERS_CONFIG = {
        filter_type: {"fail_silently": False, "pipeline": [f"tests.filter_steps.{step}" for step in steps]}
    }


def is_enrolled(username: str) -> bool:
    return CourseEnrollment.objects.filter(user__username=username, course_key=COURSE_ID, is_active=True).exists()


def lookup_country(ip: str) -> str | None:
    """The test's IP-to-country lookup (``EMBARGO_IP_COUNTRY_LOOKUP``): documentation addresses are in Cuba."""
    return "CU" if ip.startswith("203.0.113.") else None


# --- 1. Embargo ---------------------------------------------------------------


@pytest.fixture
def restricted(course):
    restricted = RestrictedCourse.objects.create(course_key=course.course_key, enroll_msg_key="embargo")
    CountryAccessRule.objects.create(restricted_course=restricted, country="IR", rule_type=CountryAccessRule.BLACKLIST)
    return restricted


@pytest.fixture
def iranian(users):
    UserProfile.objects.filter(user=users["outsider"]).update(country="IR")
    return users["outsider"]


class TestEmbargo:
    def test_off_by_default_as_the_original_flag(self, restricted, iranian):
        assert post(as_user(iranian), enroll_body()).status_code == 200

    def test_a_blocked_profile_country_gets_the_original_403(self, settings, restricted, iranian):
        plugin(settings, EMBARGO=True)

        body = assert_refused(post(as_user(iranian), enroll_body()), 403)

        assert body["message"] == f"Users from this location cannot access the course '{COURSE_ID}'."
        assert body["user_message_url"] == "http://testserver/embargo/blocked-message/enrollment/embargo/"
        assert not is_enrolled("outsider")

    def test_the_request_ip_country_through_the_configured_lookup(self, settings, restricted, users):
        plugin(settings, EMBARGO=True, EMBARGO_IP_COUNTRY_LOOKUP="tests.test_enrollment_gates.lookup_country")
        CountryAccessRule.objects.create(restricted_course=restricted, country="CU", rule_type="blacklist")

        assert_refused(post(as_user(users["outsider"]), enroll_body(), REMOTE_ADDR="203.0.113.7"), 403)
        assert not is_enrolled("outsider")
        assert post(as_user(users["outsider"]), enroll_body(), REMOTE_ADDR="198.51.100.1").status_code == 200

    def test_a_whitelist_admits_only_its_countries(self, settings, restricted, users):
        plugin(settings, EMBARGO=True)
        CountryAccessRule.objects.create(restricted_course=restricted, country="FR", rule_type="whitelist")
        UserProfile.objects.filter(user=users["outsider"]).update(country="DE")
        french = make_user("french", country="FR")

        assert_refused(post(as_user(users["outsider"]), enroll_body()), 403)
        assert post(as_user(french), enroll_body()).status_code == 200

    def test_unrestricted_courses_unknown_countries_and_the_course_team_pass(self, settings, restricted, users):
        plugin(settings, EMBARGO=True)
        UserProfile.objects.filter(user=users["course_staff"]).update(country="IR")

        assert post(as_user(users["outsider"]), enroll_body()).status_code == 200
        assert post(as_user(users["course_staff"]), enroll_body()).status_code == 200
        restricted.delete()
        assert post(as_user(make_user("another", country="IR")), enroll_body()).status_code == 200

    def test_a_backend_without_the_capability_checks_nothing(self, settings, restricted, iranian):
        plugin(settings, EMBARGO=True)
        backend = builtin_backend()
        without_embargo = Backend(
            courses=backend.courses, users=backend.users, enrollments=backend.enrollments, roles=backend.roles
        )

        with use_backend(without_embargo):
            assert post(as_user(iranian), enroll_body()).status_code == 200


# --- 2. Enterprise ------------------------------------------------------------

CUSTOMER = uuid.UUID("5a7c2b1e-9d3f-4e6a-8b2c-1f0e9d8c7b6a")


def server(body):
    return post(server_client(), body)


class TestEnterpriseLinking:
    @pytest.fixture(autouse=True)
    def enabled(self, settings):
        plugin(settings, ENABLE_ENTERPRISE_INTEGRATION=True)

    def test_a_server_call_links_the_enrollment_and_records_consent(self, users):
        EnterpriseCustomerUser.objects.create(enterprise_customer_uuid=CUSTOMER, user=users["outsider"])

        response = server({**enroll_body(), "user": "outsider", "linked_enterprise_customer": str(CUSTOMER)})

        assert response.status_code == 200
        link = EnterpriseCourseEnrollment.objects.get()
        assert (link.enterprise_customer_user.user, str(link.course_key), link.consent_granted) == (
            users["outsider"],
            COURSE_ID,
            True,
        )
        assert is_enrolled("outsider")

    @pytest.mark.parametrize("customer", [str(CUSTOMER), "not-a-uuid"])
    def test_a_user_outside_the_customer_is_the_original_400_and_not_enrolled(self, users, customer):
        response = server({**enroll_body(), "user": "outsider", "linked_enterprise_customer": customer})

        body = assert_refused(response, 400)
        assert body["message"] == (
            f"An error occurred while creating the new course enrollment for user 'outsider' in course '{COURSE_ID}'"
        )
        assert "not a learner" in body["localizedMessage"]
        assert not is_enrolled("outsider")
        assert not EnterpriseCourseEnrollment.objects.exists()

    def test_ignored_for_browsers_and_when_disabled(self, settings, users):
        body = {**enroll_body(), "linked_enterprise_customer": str(CUSTOMER)}
        assert post(as_user(users["outsider"]), body).status_code == 200

        plugin(settings, ENABLE_ENTERPRISE_INTEGRATION=False)
        assert server({**body, "user": "learner", "mode": "verified"}).status_code == 200
        assert not EnterpriseCourseEnrollment.objects.exists()

    def test_enterprise_uuid_is_recorded_with_the_enrollment(self, users):
        response = post(as_user(users["outsider"]), {**enroll_body(), "enterprise_uuid": str(CUSTOMER)})

        assert response.status_code == 200
        record = AuditRecord.objects.get(action="enrollment_api_enroll")
        assert record.detail["enterprise_uuid"] == str(CUSTOMER)


# --- 3. openedx-filters on every door -----------------------------------------


@pytest.fixture
def refused(course):
    user = make_user("refused")
    user.email = f"refused{REFUSED_DOMAIN}"
    user.save(update_fields=["email"])
    return user


class TestCourseEnrollmentStarted:
    def test_rest_v1_answers_the_original_403(self, settings, refused):
        pipeline(settings, STARTED, "RefuseRefusedDomain")

        body = assert_refused(post(as_user(refused), enroll_body()), 403)

        assert body["message"] == body["localizedMessage"] == f"refused may not enroll in {COURSE_ID}."
        assert not is_enrolled("refused")

    def test_others_pass_the_same_pipeline(self, settings, users):
        pipeline(settings, STARTED, "RefuseRefusedDomain")

        assert post(as_user(users["outsider"]), enroll_body()).status_code == 200

    def test_a_step_may_change_the_mode(self, settings, users, course):
        CourseMode.objects.create(course=course, slug="honor", display_name="Honor")
        pipeline(settings, STARTED, "AuditBecomesHonor")

        response = post(as_user(users["outsider"]), enroll_body(mode="audit"))

        assert (response.status_code, response.json()["mode"]) == (200, "honor")
        assert CourseEnrollment.objects.get(user=users["outsider"]).mode == "honor"

    def test_the_v2_door_reports_the_refusal_per_identifier(self, settings, api_v2_on, client, users, refused):
        pipeline(settings, STARTED, "RefuseRefusedDomain")
        client.force_authenticate(users["instructor"])

        response = client.post(
            v2(suffix="/enrollments/modify"), {"identifier": ["refused", "outsider"], "action": "enroll"}, format="json"
        )

        refused_row, outsider_row = response.json()["results"]
        assert (refused_row["error"], refused_row["error_message"]) == (True, f"refused may not enroll in {COURSE_ID}.")
        assert outsider_row["after"]["enrollment"] is True
        assert not is_enrolled("refused")
        assert is_enrolled("outsider")

    def test_the_batch_task_door_reports_the_refusal_per_identifier(
        self, settings, api_v2_on, client, users, refused, django_capture_on_commit_callbacks
    ):
        pipeline(settings, STARTED, "RefuseRefusedDomain")
        plugin(settings, MAX_SYNC_ENROLLMENT_IDENTIFIERS=1)
        client.force_authenticate(users["instructor"])

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                v2(suffix="/enrollments/modify"),
                {"identifier": ["refused", "outsider"], "action": "enroll"},
                format="json",
            )

        assert response.status_code == 202
        assert not is_enrolled("refused")
        assert is_enrolled("outsider")

    def test_the_beta_tester_auto_enroll_door_reports_the_refusal(self, settings, api_v2_on, client, users, refused):
        pipeline(settings, STARTED, "RefuseRefusedDomain")
        client.force_authenticate(users["instructor"])

        response = client.post(
            v2(suffix="/beta_testers/modify"),
            {"identifier": ["refused", "outsider"], "action": "add", "auto_enroll": True},
            format="json",
        )

        refused_row, outsider_row = response.json()["results"]
        assert (refused_row["error"], refused_row["error_message"]) == (True, f"refused may not enroll in {COURSE_ID}.")
        assert outsider_row["error"] is False
        assert not is_enrolled("refused")
        assert is_enrolled("outsider")
        assert list(AuditRecord.objects.values_list("learner__username", flat=True)) == ["outsider"]

    def test_the_role_grant_door_reports_the_refusal_and_grants_nothing(
        self, settings, api_v2_on, client, users, refused
    ):
        pipeline(settings, STARTED, "RefuseRefusedDomain")
        client.force_authenticate(users["instructor"])

        response = client.post(
            v2(suffix="/team"),
            {"identifiers": ["refused", "outsider"], "role": "staff", "action": "allow"},
            format="json",
        )

        refused_row, outsider_row = response.json()["results"]
        assert (refused_row["error"], refused_row["error_message"]) == (True, f"refused may not enroll in {COURSE_ID}.")
        assert outsider_row["error"] is False
        assert not is_enrolled("refused")
        assert is_enrolled("outsider")
        granted = CourseAccessRole.objects.filter(role="staff", user__username__in=["refused", "outsider"])
        assert list(granted.values_list("user__username", flat=True)) == ["outsider"]

    def test_the_role_grant_door_enrolls_in_the_mode_a_step_chose(
        self, settings, api_v2_on, client, users, course, course_key
    ):
        CourseMode.objects.create(course=course, slug="honor", display_name="Honor")
        enroll(users["outsider"], course_key, mode="audit", is_active=False)
        pipeline(settings, STARTED, "AuditBecomesHonor")
        client.force_authenticate(users["instructor"])

        response = client.post(
            v2(suffix="/team"), {"identifiers": ["outsider"], "role": "staff", "action": "allow"}, format="json"
        )

        assert response.json()["results"][0]["error"] is False
        enrollment = CourseEnrollment.objects.get(user=users["outsider"])
        assert (enrollment.mode, enrollment.is_active) == ("honor", True)

    def test_nothing_is_read_without_a_configured_step(self, users, course_key, django_assert_num_queries):
        user = get_backend().users.find_user("outsider")

        with django_assert_num_queries(0):
            assert run_enrollment_started_filter(course_key, user, "audit") == "audit"


class TestCourseEnrollmentViewStarted:
    def test_a_refusal_is_the_original_400_and_nothing_is_enrolled(self, settings, users):
        pipeline(settings, VIEW_STARTED, "BrowsersOnly")

        body = assert_refused(server({**enroll_body(), "user": "outsider"}), 400)

        assert body["message"] == (
            f"An error occurred while creating the new course enrollment for user 'outsider' in course '{COURSE_ID}'"
        )
        assert body["localizedMessage"] == "Backend services may not enroll here."
        assert not is_enrolled("outsider")

    def test_the_step_sees_browsers_as_not_backend_services(self, settings, users):
        pipeline(settings, VIEW_STARTED, "BrowsersOnly")

        assert post(as_user(users["outsider"]), enroll_body()).status_code == 200


# --- 4. unenroll/ and the retirement status -----------------------------------


class TestRetirementStatus:
    @pytest.fixture
    def worker(self, settings, users):
        settings.RETIREMENT_SERVICE_WORKER_USERNAME = "retirement_worker"
        return as_user(make_user("retirement_worker"))

    def retire(self, user, state: str):
        UserRetirementStatus.objects.create(
            user=user, original_username=user.username, original_email=user.email, current_state=state
        )

    def test_no_retirement_request_is_the_original_404_and_nothing_changes(self, worker, users):
        response = worker.post(f"{BASE}/unenroll/", {"username": "learner"}, format="json")

        assert_refused(response, 404, "No retirement request status for username.")
        assert is_enrolled("learner")

    @pytest.mark.parametrize("state", ["PENDING", "ERRORED", "ABORTED", "COMPLETE", "ENROLLMENTS_COMPLETE"])
    def test_a_request_in_a_state_not_to_act_on_is_refused(self, worker, users, state):
        self.retire(users["learner"], state)

        response = worker.post(f"{BASE}/unenroll/", {"username": "learner"}, format="json")

        body = assert_refused(response, 409)
        assert body["message"] == f"learner is in {state}, not a valid state to perform retirement actions on."
        assert is_enrolled("learner")

    def test_a_working_request_unenrolls_and_the_username_must_match_exactly(self, worker, users):
        self.retire(users["learner"], "RETIRING_ENROLLMENTS")

        assert_refused(worker.post(f"{BASE}/unenroll/", {"username": "LEARNER"}, format="json"), 404)
        response = worker.post(f"{BASE}/unenroll/", {"username": "learner"}, format="json")

        assert (response.status_code, response.json()) == (200, ["TestX"])
        assert not is_enrolled("learner")


# --- 5. Proctoring eligibility in the honor mode ------------------------------


class TestProctoringHonorMode:
    @pytest.fixture
    def honor_learner(self, course):
        Course.objects.filter(pk=course.pk).update(enable_proctored_exams=True, proctoring_provider="lockdown")
        learner = make_user("honest")
        enroll(learner, course.course_key, mode="honor")
        return learner

    def test_honor_needs_the_provider_to_allow_it(self, settings, honor_learner):
        assert api.is_enrollment_valid_for_proctoring("honest", COURSE_ID) is False
        assert api.EnrollmentsService().get_enrollments_can_take_proctored_exams(COURSE_ID) == []

        plugin(settings, PROCTORING_BACKENDS={"lockdown": {"allow_honor_mode": True}})

        assert api.is_enrollment_valid_for_proctoring("honest", COURSE_ID) is True
        eligible = api.EnrollmentsService().get_enrollments_can_take_proctored_exams(COURSE_ID)
        assert [(row.user_id, row.mode) for row in eligible] == [(honor_learner.id, "honor")]

    def test_nothing_is_valid_while_special_exams_are_off(self, settings, honor_learner):
        plugin(settings, PROCTORING_BACKENDS={"lockdown": {"allow_honor_mode": True}}, ENABLE_SPECIAL_EXAMS=False)

        assert api.is_enrollment_valid_for_proctoring("honest", COURSE_ID) is False

    def test_the_host_setting_is_the_default(self, settings):
        settings.INSTRUCTOR_PLUGIN = {}
        settings.PROCTORING_BACKENDS = {"lockdown": {"allow_honor_mode": True}}
        settings.FEATURES = {"EMBARGO": True, "ENABLE_ENTERPRISE_INTEGRATION": True}

        plugin_settings(settings)

        configured = settings.INSTRUCTOR_PLUGIN
        assert configured["PROCTORING_BACKENDS"] == {"lockdown": {"allow_honor_mode": True}}
        assert (configured["EMBARGO"], configured["ENABLE_ENTERPRISE_INTEGRATION"]) == (True, True)


# --- 6. What the fuzzer found -------------------------------------------------


class TestAnyUsernameText:
    @pytest.mark.parametrize("username", ["%C2%84", "a%20b", "%01x", "a%2C0", "a,b"])
    def test_a_malformed_username_is_answered_in_json(self, users, username):
        url = f"{BASE}/enrollment/{username},{COURSE_ID}"

        assert_refused(as_user(users["outsider"]).get(url), 404)
        staff = as_user(users["global_staff"]).get(url)
        assert (staff.status_code, staff.json()) == (200, None)
