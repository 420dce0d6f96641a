"""The Course Team tab: GET team/roles, GET and POST team, DELETE team/{email_or_username}."""

from __future__ import annotations

import pytest
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.models import CourseAccessRole, CourseEnrollment, ForumRole
from tests.conftest import COURSE_ID, grant, grant_forum, make_user, v2

ROLES = [
    ("staff", "Staff"),
    ("limited_staff", "Limited Staff"),
    ("instructor", "Admin"),
    ("beta", "Beta Tester"),
    ("data_researcher", "Data Researcher"),
    ("Administrator", "Discussion Admin"),
    ("Moderator", "Discussion Moderator"),
    ("Group Moderator", "Group Moderator"),
    ("Community TA", "Community TA"),
]
FORUM_ROLES = ["Administrator", "Moderator", "Group Moderator", "Community TA"]
TEAM_KEYS = {"count", "num_pages", "current_page", "start", "next", "previous", "results"}
OTHER_COURSE = CourseKey.from_string("course-v1:TestX+Other+2026")


@pytest.fixture
def as_user(api_v2_on, client, users):
    """The API client, authenticated as the named user of ``users``."""

    def login(name: str):
        client.force_authenticate(users[name])
        return client

    return login


def has_role(user, course_key, role: str) -> bool:
    return CourseAccessRole.objects.filter(user=user, course_key=course_key, role=role).exists()


def has_forum_role(user, course_key, role: str) -> bool:
    return ForumRole.objects.filter(user=user, course_key=course_key, role=role).exists()


def roles_of(body: dict) -> dict[str, list[str]]:
    return {member["username"]: [role["role"] for role in member["roles"]] for member in body["results"]}


class TestRoles:
    def test_every_role_in_display_order(self, as_user):
        response = as_user("instructor").get(v2(suffix="/team/roles"))

        assert response.status_code == 200
        assert response.json() == {
            "course_id": COURSE_ID,
            "results": [{"role": role, "display_name": name} for role, name in ROLES],
        }

    @pytest.mark.parametrize(
        ("setting", "course_flag", "listed"),
        [(True, True, True), (True, False, False), (False, True, False)],
    )
    def test_ccx_coach_only_where_ccx_is_on(self, as_user, course, settings, setting, course_flag, listed):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "ENABLE_CCX": setting}
        course.enable_ccx = course_flag
        course.save()

        results = as_user("instructor").get(v2(suffix="/team/roles")).json()["results"]

        assert (results[-1] == {"role": "ccx_coach", "display_name": "CCX Coach"}) is listed
        assert len(results) == len(ROLES) + listed

    def test_editable_for_an_instructor(self, as_user):
        results = as_user("instructor").get(v2(suffix="/team/roles"), {"editable": "true"}).json()["results"]

        assert [r["role"] for r in results] == [role for role, _ in ROLES]

    def test_editable_for_a_discussion_admin_is_forum_roles(self, as_user):
        plain = as_user("discussion_admin").get(v2(suffix="/team/roles")).json()["results"]
        editable = as_user("discussion_admin").get(v2(suffix="/team/roles"), {"editable": "true"}).json()["results"]

        assert [r["role"] for r in plain] == [role for role, _ in ROLES]
        assert editable == [
            {"role": "Administrator", "display_name": "Discussion Admin"},
            {"role": "Moderator", "display_name": "Discussion Moderator"},
            {"role": "Group Moderator", "display_name": "Group Moderator"},
            {"role": "Community TA", "display_name": "Community TA"},
        ]

    @pytest.mark.parametrize("role", ["course_staff", "data_researcher", "learner"])
    def test_team_managers_only(self, as_user, role):
        response = as_user(role).get(v2(suffix="/team/roles"))

        assert response.status_code == 403
        assert response.json()["error_code"] == "permission_denied"

    def test_forum_admin_without_staff_is_no_team_manager(self, api_v2_on, client, course_key, users):
        moderator = make_user("forum_only")
        grant_forum(moderator, course_key, "Administrator")
        client.force_authenticate(moderator)

        assert client.get(v2(suffix="/team/roles")).status_code == 403


class TestTeamList:
    def test_members_with_their_roles(self, as_user, users, course_key):
        grant(users["learner"], OTHER_COURSE, "staff")
        grant_forum(users["instructor"], OTHER_COURSE, "Moderator")

        response = as_user("instructor").get(v2(suffix="/team"))

        assert response.status_code == 200
        body = response.json()
        assert set(body) == TEAM_KEYS | {"course_id", "role", "email_or_username"}
        assert (body["course_id"], body["role"], body["email_or_username"]) == (COURSE_ID, None, None)
        assert body["count"] == 5
        assert roles_of(body) == {
            "beta_tester": ["beta"],
            "course_staff": ["staff"],
            "data_researcher": ["data_researcher"],
            "discussion_admin": ["staff", "Administrator"],
            "instructor": ["instructor"],
        }
        admin = next(member for member in body["results"] if member["username"] == "discussion_admin")
        assert admin == {
            "username": "discussion_admin",
            "email": "discussion_admin@example.com",
            "full_name": "Discussion_Admin",
            "roles": [
                {"role": "staff", "display_name": "Staff"},
                {"role": "Administrator", "display_name": "Discussion Admin"},
            ],
        }

    def test_ordered_by_username_ignoring_case(self, as_user, course_key):
        grant(make_user("Bob"), course_key, "staff")
        grant(make_user("alice"), course_key, "limited_staff")

        body = as_user("instructor").get(v2(suffix="/team")).json()

        assert [m["username"] for m in body["results"]][:4] == ["alice", "beta_tester", "Bob", "course_staff"]

    @pytest.mark.parametrize(
        ("role", "expected"),
        [
            ("staff", {"course_staff": ["staff"], "discussion_admin": ["staff"]}),
            ("Administrator", {"discussion_admin": ["Administrator"]}),
            ("limited_staff", {}),
        ],
    )
    def test_role_filter(self, as_user, role, expected):
        body = as_user("instructor").get(v2(suffix="/team"), {"role": role}).json()

        assert body["role"] == role
        assert roles_of(body) == expected
        assert body["count"] == len(expected)

    @pytest.mark.parametrize(
        ("search", "expected"),
        [("COURSE_", ["course_staff"]), ("instructor@EXAMPLE", ["instructor"]), ("  staff ", ["course_staff"])],
    )
    def test_email_or_username_filter(self, as_user, search, expected):
        body = as_user("instructor").get(v2(suffix="/team"), {"email_or_username": search}).json()

        assert [m["username"] for m in body["results"]] == expected
        assert body["email_or_username"] == search.strip()

    def test_filters_combine(self, as_user):
        body = (
            as_user("instructor").get(v2(suffix="/team"), {"role": "staff", "email_or_username": "discussion"}).json()
        )

        assert roles_of(body) == {"discussion_admin": ["staff"]}

    def test_invalid_role(self, as_user):
        response = as_user("instructor").get(v2(suffix="/team"), {"role": "janitor"})

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"
        assert "role" in response.json()["field_errors"]

    def test_pagination(self, as_user):
        first = as_user("instructor").get(v2(suffix="/team"), {"page_size": 2}).json()
        second = as_user("instructor").get(v2(suffix="/team"), {"page_size": 2, "page": 2}).json()

        assert (first["count"], first["num_pages"], first["current_page"], first["start"]) == (5, 3, 1, 0)
        assert [m["username"] for m in first["results"]] == ["beta_tester", "course_staff"]
        assert [m["username"] for m in second["results"]] == ["data_researcher", "discussion_admin"]
        assert (second["current_page"], second["start"]) == (2, 2)
        assert second["course_id"] == COURSE_ID
        assert as_user("instructor").get(v2(suffix="/team"), {"page_size": 2, "page": 4}).status_code == 404

    def test_discussion_admin_may_list(self, as_user):
        assert as_user("discussion_admin").get(v2(suffix="/team")).status_code == 200

    def test_course_staff_may_not_list(self, as_user):
        assert as_user("course_staff").get(v2(suffix="/team")).status_code == 403


class TestGrantAndRevoke:
    @pytest.fixture
    def change(self, as_user):
        def post(actor: str = "instructor", **body):
            return as_user(actor).post(v2(suffix="/team"), body, format="json")

        return post

    def test_allow_a_course_role_enrolls_the_user(self, change, users, course_key):
        response = change(identifiers=["outsider"], role="staff", action="allow")

        assert response.status_code == 200
        assert response.json() == {
            "action": "allow",
            "role": "staff",
            "results": [{"identifier": "outsider", "error": False, "user_does_not_exist": False, "is_active": True}],
        }
        assert has_role(users["outsider"], course_key, "staff")
        assert CourseEnrollment.objects.get(user=users["outsider"], course_key=course_key).is_active

    def test_allow_keeps_an_existing_enrollment(self, change, users, course_key):
        CourseEnrollment.objects.filter(user=users["learner"]).update(mode="verified")

        change(identifiers=["learner@example.com"], role="limited_staff", action="allow")

        assert has_role(users["learner"], course_key, "limited_staff")
        assert CourseEnrollment.objects.get(user=users["learner"], course_key=course_key).mode == "verified"

    def test_allow_a_forum_role(self, change, users, course_key):
        response = change(identifiers=["learner"], role="Community TA", action="allow")

        assert response.json()["results"][0]["error"] is False
        assert has_forum_role(users["learner"], course_key, "Community TA")
        assert not CourseAccessRole.objects.filter(user=users["learner"]).exists()

    def test_revoke(self, change, users, course_key):
        grant(users["course_staff"], OTHER_COURSE, "staff")

        response = change(identifiers=["course_staff"], role="staff", action="revoke")

        assert response.json()["results"][0]["error"] is False
        assert not has_role(users["course_staff"], course_key, "staff")
        assert has_role(users["course_staff"], OTHER_COURSE, "staff")

    def test_revoke_a_forum_role(self, change, users, course_key):
        change(identifiers=["discussion_admin"], role="Administrator", action="revoke")

        assert not has_forum_role(users["discussion_admin"], course_key, "Administrator")
        assert has_role(users["discussion_admin"], course_key, "staff")

    def test_inactive_user_is_a_row_error(self, change, course_key):
        sleeper = make_user("sleeper", is_active=False)

        [row] = change(identifiers=["sleeper"], role="staff", action="allow").json()["results"]

        assert (row["error"], row["user_does_not_exist"], row["is_active"]) == (True, False, False)
        assert row["error_message"]
        assert not has_role(sleeper, course_key, "staff")

    def test_unknown_user_is_a_row_error(self, change, users):
        [row] = change(identifiers=["ghost"], role="staff", action="allow").json()["results"]

        assert (row["identifier"], row["error"], row["user_does_not_exist"], row["is_active"]) == (
            "ghost",
            True,
            True,
            None,
        )

    def test_ambiguous_identifier_is_a_row_error(self, change, users, course_key):
        impostor = make_user("impostor")
        impostor.username = "outsider@example.com"
        impostor.save()

        [row] = change(identifiers=["outsider@example.com"], role="staff", action="allow").json()["results"]

        assert (row["error"], row["user_does_not_exist"], row["is_active"]) == (True, False, None)
        assert not CourseAccessRole.objects.filter(user__in=[impostor, users["outsider"]]).exists()

    def test_rows_are_independent(self, change, users, course_key):
        rows = change(identifiers=["ghost", "outsider"], role="beta", action="allow").json()["results"]

        assert [row["error"] for row in rows] == [True, False]
        assert has_role(users["outsider"], course_key, "beta")

    def test_own_instructor_role_is_a_row_error(self, change, users, course_key):
        [row] = change(identifiers=["instructor"], role="instructor", action="revoke").json()["results"]

        assert row["error"] is True
        assert row["error_message"]
        assert has_role(users["instructor"], course_key, "instructor")

    def test_another_instructor_may_be_revoked(self, change, users, course_key):
        colleague = make_user("colleague")
        grant(colleague, course_key, "instructor")

        [row] = change(identifiers=["colleague"], role="instructor", action="revoke").json()["results"]

        assert row["error"] is False
        assert not has_role(colleague, course_key, "instructor")

    def test_discussion_admin_cannot_grant_course_roles(self, change, users, course_key):
        response = change("discussion_admin", identifiers=["outsider"], role="staff", action="allow")

        assert response.status_code == 403
        assert not has_role(users["outsider"], course_key, "staff")

    def test_discussion_admin_grants_forum_roles(self, change, users, course_key):
        response = change("discussion_admin", identifiers=["learner"], role="Moderator", action="allow")

        assert response.status_code == 200
        assert has_forum_role(users["learner"], course_key, "Moderator")

    def test_ccx_coach_needs_ccx(self, change, users, course_key):
        response = change(identifiers=["outsider"], role="ccx_coach", action="allow")

        assert response.status_code == 400
        assert not has_role(users["outsider"], course_key, "ccx_coach")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"identifiers": "outsider", "role": "staff", "action": "allow"}, "identifiers"),
            ({"identifiers": [], "role": "staff", "action": "allow"}, "identifiers"),
            ({"identifiers": ["outsider"], "role": "janitor", "action": "allow"}, "role"),
            ({"identifiers": ["outsider"], "role": "staff", "action": "promote"}, "action"),
        ],
    )
    def test_bad_body(self, change, users, body, field):
        response = change(**body)

        assert response.status_code == 400
        assert field in response.json()["field_errors"]


class TestRemoveMember:
    @pytest.fixture
    def remove(self, as_user):
        def delete(identifier: str, actor: str = "instructor", **body):
            return as_user(actor).delete(v2(suffix=f"/team/{identifier}"), body, format="json")

        return delete

    def test_revokes_the_listed_roles(self, remove, users, course_key):
        grant_forum(users["discussion_admin"], course_key, "Moderator")

        response = remove("discussion_admin", roles=["staff", "Administrator"])

        assert response.status_code == 200
        assert response.json() == {
            "identifier": "discussion_admin",
            "roles": ["staff", "Administrator"],
            "action": "revoke",
            "success": True,
        }
        assert not has_role(users["discussion_admin"], course_key, "staff")
        assert not has_forum_role(users["discussion_admin"], course_key, "Administrator")
        assert has_forum_role(users["discussion_admin"], course_key, "Moderator")

    def test_by_email(self, remove, users, course_key):
        response = remove("Course_Staff@Example.com", roles=["staff"])

        assert response.json()["identifier"] == "course_staff"
        assert not has_role(users["course_staff"], course_key, "staff")

    def test_unknown_user(self, remove, users):
        response = remove("ghost", roles=["staff"])

        assert response.status_code == 404
        assert response.json()["error_code"] == "learner_not_found"

    def test_ambiguous_identifier(self, remove, users, course_key):
        impostor = make_user("impostor")
        impostor.username = "course_staff@example.com"
        impostor.save()

        response = remove("course_staff@example.com", roles=["staff"])

        assert response.status_code == 400
        assert has_role(users["course_staff"], course_key, "staff")

    def test_inactive_user(self, remove, course_key):
        sleeper = make_user("sleeper", is_active=False)
        grant(sleeper, course_key, "staff")

        response = remove("sleeper", roles=["staff"])

        assert response.status_code == 400
        assert response.json()["error_code"] == "inactive_user"
        assert has_role(sleeper, course_key, "staff")

    def test_own_instructor_role_is_a_conflict(self, remove, users, course_key):
        grant(users["instructor"], course_key, "beta")

        response = remove("instructor", roles=["beta", "instructor"])

        assert response.status_code == 409
        assert response.json()["error"] == "Instructors cannot remove their own instructor access."
        assert has_role(users["instructor"], course_key, "instructor")
        assert has_role(users["instructor"], course_key, "beta")

    def test_own_other_roles_may_go(self, remove, users, course_key):
        grant(users["instructor"], course_key, "beta")

        assert remove("instructor", roles=["beta"]).status_code == 200
        assert not has_role(users["instructor"], course_key, "beta")

    @pytest.mark.parametrize("body", [{"roles": []}, {}, {"roles": ["janitor"]}, {"roles": "staff"}])
    def test_bad_body(self, remove, users, course_key, body):
        response = remove("course_staff", **body)

        assert response.status_code == 400
        assert "roles" in response.json()["field_errors"]
        assert has_role(users["course_staff"], course_key, "staff")

    def test_discussion_admin_cannot_revoke_course_roles(self, remove, users, course_key):
        response = remove("course_staff", actor="discussion_admin", roles=["staff"])

        assert response.status_code == 403
        assert has_role(users["course_staff"], course_key, "staff")

    def test_discussion_admin_revokes_forum_roles(self, remove, users, course_key):
        grant_forum(users["learner"], course_key, "Moderator")

        response = remove("learner", actor="discussion_admin", roles=["Moderator"])

        assert response.status_code == 200
        assert not has_forum_role(users["learner"], course_key, "Moderator")
