"""The error handler rolls the request's transaction back, as DRF's own handler does."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from instructor_plugin.models import AuditRecord

pytestmark = [pytest.mark.urls("tests.failing_view_urls"), pytest.mark.django_db]


@pytest.fixture
def atomic_requests(monkeypatch):
    """The host runs with ``ATOMIC_REQUESTS``: Django wraps each view in a transaction."""
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)


@pytest.mark.parametrize(("how", "status", "code"), [("unexpected", 500, "server_error"), ("handled", 404, "gone")])
def test_a_view_that_writes_then_fails_leaves_nothing_behind(atomic_requests, how, status, code):
    response = APIClient().post(f"/fail/{how}")

    assert (response.status_code, response.json()["error_code"]) == (status, code)
    assert not AuditRecord.objects.exists()


def test_without_atomic_requests_the_handler_leaves_the_transaction_alone():
    """No request transaction to mark: the write stands (autocommit), and nothing breaks."""
    response = APIClient().post("/fail/unexpected")

    assert response.status_code == 500
    assert AuditRecord.objects.count() == 1
