"""
Seed a course with many learners, then measure the plugin beside a naive raw-ORM baseline.

``python -m benchmarks [LEARNERS] [--database sqlite|postgresql|mysql | --all-databases] [--only GROUP,...]``

``LEARNERS`` defaults to 200,000. The database is a benchmark database of its own (see
``benchmarks/settings.py``), dropped and rebuilt on every run; ``--all-databases`` runs SQLite, then the
local PostgreSQL and MariaDB, one process each. Groups (all by default): ``lists`` (enrollments, team,
course metadata, gradebook page 1, issued certificates, exam attempts), ``learner_lists`` (cohort members,
cohorts, course grades, the enrollment API's list of the course), ``reports``, ``grading`` (rescoring),
``certificates``, ``enrollment_api`` (the enrollment API's admin list and one POST), ``programs`` (a
1,000-learner program roster sync), ``enroll`` (batch enrollment), ``seed`` (nothing after the seed:
``--only seed`` prints its time alone).

Every read is a request through Django's test client, logged in as the course instructor, timed as the
median of at least five runs beside the same page done with the plain ORM in the same run; the ratio,
not the absolute number, is what to watch.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

DATABASES = ("sqlite", "postgresql", "mysql")
GROUPS = (
    "lists",
    "learner_lists",
    "reports",
    "grading",
    "certificates",
    "enrollment_api",
    "programs",
    "enroll",
    "seed",
)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("learners", type=int, nargs="?", default=200_000, help="learners to seed (200,000)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", choices=DATABASES, default="sqlite")
    where.add_argument("--all-databases", action="store_true", help="SQLite, PostgreSQL and MariaDB in turn")
    parser.add_argument("--only", default=",".join(GROUPS), help=f"comma-separated groups of {', '.join(GROUPS)}")
    parser.add_argument("--identifiers", type=int, default=1_000, help="identifiers of the batch API figure")
    parser.add_argument("--task-identifiers", type=int, default=10_000, help="identifiers of the task figure")
    arguments = parser.parse_args()
    unknown = set(arguments.only.split(",")) - set(GROUPS)
    if unknown:
        parser.error(f"unknown groups: {', '.join(sorted(unknown))}")
    return arguments


def main() -> int:
    arguments = _arguments()
    if arguments.all_databases:
        rest = [arg for arg in sys.argv[1:] if arg != "--all-databases"]
        codes = [subprocess.call([sys.executable, "-m", "benchmarks", *rest, "--database", db]) for db in DATABASES]
        return max(codes)
    os.environ["BENCHMARK_DATABASE"] = arguments.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django  # noqa: PLC0415 (settings chosen above)

    django.setup()
    from benchmarks.run import run  # noqa: PLC0415 (needs Django set up)

    run(arguments.learners, arguments.only.split(","), arguments.identifiers, arguments.task_identifiers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
