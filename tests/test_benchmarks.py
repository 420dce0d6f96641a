"""``python -m benchmarks`` runs every group end to end (at a tiny size, on a SQLite file of its own)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_group_runs_and_prints_its_figures(tmp_path):
    environment = {
        **os.environ,
        "BENCHMARK_DATABASE": "sqlite",
        "BENCHMARK_DB_NAME": "benchmark_smoke",
        "BENCHMARK_DB": str(tmp_path / "benchmark.sqlite3"),
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "benchmarks", "20", "--identifiers", "5", "--task-identifiers", "10"]
    run = subprocess.run(command, check=False, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600)

    assert run.returncode == 0, run.stderr
    assert "Seeded 20 learners in" in run.stdout
    for figure in (
        "enrollments page 1",
        "cohort members page 1",
        "report enrolled_students",
        "report problem_responses",
        "rescore problem, 20 learners (task)",
        "exceptions/bulk",
        "enrollment API admin list",
        "program roster sync",
        "enroll 10 identifiers (batch_enrollment task)",
    ):
        assert figure in run.stdout, figure
    # Every report shows its peak memory while written (its baseline is not traced).
    report_lines = [line for line in run.stdout.splitlines() if line.startswith("report ")]
    assert len(report_lines) == 12
    for line in report_lines:
        *_, peak, naive_peak = line.split()
        assert peak.isdigit() and naive_peak == "-", line


def test_a_pair_is_timed_in_turns_and_quick_operations_take_more_turns(monkeypatch):
    from benchmarks import measure  # noqa: PLC0415 (imports Django's connection)

    calls: list[str] = []
    pair = measure.measure_pair(("ours", lambda: calls.append("ours")), ("base", lambda: calls.append("base")), runs=5)

    # Instant operations run 25 turns (then the plugin's once more, traced), alternating from the first.
    assert calls[:50] == ["ours", "base"] * 25
    assert calls[50:] == ["ours"]
    assert (pair.ours.runs, pair.baseline.runs) == (25, 25)
    assert pair.ours.peak_kib is not None and pair.baseline.peak_kib is None

    monkeypatch.setattr(measure, "_PAIR_MIN_MS", 0)
    calls.clear()
    pair = measure.measure_pair(("ours", lambda: calls.append("ours")), ("base", lambda: calls.append("base")), runs=5)
    assert calls == ["ours", "base"] * 5 + ["ours"]
    assert (pair.ours.runs, pair.baseline.runs) == (5, 5)
