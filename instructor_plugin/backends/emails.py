"""
Emails compared ignoring case in SQL, in the form each database's case-insensitive index of an email holds.

Django's ``iexact`` against another column is a ``LIKE`` on SQLite and MySQL: no index answers it, and the
other column's ``_`` and ``%`` match as wildcards (an invitation to ``a_b@example.com`` would be taken for
``axb@example.com``). :func:`same_email` compares the emails themselves.
"""

from django.db.models import CharField, Func
from django.db.models.lookups import Exact


class EmailKey(Func):
    """
    An email as a case-insensitive comparison reads it: ``UPPER()`` on PostgreSQL, under ``NOCASE`` on
    SQLite, as is on MySQL (whose collations ignore case). The built-in backend's index of
    ``auth_user.email`` (its migration 0002) holds this form.
    """

    arity = 1
    template = "%(expressions)s"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="UPPER(%(expressions)s::text)")

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s COLLATE NOCASE)")


def same_email(left, right) -> Exact:
    """``left = right`` ignoring case (what ``iexact`` means), with no wildcard: ``filter(same_email(...))``."""
    return Exact(EmailKey(left), EmailKey(right))
