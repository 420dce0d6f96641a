"""Plain-row inserts write through the connection the project's database routers choose for the model."""

from __future__ import annotations

import pytest
from django.db.utils import ConnectionDoesNotExist
from django.test import override_settings
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.rows import stored_datetime, stored_json, upsert_rows
from instructor_plugin.models import AuditRecord, insert_audit_records

pytestmark = pytest.mark.django_db

COURSE = CourseKey.from_string("course-v1:Org+Routed+Run")


class AuditElsewhere:
    """Sends the plugin's audit records to a database called ``audit``; everything else to the default."""

    asked: list[type] = []

    def db_for_write(self, model, **hints):
        AuditElsewhere.asked.append(model)
        return "audit" if model is AuditRecord else None


ROUTED = override_settings(DATABASE_ROUTERS=[f"{__name__}.AuditElsewhere"])


@ROUTED
def test_insert_goes_to_the_routed_database():
    with pytest.raises(ConnectionDoesNotExist):
        insert_audit_records(COURSE, "rescore", [(None, None, "", None, {})])
    assert AuditRecord in AuditElsewhere.asked
    assert not AuditRecord.objects.exists()


@ROUTED
def test_upsert_and_stored_values_ask_the_router():
    with pytest.raises(ConnectionDoesNotExist):
        upsert_rows(AuditRecord, ("course_key", "action"), ("course_key",), [])
    with pytest.raises(ConnectionDoesNotExist):
        stored_json(AuditRecord, {"a": 1})
    with pytest.raises(ConnectionDoesNotExist):
        stored_datetime(AuditRecord, None)


def test_unrouted_insert_writes_to_the_default_database():
    insert_audit_records(COURSE, "rescore", [(None, None, "", None, {"k": 1})])
    assert list(AuditRecord.objects.values_list("action", "detail")) == [("rescore", {"k": 1})]
