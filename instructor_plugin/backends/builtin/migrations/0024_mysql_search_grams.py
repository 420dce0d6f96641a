"""
On MySQL/MariaDB: ``ipb_search_grams``, the trigrams of each user's search text, kept by the database.

The lists' search is a ``LIKE '%term%'`` over ``UserSearchText`` (migration ``0018``), which reads every
user's text; SQLite has its FTS5 trigram table for that (``0022``) and PostgreSQL its ``pg_trgm``
indexes, MySQL nothing. This table holds, for each lower-cased three-character piece (``gram``) of
``all_fields`` and each block of 64 consecutive user ids (``block``: ``user_id DIV 64``), the bit set of
those users whose text holds it (``users``: bit ``user_id MOD 64``). A search reads the blocks of a few
of its term's trigrams, ``AND``s their bits and ``LIKE``-checks only the users left.

``LIKE`` follows the column's collation (case- and, in the ``_ci`` collations, accent-insensitive), which
the trigrams cannot follow character by character: only texts of printable ASCII and newlines of up to
``LONGEST`` characters are cut into trigrams; every other user is put under the empty gram, which every
search reads too, so that the users a search checks always include those ``LIKE`` matches. Pieces
holding a newline (two columns' ends) are left out: no term with a newline uses the table.

Triggers on ``UserSearchText`` clear a user's bits for the old text and set them for the new one as it
is written. The insert trigger skips a bulk-loading connection's writes (see ``0020``): once the loader
has rewritten the texts of its user range, it sets their bits in set form, 16,384 users a statement,
with the procedure ``ipb_search_grams_of_users(first_id, last_id)``.
"""

from django.db import migrations

SEARCH = "instructor_plugin_builtin_usersearchtext"
GRAMS = "ipb_search_grams"
MYSQL_NOT_PAUSED = "@instructor_plugin_bulk_load IS NULL"
#: The longest text cut into trigrams (within MySQL's default recursion depth of its positions).
LONGEST = 990
#: Users a statement of the set-form procedure reads (its ``GROUP BY`` stays in memory).
CHUNK = 16384


def _grams(text: str, user: str, source: str, where: str, last_position: str) -> str:
    """
    ``(gram, block, bit)`` rows of the users of ``source`` (a ``FROM`` clause; ``text`` and ``user`` are
    their expressions) that ``where`` keeps, over positions 1 ... ``last_position``: one row per trigram
    and position, or one under the empty gram for a text that is not cut.
    """
    cut = (
        f"(LENGTH(CONVERT({text} USING utf8mb4)) = CHAR_LENGTH({text}) AND CHAR_LENGTH({text}) <= {LONGEST}"
        f" AND NOT REPLACE({text}, '\\n', '') REGEXP '[[:cntrl:]]')"
    )
    piece = f"SUBSTRING({text}, p.n, 3)"
    block, bit = f"{user} DIV 64", f"1 << ({user} MOD 64)"
    return (
        f"WITH RECURSIVE positions (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM positions WHERE n < {last_position})"
        f" SELECT CAST(LOWER(CONVERT({piece} USING ascii)) AS BINARY) AS gram, {block} AS block, {bit} AS bit"
        f" FROM {source} STRAIGHT_JOIN positions p ON p.n <= CHAR_LENGTH({text}) - 2"
        f" WHERE {where} AND {cut} AND LOCATE('\\n', {piece}) = 0"
        f" UNION ALL SELECT '', {block}, {bit} FROM {source} WHERE {where} AND NOT {cut}"
    )


def _add(grams: str) -> str:
    """Set the users' bits of their trigrams."""
    return (
        f"INSERT INTO {GRAMS} (gram, block, users) SELECT gram, block, BIT_OR(bit) FROM ({grams}) AS found"
        " GROUP BY gram, block ON DUPLICATE KEY UPDATE users = users | VALUES(users)"
    )


def _remove(grams: str) -> str:
    """Clear the users' bits of their trigrams."""
    return (
        f"UPDATE {GRAMS} g JOIN (SELECT gram, block, BIT_OR(bit) AS bits FROM ({grams}) AS found"
        " GROUP BY gram, block) AS gone ON gone.gram = g.gram AND gone.block = g.block"
        " SET g.users = g.users & ~gone.bits"
    )


def _drop_emptied(grams: str) -> str:
    """
    Delete the rows of the users' trigrams left with no bit. A join, read by the primary key: MariaDB runs a
    ``DELETE ... WHERE gram IN (subquery)`` as a scan of the whole table (about 30 ms a user at 200,000).
    """
    return (
        f"DELETE g FROM {GRAMS} g JOIN (SELECT DISTINCT gram, block FROM ({grams}) AS found) AS gone"
        " ON gone.gram = g.gram AND gone.block = g.block WHERE g.users = 0"
    )


#: One user's text (the triggers' work): ``user_key`` and ``search_text`` are the procedure's arguments.
_TEXT = _grams(
    "search_text", "user_key", "(SELECT 1 AS one) AS t", "TRUE", f"LEAST(CHAR_LENGTH(search_text), {LONGEST}) - 2"
)
#: The texts of a chunk of users as the table holds them (a bulk load's).
_CHUNK = _grams(
    "t.all_fields", "t.user_id", f"{SEARCH} t", "t.user_id BETWEEN chunk_first AND chunk_last", "longest - 2"
)

MYSQL = [
    f"CREATE TABLE {GRAMS} (gram VARBINARY(3) NOT NULL, block BIGINT NOT NULL, users BIGINT UNSIGNED NOT NULL,"
    " PRIMARY KEY (gram, block))",
    "CREATE PROCEDURE ipb_search_grams_of_text("
    "user_key BIGINT, search_text LONGTEXT CHARACTER SET utf8mb4, adding BOOLEAN) MODIFIES SQL DATA BEGIN"
    f" IF adding THEN {_add(_TEXT)};"
    f" ELSE {_remove(_TEXT)}; {_drop_emptied(_TEXT)}; END IF; END",
    "CREATE PROCEDURE ipb_search_grams_of_users(first_id BIGINT, last_id BIGINT) MODIFIES SQL DATA BEGIN"
    " DECLARE chunk_first BIGINT DEFAULT first_id; DECLARE chunk_last BIGINT; DECLARE longest INT;"
    " WHILE chunk_first <= last_id DO"
    f" SET chunk_last = LEAST(last_id, chunk_first + {CHUNK - 1});"
    f" SELECT LEAST(MAX(CHAR_LENGTH(all_fields)), {LONGEST}) INTO longest FROM {SEARCH}"
    " WHERE user_id BETWEEN chunk_first AND chunk_last;"
    f" {_add(_CHUNK)}; SET chunk_first = chunk_first + {CHUNK}; END WHILE; END",
    f"CREATE TRIGGER ipb_search_grams_insert AFTER INSERT ON {SEARCH} FOR EACH ROW BEGIN"
    f" IF {MYSQL_NOT_PAUSED} THEN CALL ipb_search_grams_of_text(NEW.user_id, NEW.all_fields, TRUE); END IF; END",
    # Updates and deletes are never paused: a bulk load's triggers update the texts of users outside its range.
    f"CREATE TRIGGER ipb_search_grams_update AFTER UPDATE ON {SEARCH} FOR EACH ROW BEGIN"
    " IF NEW.user_id <> OLD.user_id OR CAST(NEW.all_fields AS BINARY) <> CAST(OLD.all_fields AS BINARY) THEN"
    " CALL ipb_search_grams_of_text(OLD.user_id, OLD.all_fields, FALSE);"
    " CALL ipb_search_grams_of_text(NEW.user_id, NEW.all_fields, TRUE); END IF; END",
    f"CREATE TRIGGER ipb_search_grams_delete AFTER DELETE ON {SEARCH} FOR EACH ROW BEGIN"
    " CALL ipb_search_grams_of_text(OLD.user_id, OLD.all_fields, FALSE); END",
]
MYSQL_REVERSE = [
    *(f"DROP TRIGGER ipb_search_grams_{event}" for event in ("insert", "update", "delete")),
    "DROP PROCEDURE ipb_search_grams_of_text",
    "DROP PROCEDURE ipb_search_grams_of_users",
    f"DROP TABLE {GRAMS}",
]
#: The trigrams of the users already there.
BACKFILL = f"CALL ipb_search_grams_of_users((SELECT MIN(user_id) FROM {SEARCH}), (SELECT MAX(user_id) FROM {SEARCH}))"


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "mysql":
            return
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("instructor_plugin_builtin", "0023_cohort_member_counts"),
    ]

    operations = [migrations.RunPython(_run([*MYSQL, BACKFILL]), _run(MYSQL_REVERSE))]
