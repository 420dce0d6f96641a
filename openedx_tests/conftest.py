"""Each test starts with empty caches, an empty stand-in modulestore, no site configuration and no ORA2 files."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from edx_django_utils.cache import RequestCache
from openedx.core.djangoapps.site_configuration import helpers as site_configuration
from xmodule.modulestore import django as modulestore

# The backend contract suite lives in the package; have pytest explain its failing asserts.
pytest.register_assert_rewrite("instructor_plugin.backends.contract")


@pytest.fixture(autouse=True)
def _own_ora2_files(settings, tmp_path):
    """ORA2's filesystem uploads of each test go to a folder of its own (file keys repeat across tests)."""
    root = tmp_path / "ora2"
    root.mkdir()
    settings.ORA2_FILEUPLOAD_ROOT = str(root)


@pytest.fixture(autouse=True)
def _fresh_host():
    RequestCache.clear_all_namespaces()
    cache.clear()
    modulestore.reset()
    site_configuration.SITE_VALUES.clear()
    site_configuration.ORG_VALUES.clear()
    yield
    RequestCache.clear_all_namespaces()
    cache.clear()
    modulestore.reset()
