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

#: Report and open-response files of a benchmark run, beside its database, never in the checkout.
_FILES = os.path.join(tempfile.gettempdir(), "instructor_plugin_bench_files")
INSTRUCTOR_PLUGIN = {
    **INSTRUCTOR_PLUGIN,  # noqa: F405
    "REPORT_STORAGE": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": f"{_FILES}/reports"},
    },
    "ORA_FILE_STORAGE": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": f"{_FILES}/ora"},
    },
}
