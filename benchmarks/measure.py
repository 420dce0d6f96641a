"""Run a callable and report its median time, its queries and its peak memory."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Figures:
    """What one measured operation cost."""

    name: str
    median_ms: float
    queries: int
    peak_kib: float | None
    runs: int

    def peak(self) -> str:
        """The traced peak in KiB, or ``-`` when the operation was not traced."""
        return "-" if self.peak_kib is None else f"{self.peak_kib:.0f}"

    def row(self) -> str:
        return f"{self.name:<52} {self.median_ms:>10.1f} {self.queries:>8} {self.peak():>11} {self.runs:>5}"


class _QueryCounter:
    """Counts every statement the default connection executes (no 9,000-query log cap)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def _counting_queries():
    counter = _QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


HEADER = f"{'operation':<52} {'median ms':>10} {'queries':>8} {'peak KiB':>11} {'runs':>5}"


@dataclass(frozen=True)
class Comparison:
    """The plugin's figures beside its naive raw-ORM baseline, measured in the same run."""

    ours: Figures
    baseline: Figures

    def row(self) -> str:
        ratio = self.ours.median_ms / self.baseline.median_ms if self.baseline.median_ms else float("inf")
        return (
            f"{self.ours.name:<52} {self.ours.median_ms:>10.1f} {self.ours.queries:>6} "
            f"{self.baseline.median_ms:>10.1f} {self.baseline.queries:>6} {ratio:>6.2f}x "
            f"{self.ours.peak():>9} {self.baseline.peak():>9}"
        )


COMPARISON_HEADER = (
    f"{'operation':<52} {'plugin ms':>10} {'q':>6} {'naive ms':>10} {'q':>6} {'ratio':>7} "
    f"{'peak KiB':>9} {'naive KiB':>9}"
)


def _timed_ms(operation: Callable[[], object]) -> float:
    started = time.perf_counter()
    operation()
    return (time.perf_counter() - started) * 1000


def measure(name: str, operation: Callable[[], object], runs: int = 5, trace_memory: bool = True) -> Figures:
    """
    Time ``operation`` ``runs`` times; count queries and trace memory on one more run.

    Timed runs are not traced: tracemalloc slows Python code several times over. Without
    ``trace_memory`` there is no extra run: the first timed run counts the queries.
    """
    if not trace_memory:
        with _counting_queries() as queries:
            timings = [_timed_ms(operation)]
        timings += [_timed_ms(operation) for _ in range(runs - 1)]
        return Figures(name, statistics.median(timings), queries.count, None, runs)
    timings = [_timed_ms(operation) for _ in range(runs)]
    tracemalloc.start()
    with _counting_queries() as queries:
        operation()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Figures(name, statistics.median(timings), queries.count, peak / 1024, runs)


#: A quick operation measured in turns with its baseline takes turns until it has run this long, or this often:
#: a report of 0.1-0.3 s then has 10-25 turns, where five left its ratio 10-20% apart from run to run.
_PAIR_MIN_MS = 3000
_PAIR_MAX_RUNS = 25


def measure_pair(
    ours: tuple[str, Callable[[], object]], baseline: tuple[str, Callable[[], object]], runs: int = 5
) -> Comparison:
    """
    Time the plugin's operation and its baseline in turns, at least ``runs`` times each, then trace the plugin's memory.

    Taking turns, a drift in the machine's speed (another process, the database's caches, a checkpoint)
    falls on both figures alike instead of on whichever ran second. A quick operation takes more turns, until
    it has run for three seconds or 25 times: its median is then not one lucky or unlucky run. The first run of
    each counts its queries.
    """
    (ours_name, ours_run), (baseline_name, baseline_run) = ours, baseline
    with _counting_queries() as ours_queries:
        ours_timings = [_timed_ms(ours_run)]
    with _counting_queries() as baseline_queries:
        baseline_timings = [_timed_ms(baseline_run)]
    while len(ours_timings) < runs or (sum(ours_timings) < _PAIR_MIN_MS and len(ours_timings) < _PAIR_MAX_RUNS):
        ours_timings.append(_timed_ms(ours_run))
        baseline_timings.append(_timed_ms(baseline_run))
    tracemalloc.start()
    ours_run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Comparison(
        Figures(ours_name, statistics.median(ours_timings), ours_queries.count, peak / 1024, len(ours_timings)),
        Figures(baseline_name, statistics.median(baseline_timings), baseline_queries.count, None, len(ours_timings)),
    )


def measure_write(name: str, timed: Callable[[], object], traced: Callable[[], object] | None = None) -> Figures:
    """
    Measure a write that cannot be repeated on the same data.

    ``timed`` and ``traced`` do the same work on two different sets of rows: the
    first is timed, the second counts queries and traces memory. Without ``traced``
    (a write too long to trace), the timed run counts the queries and memory is not traced.
    """
    if traced is None:
        started = time.perf_counter()
        with _counting_queries() as queries:
            timed()
        return Figures(name, (time.perf_counter() - started) * 1000, queries.count, None, 1)
    started = time.perf_counter()
    timed()
    elapsed = (time.perf_counter() - started) * 1000
    tracemalloc.start()
    with _counting_queries() as queries:
        traced()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Figures(name, elapsed, queries.count, peak / 1024, 1)
