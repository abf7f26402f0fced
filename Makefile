# regsearch — the two commands in the README are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The development CA, the local stack's password-less services: for this machine only
# (core.settings.check refuses them unless REGSEARCH_ENV=development).
export REGSEARCH_ENV ?= development

.PHONY: install services run test lint typecheck unit

$(BIN)/regsearch: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/regsearch

services: install
	$(BIN)/regsearch services up
	$(BIN)/regsearch db upgrade

# Install (supervisor is a dependency), start the services, load a demo registry of
# 10,000 registrations, then run the API, indexer, batch worker and scheduler under
# supervisord (restarted when they die; Ctrl-C stops them all).
run: services
	$(BIN)/regsearch demo

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

# Every test, against the real Elasticsearch, PostgreSQL and Redis.
test: services lint typecheck
	$(BIN)/pytest
