"""The plugin's waffle flags: the v2 switch, the legacy dashboard links, data downloads, the small-course count."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from edx_toggles.toggles.testutils import override_waffle_flag

from instructor_plugin import toggles
from tests.conftest import COURSE_ID, enroll, make_user, v2

ENVELOPE_KEYS = {"error", "error_code", "detail", "developer_message"}

V2_CALLS = [
    pytest.param("get", v2(), None, id="course_metadata"),
    pytest.param("get", v2(suffix="/enrollments"), None, id="enrollments_list"),
    pytest.param(
        "post",
        v2(suffix="/enrollments/modify"),
        {"identifier": ["learner"], "action": "enroll"},
        id="enrollments_modify",
    ),
    pytest.param(
        "post", v2(suffix="/beta_testers/modify"), {"identifier": ["learner"], "action": "add"}, id="beta_modify"
    ),
    pytest.param("get", v2(suffix="/learners/learner"), None, id="learner_detail"),
    pytest.param("get", v2(suffix="/team/roles"), None, id="team_roles"),
    pytest.param("get", v2(suffix="/team"), None, id="team_list"),
    pytest.param(
        "post", v2(suffix="/team"), {"identifiers": ["learner"], "role": "Moderator", "action": "allow"}, id="team_post"
    ),
    pytest.param("delete", v2(suffix="/team/learner"), {"roles": ["Moderator"]}, id="team_delete"),
]
LEGACY_STATUS_URL = f"/courses/{COURSE_ID}/instructor/api/get_student_enrollment_status"


@pytest.fixture
def api_v2_off(db):
    with override_waffle_flag(toggles._ENABLE_API_V2_FLAG, active=False):
        yield


def metadata(client, user) -> dict:
    client.force_authenticate(user)
    response = client.get(v2())
    assert response.status_code == 200, response.content
    return response.json()


def tab_ids(body: dict) -> list[str]:
    return [tab["tab_id"] for tab in body["tabs"]]


class TestApiV2Flag:
    @pytest.mark.parametrize("role", ["global_staff", "instructor", "outsider", None])
    @pytest.mark.parametrize(("method", "path", "body"), V2_CALLS)
    def test_off_every_v2_endpoint_is_404(self, api_v2_off, users, client, role, method, path, body):
        if role:
            client.force_authenticate(users[role])

        response = getattr(client, method)(path, body, format="json")

        assert response.status_code == 404, response.content
        assert set(response.json()) == ENVELOPE_KEYS
        assert response.json()["error_code"] == "not_found"

    @pytest.mark.parametrize(("method", "path", "body"), V2_CALLS)
    def test_on_every_v2_endpoint_answers(self, api_v2_on, users, client, method, path, body):
        client.force_authenticate(users["global_staff"])

        response = getattr(client, method)(path, body, format="json")

        assert response.status_code == 200, response.content

    def test_off_writes_nothing(self, api_v2_off, users, client):
        client.force_authenticate(users["global_staff"])

        client.post(v2(suffix="/beta_testers/modify"), {"identifier": ["learner"], "action": "add"}, format="json")

        assert not users["learner"].builtin_course_roles.exists()

    @pytest.mark.parametrize("active", [True, False])
    def test_the_legacy_endpoint_works_whatever_the_flag(self, db, users, client, active):
        client.force_authenticate(users["instructor"])

        with override_waffle_flag(toggles._ENABLE_API_V2_FLAG, active=active):
            response = client.post(LEGACY_STATUS_URL, {"unique_student_identifier": "learner"}, format="json")

        assert response.status_code == 200
        assert response.json() == {"enrollment_status": "Enrollment status for learner: active"}

    def test_the_flag_is_read_per_request(self, db, users, client):
        client.force_authenticate(users["instructor"])

        with override_waffle_flag(toggles._ENABLE_API_V2_FLAG, active=False):
            assert client.get(v2()).status_code == 404
        with override_waffle_flag(toggles._ENABLE_API_V2_FLAG, active=True):
            assert client.get(v2()).status_code == 200


class TestLegacyInstructorDashboardFlag:
    def test_on_tabs_point_at_the_legacy_dashboard(self, api_v2_on, users, client):
        with override_waffle_flag(toggles._LEGACY_INSTRUCTOR_DASHBOARD_FLAG, active=True):
            body = metadata(client, users["global_staff"])

        assert "course_info" in tab_ids(body)
        assert len(body["tabs"]) >= 5
        for tab in body["tabs"]:
            assert tab["url"] == f"http://lms.test/courses/{COURSE_ID}/instructor#view-{tab['tab_id']}"

    def test_off_tabs_point_at_the_mfe(self, api_v2_on, users, client):
        with override_waffle_flag(toggles._LEGACY_INSTRUCTOR_DASHBOARD_FLAG, active=False):
            body = metadata(client, users["global_staff"])

        assert "course_info" in tab_ids(body)
        assert len(body["tabs"]) >= 5
        for tab in body["tabs"]:
            assert tab["url"] == f"/instructor-dashboard/{COURSE_ID}/{tab['tab_id']}"


class TestDataDownloadV2Flag:
    @pytest.mark.parametrize(("active", "shown"), [(True, True), (False, False)])
    def test_course_staff_sees_data_downloads_only_with_the_flag(self, api_v2_on, users, client, active, shown):
        with override_waffle_flag(toggles._DATA_DOWNLOAD_V2_FLAG, active=active):
            body = metadata(client, users["course_staff"])

        assert ("data_downloads" in tab_ids(body)) is shown
        assert "enrollments" in tab_ids(body)

    @pytest.mark.parametrize("active", [True, False])
    @pytest.mark.parametrize("role", ["data_researcher", "global_staff"])
    def test_researchers_see_data_downloads_either_way(self, api_v2_on, users, client, active, role):
        with override_waffle_flag(toggles._DATA_DOWNLOAD_V2_FLAG, active=active):
            body = metadata(client, users[role])

        tab = next(tab for tab in body["tabs"] if tab["tab_id"] == "data_downloads")
        assert tab["sort_order"] == 60
        assert tab["title"] == "Data Downloads"

    @pytest.mark.parametrize("active", [True, False])
    def test_data_researcher_sees_no_staff_tabs(self, api_v2_on, users, client, active):
        with override_waffle_flag(toggles._DATA_DOWNLOAD_V2_FLAG, active=active):
            body = metadata(client, users["data_researcher"])

        assert tab_ids(body) == ["data_downloads"]


THRESHOLD = 3


@pytest.fixture
def small_threshold():
    with override_settings(INSTRUCTOR_PLUGIN={**settings.INSTRUCTOR_PLUGIN, "MAX_ENROLLMENT_INSTR_BUTTONS": THRESHOLD}):
        yield


def enroll_up_to(course_key, total: int) -> None:
    """Active enrollments up to ``total`` (the fixture enrolls two), plus one inactive that must not count."""
    for i in range(total - 2):
        enroll(make_user(f"extra{i}"), course_key)
    enroll(make_user("gone"), course_key, is_active=False)


class TestOptimisedIsSmallCourseFlag:
    @pytest.mark.parametrize("active", [True, False])
    @pytest.mark.parametrize(
        ("enrolled", "disabled"), [(2, False), (THRESHOLD, False), (THRESHOLD + 1, True), (9, True)]
    )
    def test_disable_buttons_around_the_threshold(
        self, api_v2_on, small_threshold, users, client, course_key, active, enrolled, disabled
    ):
        enroll_up_to(course_key, enrolled)

        with override_waffle_flag(toggles._OPTIMISED_IS_SMALL_COURSE_FLAG, active=active):
            body = metadata(client, users["instructor"])

        assert body["total_enrollment"] == enrolled
        assert body["disable_buttons"] is disabled

    def test_on_the_count_is_bounded(self, api_v2_on, small_threshold, users, client, course_key):
        enroll_up_to(course_key, 9)
        client.force_authenticate(users["instructor"])

        with (
            override_waffle_flag(toggles._OPTIMISED_IS_SMALL_COURSE_FLAG, active=True),
            CaptureQueriesContext(connection) as captured,
        ):
            assert client.get(v2()).status_code == 200

        assert any(f"LIMIT {THRESHOLD + 1}" in query["sql"].upper() for query in captured.captured_queries)

    def test_off_the_count_is_not_bounded(self, api_v2_on, small_threshold, users, client, course_key):
        enroll_up_to(course_key, 9)
        client.force_authenticate(users["instructor"])

        with (
            override_waffle_flag(toggles._OPTIMISED_IS_SMALL_COURSE_FLAG, active=False),
            CaptureQueriesContext(connection) as captured,
        ):
            assert client.get(v2()).status_code == 200

        assert not any(f"LIMIT {THRESHOLD + 1}" in query["sql"].upper() for query in captured.captured_queries)


class TestHelpers:
    @pytest.mark.parametrize(
        ("flag", "helper"),
        [
            (toggles._ENABLE_API_V2_FLAG, toggles.is_api_v2_enabled),
            (toggles._DATA_DOWNLOAD_V2_FLAG, toggles.data_download_v2_is_enabled),
            (toggles._OPTIMISED_IS_SMALL_COURSE_FLAG, toggles.use_optimised_is_small_course),
            (toggles._LEGACY_INSTRUCTOR_DASHBOARD_FLAG, toggles.legacy_instructor_dashboard),
        ],
    )
    def test_each_helper_follows_its_flag(self, db, flag, helper):
        with override_waffle_flag(flag, active=True):
            assert helper() is True
        with override_waffle_flag(flag, active=False):
            assert helper() is False

    def test_flags_default_off(self, db):
        assert not toggles.is_api_v2_enabled()
        assert not toggles.data_download_v2_is_enabled()
        assert not toggles.use_optimised_is_small_course()
        assert not toggles.legacy_instructor_dashboard()

    def test_flag_names(self):
        assert toggles._ENABLE_API_V2_FLAG.name == "instructor_plugin.enable_api_v2"
        assert toggles._DATA_DOWNLOAD_V2_FLAG.name == "instructor.enable_data_download_v2"
        assert toggles._OPTIMISED_IS_SMALL_COURSE_FLAG.name == "instructor.optimised_is_small_course"
        assert toggles._LEGACY_INSTRUCTOR_DASHBOARD_FLAG.name == "instructor.legacy_instructor_dashboard"
