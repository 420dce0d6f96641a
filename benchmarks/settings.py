"""
The test host's settings on a benchmark database of its own, never a test database.

``BENCHMARK_DATABASE`` picks the engine: ``sqlite`` (a file, the default), ``postgresql`` (the
local server at 127.0.0.1:5432, user ``postgres``) or ``mysql`` (the local MariaDB at 127.0.0.1:3306,
user ``root``). The database is called ``instructor_plugin_bench`` on the servers (``BENCHMARK_DB_NAME``
names another, so that runs side by side do not drop each other's); ``BENCHMARK_DB`` names the SQLite file.
"""

import os
import tempfile

from test_settings import *  # noqa: F403

_ENGINE = os.environ.get("BENCHMARK_DATABASE", "sqlite")
_NAME = os.environ.get("BENCHMARK_DB_NAME", "instructor_plugin_bench")

if _ENGINE == "postgresql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _NAME,
            "USER": os.environ.get("PGUSER", "postgres"),
            "HOST": "127.0.0.1",
            "PORT": "5432",
        }
    }
elif _ENGINE == "mysql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": _NAME,
            "USER": "root",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": "3306",
            "OPTIONS": {"charset": "utf8mb4"},
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("BENCHMARK_DB", os.path.join(tempfile.gettempdir(), f"{_NAME}.sqlite3")),
        }
    }

#: Report and open-response files of a benchmark run, beside its database, never in the checkout.
_FILES = os.path.join(tempfile.gettempdir(), f"{_NAME}_files")
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
