"""The legacy enrollment, access and learner-data endpoints (LMS_APIS ``instructor_legacy``), and their v2 twins."""

from __future__ import annotations

import importlib

import pytest
from django.urls.resolvers import RegexPattern, URLResolver
from rest_framework.test import APIClient

from instructor_plugin import urls
from instructor_plugin.backends.builtin.models import (
    CourseAccessRole,
    CourseEnrollment,
    CourseEnrollmentAllowed,
    ForumRole,
)
from instructor_plugin.models import InstructorTask
from tests.conftest import COURSE_ID, grant, grant_forum, make_user, v2

CSRF_SECRET = "a" * 32


def legacy(name: str, course_id: str = COURSE_ID) -> str:
    return f"/courses/{course_id}/instructor/api/{name}"


#: One valid call per endpoint, for the checks every endpoint shares.
VALID = {
    "students_update_enrollment": {"identifiers": "learner", "action": "enroll"},
    "bulk_beta_modify_access": {"identifiers": "learner", "action": "add"},
    "modify_access": {"unique_student_identifier": "learner", "rolename": "staff", "action": "allow"},
    "list_course_role_members": {"rolename": "staff"},
    "get_student_progress_url": {"unique_student_identifier": "learner"},
    "get_anon_ids": {},
    "get_students_features": {},
    "get_students_features/csv": {},
    "list_forum_members": {"rolename": "Moderator"},
    "update_forum_role_membership": {
        "unique_student_identifier": "learner",
        "rolename": "Moderator",
        "action": "allow",
    },
}


@pytest.fixture
def as_staff(client, users):
    """Global staff: holds every permission, so each endpoint's own answer shows."""
    client.force_authenticate(users["global_staff"])
    return client


class TestEveryEndpoint:
    @pytest.mark.parametrize("name", VALID)
    def test_get_is_not_allowed(self, as_staff, name):
        response = as_staff.get(legacy(name))

        assert response.status_code == 405
        assert response.json()["error_code"] == "method_not_allowed"

    @pytest.mark.parametrize("name", VALID)
    def test_session_callers_send_the_csrf_token(self, users, name):
        session = APIClient(enforce_csrf_checks=True)
        session.login(username="global_staff", password="edx")
        session.cookies["csrftoken"] = CSRF_SECRET

        refused = session.post(legacy(name), VALID[name])
        accepted = session.post(legacy(name), VALID[name], HTTP_X_CSRFTOKEN=CSRF_SECRET)

        assert refused.status_code == 403
        assert refused.json()["error_code"] == "permission_denied"
        assert accepted.status_code == 200, accepted.content

    @pytest.mark.parametrize("name", VALID)
    def test_anonymous_is_401(self, client, users, name):
        assert client.post(legacy(name), VALID[name]).status_code == 401

    @pytest.mark.parametrize("name", VALID)
    def test_unknown_course_is_404(self, client, users, name):
        client.force_authenticate(users["global_staff"])

        response = client.post(legacy(name, "course-v1:TestX+Nope+2026"), VALID[name])

        assert response.status_code == 404
        assert response.json()["error_code"] == "course_not_found"

    def test_unknown_legacy_endpoint_stays_404(self, as_staff):
        response = as_staff.post(legacy("no_such_endpoint"))

        assert response.status_code == 404
        assert response.json()["error_code"] == "endpoint_not_found"

    def test_the_always_on_endpoints_still_answer(self, as_staff):
        response = as_staff.post(legacy("get_student_enrollment_status"), {"unique_student_identifier": "learner"})

        assert response.json() == {"enrollment_status": "Enrollment status for learner: active"}


def post(client, name: str, body: dict):
    return client.post(legacy(name), body)


def roles_of(user) -> set[str]:
    return set(CourseAccessRole.objects.filter(user=user).values_list("role", flat=True))


def is_enrolled(user, course_key) -> bool:
    return CourseEnrollment.objects.filter(user=user, course_key=course_key, is_active=True).exists()


class TestStudentsUpdateEnrollment:
    def test_enrolls_users_and_invites_unknown_emails(self, as_staff, users, course_key):
        response = post(
            as_staff,
            "students_update_enrollment",
            {"identifiers": "outsider\nnew@example.com, nobody", "action": "enroll"},
        )

        assert response.status_code == 200
        body = response.json()
        assert (body["action"], body["auto_enroll"]) == ("enroll", False)
        rows = {row["identifier"]: row for row in body["results"]}
        assert rows["outsider"]["after"]["enrollment"] is True
        assert rows["new@example.com"]["after"]["allowed"] is True
        assert rows["nobody"]["invalid_identifier"] is True
        assert is_enrolled(users["outsider"], course_key)
        assert CourseEnrollmentAllowed.objects.filter(email="new@example.com").exists()

    def test_unenroll(self, as_staff, users, course_key):
        response = post(as_staff, "students_update_enrollment", {"identifiers": "learner", "action": "unenroll"})

        assert response.json()["results"][0]["state_transition"] == "from enrolled to unenrolled"
        assert not is_enrolled(users["learner"], course_key)

    def test_async_processing_queues_a_task(self, as_staff, users):
        body = {"identifiers": "outsider", "action": "enroll", "async_processing": "true"}

        first = post(as_staff, "students_update_enrollment", body).json()
        again = post(as_staff, "students_update_enrollment", body).json()

        task = InstructorTask.objects.get()
        assert first == {
            "action": "enroll",
            "auto_enroll": False,
            "async_processing": True,
            "task_id": str(task.task_id),
            "task_state": "PENDING",
            "message": "Async enroll task submitted for 1 students",
            "total_students": 1,
        }
        assert again["error"].startswith("A similar enrollment task is already running")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"action": "enroll"}, "identifiers"),
            ({"identifiers": " ,\n", "action": "enroll"}, "identifiers"),
            ({"identifiers": "learner", "action": "delete"}, "action"),
            ({"identifiers": "learner", "action": "enroll", "auto_enroll": "maybe"}, "auto_enroll"),
        ],
    )
    def test_validation(self, as_staff, body, field):
        response = post(as_staff, "students_update_enrollment", body)

        assert response.status_code == 400
        assert field in response.json()["field_errors"]

    @pytest.mark.parametrize(("role", "status"), [("data_researcher", 403), ("course_staff", 200)])
    def test_permission(self, client, users, role, status):
        client.force_authenticate(users[role])

        assert post(client, "students_update_enrollment", VALID["students_update_enrollment"]).status_code == status

    @pytest.mark.parametrize("door", ["legacy", "v2"])
    def test_same_result_as_v2(self, api_v2_on, as_staff, users, course_key, door):
        if door == "legacy":
            body = post(
                as_staff, "students_update_enrollment", {"identifiers": "outsider,new@example.com", "action": "enroll"}
            ).json()
        else:
            body = as_staff.post(
                v2(suffix="/enrollments/modify"),
                {"identifier": ["outsider", "new@example.com"], "action": "enroll"},
                format="json",
            ).json()

        assert [(row["identifier"], row["state_transition"]) for row in body["results"]] == [
            ("outsider", "from unenrolled to enrolled"),
            ("new@example.com", "from unenrolled to allowed to enroll"),
        ]
        assert is_enrolled(users["outsider"], course_key)


class TestBulkBetaModifyAccess:
    def test_add_with_auto_enroll(self, as_staff, users, course_key):
        response = post(
            as_staff,
            "bulk_beta_modify_access",
            {"identifiers": "outsider nobody", "action": "add", "auto_enroll": "true"},
        )

        assert response.json() == {
            "action": "add",
            "results": [
                {"identifier": "outsider", "error": False, "userDoesNotExist": False, "is_active": True},
                {"identifier": "nobody", "error": True, "userDoesNotExist": True, "is_active": None},
            ],
        }
        assert "beta" in roles_of(users["outsider"])
        assert is_enrolled(users["outsider"], course_key)

    def test_remove(self, as_staff, users):
        post(as_staff, "bulk_beta_modify_access", {"identifiers": "beta_tester", "action": "remove"})

        assert "beta" not in roles_of(users["beta_tester"])

    @pytest.mark.parametrize("body", [{"action": "add"}, {"identifiers": "learner", "action": "allow"}])
    def test_validation(self, as_staff, body):
        assert post(as_staff, "bulk_beta_modify_access", body).status_code == 400

    @pytest.mark.parametrize(("role", "status"), [("course_staff", 403), ("instructor", 200)])
    def test_permission(self, client, users, role, status):
        client.force_authenticate(users[role])

        assert post(client, "bulk_beta_modify_access", VALID["bulk_beta_modify_access"]).status_code == status

    @pytest.mark.parametrize("door", ["legacy", "v2"])
    def test_same_result_as_v2(self, api_v2_on, as_staff, users, door):
        if door == "legacy":
            rows = post(
                as_staff, "bulk_beta_modify_access", {"identifiers": "outsider,nobody", "action": "add"}
            ).json()["results"]
            rows = [(r["identifier"], r["error"], r["userDoesNotExist"]) for r in rows]
        else:
            response = as_staff.post(
                v2(suffix="/beta_testers/modify"),
                {"identifier": ["outsider", "nobody"], "action": "add"},
                format="json",
            )
            rows = [(r["identifier"], r["error"], r["user_does_not_exist"]) for r in response.json()["results"]]

        assert rows == [("outsider", False, False), ("nobody", True, True)]
        assert "beta" in roles_of(users["outsider"])


class TestModifyAccess:
    def test_allow_grants_and_enrolls(self, as_staff, users, course_key):
        response = post(
            as_staff,
            "modify_access",
            {"unique_student_identifier": "outsider@example.com", "rolename": "staff", "action": "allow"},
        )

        assert response.json() == {
            "unique_student_identifier": "outsider",
            "rolename": "staff",
            "action": "allow",
            "success": "yes",
        }
        assert "staff" in roles_of(users["outsider"])
        assert is_enrolled(users["outsider"], course_key)

    def test_revoke(self, as_staff, users):
        post(
            as_staff,
            "modify_access",
            {"unique_student_identifier": "course_staff", "rolename": "staff", "action": "revoke"},
        )

        assert "staff" not in roles_of(users["course_staff"])

    def test_unknown_user(self, as_staff):
        response = post(
            as_staff, "modify_access", {"unique_student_identifier": "nobody", "rolename": "staff", "action": "allow"}
        )

        assert response.json() == {"unique_student_identifier": "nobody", "userDoesNotExist": True}

    def test_inactive_user(self, as_staff):
        make_user("sleeper", is_active=False)

        response = post(
            as_staff, "modify_access", {"unique_student_identifier": "sleeper", "rolename": "staff", "action": "allow"}
        )

        assert response.json() == {"unique_student_identifier": "sleeper", "inactiveUser": True}
        assert not CourseAccessRole.objects.filter(user__username="sleeper").exists()

    def test_instructor_cannot_revoke_self(self, client, users):
        client.force_authenticate(users["instructor"])

        response = post(
            client,
            "modify_access",
            {"unique_student_identifier": "instructor", "rolename": "instructor", "action": "revoke"},
        )

        assert response.json()["removingSelfAsInstructor"] is True
        assert "instructor" in roles_of(users["instructor"])

    @pytest.mark.parametrize("rolename", ["Moderator", "owner"])
    def test_unknown_role_is_400(self, as_staff, rolename):
        response = post(
            as_staff, "modify_access", {"unique_student_identifier": "learner", "rolename": rolename, "action": "allow"}
        )

        assert response.status_code == 400
        assert response.json()["error_code"] == "unknown_role"

    @pytest.mark.parametrize("door", ["legacy", "v2"])
    def test_same_result_as_v2(self, api_v2_on, as_staff, users, course_key, door):
        if door == "legacy":
            post(
                as_staff,
                "modify_access",
                {"unique_student_identifier": "outsider", "rolename": "limited_staff", "action": "allow"},
            )
        else:
            as_staff.post(
                v2(suffix="/team"),
                {"identifiers": ["outsider"], "role": "limited_staff", "action": "allow"},
                format="json",
            )

        assert roles_of(users["outsider"]) == {"limited_staff"}
        assert is_enrolled(users["outsider"], course_key)


class TestListCourseRoleMembers:
    def test_lists_the_role(self, as_staff):
        response = post(as_staff, "list_course_role_members", {"rolename": "staff"})

        assert response.json() == {
            "course_id": COURSE_ID,
            "staff": [
                {
                    "username": "course_staff",
                    "email": "course_staff@example.com",
                    "first_name": "Course_Staff",
                    "last_name": "",
                },
                {
                    "username": "discussion_admin",
                    "email": "discussion_admin@example.com",
                    "first_name": "Discussion_Admin",
                    "last_name": "",
                },
            ],
            "count": 2,
            "num_pages": 1,
            "current_page": 1,
        }

    def test_search_and_pages(self, as_staff, course_key):
        for name in ("ann", "anna", "bob"):
            grant(make_user(name, name=f"{name.title()} Lee"), course_key, "beta")

        body = post(
            as_staff, "list_course_role_members", {"rolename": "beta", "search": "ANN", "page": 2, "page_size": 1}
        ).json()

        assert body["beta"] == [
            {"username": "anna", "email": "anna@example.com", "first_name": "Anna", "last_name": "Lee"}
        ]
        assert (body["count"], body["num_pages"], body["current_page"]) == (2, 2, 2)

    @pytest.mark.parametrize(
        "body",
        [{}, {"rolename": "Moderator"}, {"rolename": "staff", "page": 0}, {"rolename": "staff", "page_size": 101}],
    )
    def test_validation(self, as_staff, body):
        assert post(as_staff, "list_course_role_members", body).status_code == 400


class TestStudentProgressUrl:
    def test_progress_url(self, as_staff, users):
        response = post(as_staff, "get_student_progress_url", {"unique_student_identifier": "learner@example.com"})

        assert response.json()["course_id"] == COURSE_ID
        assert response.json()["progress_url"].endswith(f"/progress/{users['learner'].pk}/")

    def test_unknown_learner_is_404(self, as_staff):
        assert post(as_staff, "get_student_progress_url", {"unique_student_identifier": "nobody"}).status_code == 404

    def test_missing_identifier_is_400(self, as_staff):
        assert post(as_staff, "get_student_progress_url", {}).status_code == 400

    def test_same_result_as_v2(self, api_v2_on, as_staff):
        legacy_url = post(as_staff, "get_student_progress_url", {"unique_student_identifier": "learner"}).json()
        v2_url = as_staff.get(v2(suffix="/learners/learner")).json()

        assert legacy_url["progress_url"] == v2_url["progress_url"]


class TestReports:
    @pytest.mark.parametrize(
        ("name", "body", "task_type", "label"),
        [
            ("get_anon_ids", {}, "anonymized_student_ids", "Anonymized User IDs"),
            ("get_students_features/csv", {}, "enrolled_students", "enrolled learner profile"),
            ("get_students_features", {"csv": "true"}, "enrolled_students", "enrolled learner profile"),
        ],
    )
    def test_queues_the_report(self, as_staff, name, body, task_type, label):
        response = post(as_staff, name, body)

        assert response.json() == {
            "status": f"The {label} report is being created. To view the status of the report, see Pending Tasks below."
        }
        assert InstructorTask.objects.get().task_input.get("features", task_type) is not None
        assert task_type in InstructorTask.objects.get().task_type

    def test_a_running_report_is_400(self, as_staff):
        post(as_staff, "get_anon_ids", {})

        response = post(as_staff, "get_anon_ids", {})

        assert response.status_code == 400
        assert response.json()["task_id"] == str(InstructorTask.objects.get().task_id)

    def test_students_features_json(self, as_staff, users):
        body = post(as_staff, "get_students_features", {}).json()

        assert body["course_id"] == COURSE_ID
        assert body["students_count"] == 2
        assert {student["username"] for student in body["students"]} == {"beta_tester", "learner"}
        assert body["queried_features"][:4] == ["id", "username", "name", "email"]
        assert body["queried_features"][-2:] == ["city", "country"]
        assert body["feature_names"]["id"] == "User ID"
        assert set(body["students"][0]) == set(body["queried_features"])

    @pytest.mark.parametrize(("role", "status"), [("course_staff", 403), ("data_researcher", 200)])
    def test_permission(self, client, users, role, status):
        client.force_authenticate(users[role])

        assert post(client, "get_students_features", {}).status_code == status


class TestForumRoles:
    def test_list_members(self, as_staff, users, course_key):
        grant_forum(users["learner"], course_key, "Moderator")

        response = post(as_staff, "list_forum_members", {"rolename": "Moderator"})

        assert response.json() == {
            "course_id": COURSE_ID,
            "Moderator": [
                {
                    "username": "learner",
                    "email": "learner@example.com",
                    "first_name": "Learner",
                    "last_name": "",
                    "group_name": None,
                }
            ],
            "division_scheme": "none",
        }

    def test_unknown_forum_role_is_400(self, as_staff):
        assert post(as_staff, "list_forum_members", {"rolename": "staff"}).status_code == 400

    def test_allow_grants_and_enrolls(self, as_staff, users, course_key):
        response = post(
            as_staff,
            "update_forum_role_membership",
            {"unique_student_identifier": "outsider", "rolename": "Community TA", "action": "allow"},
        )

        assert response.json() == {"course_id": COURSE_ID, "action": "allow"}
        assert ForumRole.objects.filter(user=users["outsider"], role="Community TA").exists()
        assert is_enrolled(users["outsider"], course_key)

    def test_revoke(self, as_staff, users):
        post(
            as_staff,
            "update_forum_role_membership",
            {"unique_student_identifier": "discussion_admin", "rolename": "Administrator", "action": "revoke"},
        )

        assert not ForumRole.objects.filter(user=users["discussion_admin"]).exists()

    def test_unknown_user_is_400(self, as_staff):
        response = post(
            as_staff,
            "update_forum_role_membership",
            {"unique_student_identifier": "nobody", "rolename": "Moderator", "action": "allow"},
        )

        assert response.status_code == 400
        assert response.json()["error"] == "User does not exist."

    @pytest.mark.parametrize("name", ["list_forum_members", "update_forum_role_membership"])
    def test_only_an_instructor_handles_administrator(self, client, users, name):
        body = {"unique_student_identifier": "learner", "rolename": "Administrator", "action": "allow"}
        client.force_authenticate(users["discussion_admin"])
        refused = post(client, name, body)
        client.force_authenticate(users["instructor"])
        allowed = post(client, name, body)

        assert refused.status_code == 403
        assert refused.json()["error_code"] == "role_not_manageable"
        assert allowed.status_code == 200

    def test_discussion_admin_grants_moderator(self, client, users):
        client.force_authenticate(users["discussion_admin"])

        post(
            client,
            "update_forum_role_membership",
            {"unique_student_identifier": "learner", "rolename": "Moderator", "action": "allow"},
        )

        assert ForumRole.objects.filter(user=users["learner"], role="Moderator").exists()

    @pytest.mark.parametrize("door", ["legacy", "v2"])
    def test_same_result_as_v2(self, api_v2_on, as_staff, users, door):
        if door == "legacy":
            post(
                as_staff,
                "update_forum_role_membership",
                {"unique_student_identifier": "learner", "rolename": "Moderator", "action": "allow"},
            )
        else:
            as_staff.post(
                v2(suffix="/team"), {"identifiers": ["learner"], "role": "Moderator", "action": "allow"}, format="json"
            )

        assert set(ForumRole.objects.filter(user=users["learner"]).values_list("role", flat=True)) == {"Moderator"}


class TestMounting:
    """The extra endpoints answer only when ``LMS_APIS`` names ``instructor_legacy``; the three MFE ones always."""

    @pytest.mark.parametrize(
        ("names", "view"), [([], "UnknownEndpointView"), (["instructor_legacy"], "StudentsUpdateEnrollmentView")]
    )
    def test_named_or_not(self, settings, names, view):
        settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "LMS_APIS": names}
        try:
            module = importlib.reload(urls)
            resolver = URLResolver(RegexPattern(r"^/"), module.urlpatterns)
            extra = resolver.resolve(legacy("students_update_enrollment"))
            always = resolver.resolve(legacy("get_student_enrollment_status"))
        finally:
            settings.INSTRUCTOR_PLUGIN = {**settings.INSTRUCTOR_PLUGIN, "LMS_APIS": ["instructor_legacy"]}
            importlib.reload(urls)

        assert extra.func.view_class.__name__ == view
        assert always.func.view_class.__name__ == "StudentEnrollmentStatusView"
