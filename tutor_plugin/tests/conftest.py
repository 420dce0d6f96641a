"""Tutor as its command line starts it: core hooks ready, then the plugins discovered and this one loaded."""

from __future__ import annotations

import json
import os

import pytest
from tutor import config as tutor_config
from tutor import hooks, plugins
from tutor.commands import jobs  # noqa: F401  (declares Tutor's own init tasks when the core is ready)

PLUGIN = "instructor-plugin"


@pytest.fixture(scope="session", autouse=True)
def loaded_plugin():
    """Discover the installed plugins through their entry points and load this one, as ``tutor`` does."""
    hooks.Actions.CORE_READY.do()
    assert PLUGIN in plugins.iter_installed()
    plugins.load(PLUGIN)
    yield PLUGIN
    plugins.unload(PLUGIN)


@pytest.fixture
def make_config(tmp_path, monkeypatch):
    """A full Tutor config (the user's values over base and defaults, rendered), as ``tutor config save`` makes."""
    for name in [name for name in os.environ if name.startswith("TUTOR_")]:
        monkeypatch.delenv(name)
    root = str(tmp_path)

    def make(**user_values):
        if user_values:
            with open(tutor_config.config_path(root), "w", encoding="utf-8") as config_file:
                config_file.writelines(f"{name}: {json.dumps(value)}\n" for name, value in user_values.items())
        return tutor_config.load_full(root)

    return make
