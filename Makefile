# Everything runs in ./.venv, built from the repo's own requirements files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: help demo test test-postgresql test-mysql test-worker test-openedx test-tutor fuzz lint typecheck benchmark compile-requirements clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-%: requirements/%.txt setup.cfg | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/$*.txt -e .
	touch $@

demo: $(VENV)/.installed-demo ## set up and run the demo host on http://localhost:8000
	$(BIN)/python demo/run.py

test: $(VENV)/.installed-test ## set up and run the whole test suite (SQLite)
	$(BIN)/pytest

test-postgresql: $(VENV)/.installed-ci ## the suite on the local PostgreSQL
	INSTRUCTOR_PLUGIN_TEST_DB=postgresql $(BIN)/pytest -p no:cacheprovider

test-mysql: $(VENV)/.installed-ci ## the suite on the local MariaDB/MySQL
	INSTRUCTOR_PLUGIN_TEST_DB=mysql $(BIN)/pytest -p no:cacheprovider

# The broker defaults to the local Redis; BROKER=amqp://guest:guest@127.0.0.1:5672// uses RabbitMQ.
BROKER ?= redis://127.0.0.1:6379/15
test-worker: $(VENV)/.installed-ci ## the task tests through a real Celery worker (PostgreSQL, $$BROKER)
	INSTRUCTOR_PLUGIN_TEST_DB=postgresql INSTRUCTOR_PLUGIN_TEST_BROKER=$(BROKER) $(BIN)/pytest -p no:cacheprovider worker_tests

# The Open edX backend's tests run in a virtualenv of their own, with the Open edX libraries an LMS has
# (edx-when, edx-proctoring, edx-completion, edx-ace, ora2, edx-submissions, edx-organizations, ...): the default one stays free of them, so that `make test` and `make lint`
# see the plugin as a standalone host does.
OPENEDX_VENV := .venv-openedx
$(OPENEDX_VENV)/.installed: requirements/openedx.txt setup.cfg
	$(PYTHON) -m venv $(OPENEDX_VENV)
	$(OPENEDX_VENV)/bin/pip install --quiet --upgrade pip
	$(OPENEDX_VENV)/bin/pip install --quiet -r requirements/openedx.txt -e .
	touch $@

OPENEDX_DB ?= sqlite
test-openedx: $(OPENEDX_VENV)/.installed ## the Open edX backend against the real Open edX libraries and the platform stand-in (OPENEDX_DB=postgresql|mysql)
	INSTRUCTOR_PLUGIN_TEST_DB=$(OPENEDX_DB) $(OPENEDX_VENV)/bin/pytest -p no:cacheprovider --ds=openedx_tests.settings openedx_tests

# The Tutor plugin (tutor_plugin/, a package of its own) is tested with Tutor itself in a third virtualenv:
# Tutor loads it through its entry point and renders its patches and init task; no Docker needed.
TUTOR_VENV := .venv-tutor
$(TUTOR_VENV)/.installed: requirements/tutor.txt tutor_plugin/pyproject.toml
	$(PYTHON) -m venv $(TUTOR_VENV)
	$(TUTOR_VENV)/bin/pip install --quiet --upgrade pip
	$(TUTOR_VENV)/bin/pip install --quiet -r requirements/tutor.txt -e tutor_plugin
	touch $@

test-tutor: $(TUTOR_VENV)/.installed ## the Tutor plugin: mypy, then loaded and rendered by Tutor 22 (settings, image, init task)
	$(TUTOR_VENV)/bin/mypy --config-file tutor_plugin/pyproject.toml tutor_plugin/tutor_instructor_plugin
	$(TUTOR_VENV)/bin/pytest -c tutor_plugin/pyproject.toml tutor_plugin/tests

fuzz: $(VENV)/.installed-fuzz ## schemathesis over the whole API of a throwaway demo host, as several roles
	$(BIN)/python .ci/fuzz

lint: $(VENV)/.installed-ci ## ruff (lint + format check), the import-linter contracts and mypy
	$(BIN)/ruff check . .ci/fuzz
	$(BIN)/ruff format --check . .ci/fuzz
	$(BIN)/lint-imports
	$(BIN)/mypy

typecheck: $(VENV)/.installed-ci ## mypy over the package (configured in setup.cfg)
	$(BIN)/mypy

benchmark: $(VENV)/.installed-ci ## seed 200,000 learners, print each figure beside its baseline (ARGS="50000 --all-databases")
	$(BIN)/python -m benchmarks $(ARGS)

compile-requirements: | $(BIN)/python ## re-pin requirements/*.txt from the .in files
	$(BIN)/pip install --quiet pip-tools
	for f in base test ci dev demo fuzz; do \
		$(BIN)/pip-compile --quiet --strip-extras --no-header --allow-unsafe requirements/$$f.in -o requirements/$$f.txt; \
	done

clean: ## remove the virtualenv and generated files
	rm -rf $(VENV) $(OPENEDX_VENV) $(TUTOR_VENV) .pytest_cache .ruff_cache .mypy_cache demo/data
