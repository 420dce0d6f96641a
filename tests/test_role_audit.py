"""Every team-role and beta-tester change writes an AuditRecord naming the actor, the user and the role."""

from __future__ import annotations

import pytest

from instructor_plugin.beta_testers import modify_beta_testers
from instructor_plugin.models import AuditRecord
from tests.conftest import v2


def audits() -> list[tuple]:
    return list(
        AuditRecord.objects.order_by("pk").values_list("action", "actor__username", "learner__username", "detail")
    )


@pytest.fixture
def instructor(api_v2_on, client, users):
    client.force_authenticate(users["instructor"])
    return client


def test_granting_and_revoking_a_role_are_audited(instructor, course_key):
    instructor.post(
        v2(suffix="/team"), {"identifiers": ["outsider"], "role": "staff", "action": "allow"}, format="json"
    )
    instructor.post(
        v2(suffix="/team"), {"identifiers": ["outsider"], "role": "staff", "action": "revoke"}, format="json"
    )

    assert audits() == [
        ("team_role_granted", "instructor", "outsider", {"role": "staff"}),
        ("team_role_revoked", "instructor", "outsider", {"role": "staff"}),
    ]
    assert set(AuditRecord.objects.values_list("course_key", flat=True)) == {course_key}


def test_a_refused_change_is_not_audited(instructor):
    response = instructor.post(
        v2(suffix="/team"),
        {"identifiers": ["instructor", "nobody"], "role": "instructor", "action": "revoke"},
        format="json",
    )

    assert response.json()["results"][0]["error"] is True
    assert audits() == []


def test_removing_a_member_audits_each_role(instructor, users, course_key):
    instructor.post(
        v2(suffix="/team"), {"identifiers": ["outsider"], "role": "limited_staff", "action": "allow"}, format="json"
    )
    AuditRecord.objects.all().delete()

    response = instructor.delete(v2(suffix="/team/outsider"), {"roles": ["limited_staff"]}, format="json")

    assert response.status_code == 200, response.content
    assert audits() == [("team_role_revoked", "instructor", "outsider", {"role": "limited_staff"})]


def test_beta_tester_changes_are_audited(instructor):
    body = {"identifier": ["outsider", "nobody"], "action": "add", "auto_enroll": True}
    instructor.post(v2(suffix="/beta_testers/modify"), body, format="json")
    instructor.post(v2(suffix="/beta_testers/modify"), {**body, "action": "remove"}, format="json")

    assert audits() == [
        ("beta_tester_added", "instructor", "outsider", {"auto_enroll": True}),
        ("beta_tester_removed", "instructor", "outsider", {}),
    ]


def test_a_failed_beta_change_leaves_no_audit(users, course_key, monkeypatch):
    def failing(*args):
        raise RuntimeError("roles store unavailable")

    monkeypatch.setattr("instructor_plugin.beta_testers.allow_access", failing)

    (row,) = modify_beta_testers(course_key, ["outsider"], "add", actor_id=users["instructor"].pk)

    assert row["error"] is True
    assert audits() == []
