"""GET .../learners/{email_or_username}: the "specify learner" field of several MFE pages."""

from __future__ import annotations

import pytest

from tests.conftest import COURSE_ID, enroll, make_user, v2


@pytest.fixture
def lookup(api_v2_on, client, users):
    """GET a learner as course staff and return the response."""
    client.force_authenticate(users["course_staff"])

    def get(identifier: str):
        return client.get(v2(suffix=f"/learners/{identifier}"))

    return get


class TestLookup:
    def test_by_username(self, lookup, users):
        response = lookup("learner")

        assert response.status_code == 200
        assert response.json() == {
            "username": "learner",
            "email": "learner@example.com",
            "full_name": "Learner",
            "progress_url": f"http://lms.test/courses/{COURSE_ID}/progress/{users['learner'].pk}/",
            "is_enrolled": True,
        }

    @pytest.mark.parametrize("identifier", ["learner@example.com", "LEARNER@Example.COM"])
    def test_by_email_case_insensitive(self, lookup, users, identifier):
        body = lookup(identifier).json()

        assert (body["username"], body["email"]) == ("learner", "learner@example.com")

    def test_email_with_a_plus_sign_in_the_path(self, lookup, course_key):
        tagged = make_user("tagged")
        tagged.email = "ann+course@example.com"
        tagged.save()

        body = lookup("ann+course@example.com").json()

        assert (body["username"], body["email"]) == ("tagged", "ann+course@example.com")

    def test_full_name_from_the_profile(self, lookup, course_key):
        make_user("ada", name="Ada Lovelace")

        assert lookup("ada").json()["full_name"] == "Ada Lovelace"

    def test_not_enrolled(self, lookup, users):
        body = lookup("outsider").json()

        assert body["username"] == "outsider"
        assert body["is_enrolled"] is False

    def test_unenrolled_is_not_enrolled(self, lookup, course_key):
        enroll(make_user("leaver"), course_key, is_active=False)

        assert lookup("leaver").json()["is_enrolled"] is False

    def test_progress_url_in_the_learning_mfe(self, lookup, users, settings):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "LEARNING_MICROFRONTEND_URL": "http://learn.test/"}

        body = lookup("learner").json()

        assert body["progress_url"] == f"http://learn.test/course/{COURSE_ID}/progress/{users['learner'].pk}/"


class TestNotFound:
    @pytest.mark.parametrize("identifier", ["ghost", "ghost@example.com"])
    def test_unknown_learner_is_404(self, lookup, users, identifier):
        response = lookup(identifier)

        assert response.status_code == 404
        body = response.json()
        assert body["error_code"] == "learner_not_found"
        assert body["error"] == body["detail"] == body["developer_message"]

    def test_ambiguous_identifier_is_400(self, lookup, users):
        impostor = make_user("impostor")
        impostor.username = "learner@example.com"
        impostor.save()

        response = lookup("learner@example.com")

        assert response.status_code == 400
        assert response.json()["error_code"] == "ambiguous_identifier"


class TestPermissions:
    @pytest.mark.parametrize(
        ("role", "status"),
        [("data_researcher", 200), ("instructor", 200), ("learner", 403), ("outsider", 403)],
    )
    def test_dashboard_users_only(self, api_v2_on, client, users, role, status):
        client.force_authenticate(users[role])

        assert client.get(v2(suffix="/learners/learner")).status_code == status

    def test_anonymous(self, api_v2_on, client, users):
        assert client.get(v2(suffix="/learners/learner")).status_code == 401
