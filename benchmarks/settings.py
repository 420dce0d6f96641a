"""The test host's settings on a SQLite file, so a benchmark measures a real database file."""

import os
import tempfile

from test_settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BENCHMARK_DB", os.path.join(tempfile.gettempdir(), "instructor_plugin_bench.sqlite3")),
    }
}
