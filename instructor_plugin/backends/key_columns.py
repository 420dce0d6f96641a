"""
Types of the model columns holding opaque keys, for mypy only.

edx-opaque-keys types every ``CourseKeyField`` and ``UsageKeyField`` as reading ``key | None``,
since it reads an empty string as ``None``. A column that always holds a key is annotated with
one of these, so that reading it gives the key::

    course_key: CourseKeyColumn = CourseKeyField(max_length=255)
"""

from typing import TypeAlias

from django.db import models
from opaque_keys.edx.keys import CourseKey, UsageKey

# Strings, so that nothing subscripts Django's fields at run time (they are generic only in the stubs).
CourseKeyColumn: TypeAlias = "models.Field[CourseKey | str, CourseKey]"
UsageKeyColumn: TypeAlias = "models.Field[UsageKey | str, UsageKey]"
