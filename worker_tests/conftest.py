"""
Tasks through a real Celery worker: the broker named by ``INSTRUCTOR_PLUGIN_TEST_BROKER`` and the suite's test database.

The session starts one worker (prefork, two processes) once pytest-django has created the test
database, points it at that database, and stops it at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.celery_app import app as celery_app
from tests.conftest import api_v2_on, client, course, course_key, users  # noqa: F401 (shared fixtures)

ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 60


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    if not os.environ.get("INSTRUCTOR_PLUGIN_TEST_BROKER"):
        pytest.fail("INSTRUCTOR_PLUGIN_TEST_BROKER must name the broker of the worker (make test-worker sets it)")
    with django_db_blocker.unblock():
        database = connection.settings_dict["NAME"]
    celery_app.control.purge()
    environment = dict(os.environ, INSTRUCTOR_PLUGIN_TEST_DB_NAME=database, DJANGO_SETTINGS_MODULE="test_settings")
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "tests.celery_app",
        "worker",
        "--pool=prefork",
        "--concurrency=2",
        "--include=worker_tests.task_types",
        "--loglevel=info",
        "--without-gossip",
        "--without-mingle",
    ]
    worker = subprocess.Popen(command, cwd=ROOT, env=environment)
    deadline = time.monotonic() + WAIT_SECONDS
    while not celery_app.control.ping(timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail("The Celery worker did not start")
    yield worker
    worker.terminate()
    worker.wait(timeout=30)


def wait_until_finished(task, seconds: int = WAIT_SECONDS):
    """Reload ``task`` until it is completed or failed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        task.refresh_from_db()
        if task.state in (task.COMPLETED, task.FAILED):
            return task
        time.sleep(0.2)
    raise AssertionError(f"Task {task.task_id} still {task.state} after {seconds} s")
