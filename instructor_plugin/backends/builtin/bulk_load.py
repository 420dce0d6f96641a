"""
Bulk loads of users, profiles, enrollments, cohort memberships, certificates and exam attempts: the per-row
triggers paused, their rows rebuilt once.

The triggers that keep ``UserSearchText``, the enrollments' ``username``, ``EnrollmentCount``,
``CohortMemberCount``, ``CertificateCount`` and ``ExamAttemptCount`` run once per row on MySQL (and the
search ones once per statement on PostgreSQL, each rewriting the text and its trigram indexes). Inside
:func:`bulk_load` they skip this connection's inserts (see migrations ``0020_bulk_load_pauses_triggers``,
``0021_certificate_counts``, ``0022_exam_attempt_counts`` and ``0023_cohort_member_counts``; other
connections are not affected), and on leaving it the search text of the loaded users is rewritten by the
triggers' own refresh (on MySQL, then their trigrams, migration ``0024``) and the course's counts are
recounted, in one statement each. Enrollments must be inserted with their username. SQLite keeps its
triggers running (there they cost little beside the inserts) but the search trigrams' (FTS5 inserts row by
row cost more than the load itself): those are dropped for the load and the loaded users' trigrams written
in one statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import connection
from opaque_keys.edx.keys import CourseKey

from .models import (
    CertificateCount,
    CohortMemberCount,
    CohortMembership,
    CourseEnrollment,
    EnrollmentCount,
    ExamAttempt,
    ExamAttemptCount,
    GeneratedCertificate,
    SpecialExam,
    UserProfile,
    UserSearchText,
)

User = get_user_model()


@contextmanager
def bulk_load(course_key: CourseKey) -> Iterator[set[int]]:
    """
    Pause the triggers for the block, then rebuild the search text of the users added to the yielded set
    and the enrollment, cohort member, certificate and exam-attempt counts of ``course_key``. Must run inside a
    transaction.
    """
    loaded: set[int] = set()
    paused: list[str] = []
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SELECT set_config('instructor_plugin.bulk_load', 'on', true)")
        elif vendor == "mysql":
            cursor.execute("SET @instructor_plugin_bulk_load = 1")
        elif vendor == "sqlite":
            paused = _drop_sqlite_trigram_triggers(cursor)
    try:
        yield loaded
        if vendor == "mysql":
            with connection.cursor() as cursor:
                _refresh_mysql_search(cursor, loaded)
    finally:
        if vendor == "mysql":
            with connection.cursor() as cursor:
                cursor.execute("SET @instructor_plugin_bulk_load = NULL")
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            _restore_sqlite_trigrams(cursor, paused, loaded)
        return
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SELECT set_config('instructor_plugin.bulk_load', '', true)")
            _refresh_postgresql_search(cursor, loaded)
        else:
            _recount_enrollments(cursor, course_key)
            _recount_certificates(cursor, course_key)
            _recount_attempts(cursor, course_key)
            _recount_cohorts(cursor, course_key)


def _drop_sqlite_trigram_triggers(cursor) -> list[str]:
    """
    Drop the triggers keeping SQLite's search trigrams (migration ``0022``), returning their SQL.

    SQLite's schema changes are part of the transaction and it has one writer at a time: no other
    connection writes while they are gone, and a rollback brings them back.
    """
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ipb_search_trigrams_%'")
    triggers = cursor.fetchall()
    for name, _ in triggers:
        cursor.execute(f"DROP TRIGGER {name}")
    return [sql for _, sql in triggers]


def _restore_sqlite_trigrams(cursor, triggers: list[str], user_ids: set[int]) -> None:
    """Recreate the dropped trigram triggers, then write the trigrams of the users ``user_ids`` spans at once."""
    for sql in triggers:
        cursor.execute(sql)
    if triggers and user_ids:
        cursor.execute(
            f"INSERT OR REPLACE INTO ipb_search_trigrams (rowid, all_fields) SELECT user_id, all_fields"
            f" FROM {UserSearchText._meta.db_table} WHERE user_id BETWEEN %s AND %s",
            [min(user_ids), max(user_ids)],
        )


def _refresh_postgresql_search(cursor, user_ids: set[int]) -> None:
    """Rewrite the search text of every user from the smallest to the largest of ``user_ids`` (others unchanged)."""
    if not user_ids:
        return
    quote, column = connection.ops.quote_name, str(User._meta.pk.column)
    # Freshly loaded tables have no statistics: without them the refresh's join is planned for empty tables.
    cursor.execute(f"ANALYZE {quote(User._meta.db_table)}, {quote(UserProfile._meta.db_table)}")
    ids = f"SELECT {quote(column)} FROM {quote(User._meta.db_table)} WHERE {quote(column)} BETWEEN %s AND %s"
    cursor.execute(f"SELECT ipb_refresh_user_search(ARRAY({ids}))", [min(user_ids), max(user_ids)])


def _refresh_mysql_search(cursor, user_ids: set[int]) -> None:
    """
    Rewrite the search text of every user from the smallest to the largest of ``user_ids``, the load still
    paused (the trigrams' insert trigger skips the texts written), then set the bits of their trigrams in
    set form (migration ``0024_mysql_search_grams``).
    """
    if not user_ids:
        return
    users = [min(user_ids), max(user_ids)]
    cursor.execute("CALL ipb_refresh_user_search(%s, %s)", users)
    cursor.execute("CALL ipb_search_grams_of_users(%s, %s)", users)


def _recount_enrollments(cursor, course_key: CourseKey) -> None:
    """Set the course's counts to its active enrollments per mode (MySQL's upsert)."""
    counts, enrollments = EnrollmentCount._meta.db_table, CourseEnrollment._meta.db_table
    cursor.execute(
        f"INSERT INTO {counts} (course_key, mode, active) SELECT course_key, mode, COUNT(*) FROM {enrollments}"
        " WHERE course_key = %s AND is_active GROUP BY course_key, mode"
        " ON DUPLICATE KEY UPDATE active = VALUES(active)",
        [str(course_key)],
    )


def _recount_certificates(cursor, course_key: CourseKey) -> None:
    """Set the course's certificate counts to its certificates per status and mode."""
    counts, certificates = CertificateCount._meta.db_table, GeneratedCertificate._meta.db_table
    cursor.execute(f"DELETE FROM {counts} WHERE course_key = %s", [str(course_key)])
    cursor.execute(
        f"INSERT INTO {counts} (course_key, status, mode, certificates)"
        f" SELECT course_key, status, mode, COUNT(*) FROM {certificates} WHERE course_key = %s"
        " GROUP BY course_key, status, mode",
        [str(course_key)],
    )


def _recount_attempts(cursor, course_key: CourseKey) -> None:
    """Set the counts of the course's exams to their attempts (MySQL's upsert)."""
    counts, attempts, exams = (model._meta.db_table for model in (ExamAttemptCount, ExamAttempt, SpecialExam))
    cursor.execute(
        f"INSERT INTO {counts} (exam_id, attempts) SELECT e.id, COUNT(a.id) FROM {exams} e"
        f" LEFT JOIN {attempts} a ON a.exam_id = e.id WHERE e.course_key = %s GROUP BY e.id"
        " ON DUPLICATE KEY UPDATE attempts = VALUES(attempts)",
        [str(course_key)],
    )


def _recount_cohorts(cursor, course_key: CourseKey) -> None:
    """Set the counts of the course's cohorts to their members, and those actively enrolled (MySQL's upsert)."""
    counts, members = CohortMemberCount._meta.db_table, CohortMembership._meta.db_table
    enrollments = CourseEnrollment._meta.db_table
    cursor.execute(
        f"INSERT INTO {counts} (cohort_id, members, enrolled) SELECT m.cohort_id, COUNT(*), COUNT(e.id)"
        f" FROM {members} m LEFT JOIN {enrollments} e"
        " ON e.course_key = m.course_key AND e.user_id = m.user_id AND e.is_active"
        " WHERE m.course_key = %s GROUP BY m.cohort_id"
        " ON DUPLICATE KEY UPDATE members = VALUES(members), enrolled = VALUES(enrolled)",
        [str(course_key)],
    )
