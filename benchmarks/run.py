"""One benchmark run on the configured database: rebuild it, seed it, measure the chosen groups, print."""

from __future__ import annotations

import os
import platform
import time

from django.core.management import call_command
from django.db import connection
from opaque_keys.edx.keys import CourseKey

from benchmarks import certificates, enroll, enrollment_api, grading, learner_lists, lists, programs, reports
from benchmarks.measure import COMPARISON_HEADER, HEADER, Comparison, Figures

COURSE_ID = "course-v1:OpenedX+DemoX+Demo_Course"


def _fresh_database() -> str:
    """Drop and recreate the benchmark database; returns a description of it."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        if os.path.exists(name):
            os.remove(name)
        return f"SQLite {connection.Database.sqlite_version} file {name}"
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
        charset = " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" if connection.vendor == "mysql" else ""
        cursor.execute(f"CREATE DATABASE {quote(name)}{charset}")
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        (version,) = cursor.fetchone()
    return f"{connection.vendor} {version} database {name}"


def run(learners: int, groups: list[str], identifiers: int, task_identifiers: int) -> None:
    """Seed ``learners`` learners, then print the figures of ``groups``."""
    database = _fresh_database()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo_course", learners=learners, verbosity=0)
    seeded = time.perf_counter() - started
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, {database}")
    print(f"Seeded {learners:,} learners in {seeded:.1f} s\n", flush=True)

    course_key = CourseKey.from_string(COURSE_ID)
    results: list[Comparison | Figures] = []
    # Reports and rescoring first, while the course holds exactly the seeded learners.
    for name, module in (("lists", lists), ("reports", reports), ("grading", grading)):
        if name in groups:
            results.extend(module.figures(course_key))
    if "learner_lists" in groups:
        results.extend(learner_lists.figures(course_key))
    if "certificates" in groups:
        results.extend(certificates.figures(course_key))
    if "enrollment_api" in groups:
        results.extend(enrollment_api.figures(course_key))
    if "programs" in groups:
        results.extend(programs.figures(course_key))
    if "enroll" in groups:
        results.extend(enroll.figures(course_key, identifiers, task_identifiers))

    compared = [row for row in results if isinstance(row, Comparison)]
    alone = [row for row in results if isinstance(row, Figures)]
    if compared:
        print(COMPARISON_HEADER)
        print("-" * len(COMPARISON_HEADER))
        for row in compared:
            print(row.row())
        print()
    if alone:
        print(HEADER)
        print("-" * len(HEADER))
        for row in alone:
            print(row.row())
