# Lifeline. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
BENCH_DB ?= postgres://postgres@127.0.0.1:5432

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast browser-deps lock migrate seed messages bench bench-mix bench-data clean

help: ## List the targets and what they do
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements/test.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/test.txt
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the locked dependencies

migrate: install ## Apply database migrations (SQLite under var/ unless DATABASE_URL is set)
	@mkdir -p var/static
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py migrate --no-input

seed: migrate ## Load the demo company (safe to run again)
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py seed_demo

run: seed ## Serve the portal with demo data at http://127.0.0.1:8000 (SQLite, tasks in-process)
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

browser-deps: ## Install Debian's Chromium and gettext for the browser and catalog tests (as root)
	@command -v chromium >/dev/null && command -v msgfmt >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core gettext >/dev/null; \
	  else echo "Install Debian's chromium and gettext packages to run every test (sudo apt-get install chromium gettext)."; fi; }

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm is missing: the accessibility checks need Node.js (apt-get install nodejs npm)"; fi

test: install browser-deps node_modules/.installed ## Run the whole test suite (set DATABASE_URL for PostgreSQL)
	DEBUG=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install ## Run the suite without the browser tests
	DEBUG=1 $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

lock: ## Re-pin requirements/*.txt from pyproject.toml
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile --quiet --python-version 3.11 pyproject.toml -o requirements/base.txt
	$(BIN)/uv pip compile --quiet --python-version 3.11 pyproject.toml --extra test -o requirements/test.txt

messages: install ## Refresh the translation catalogs in locale/ from the code, then compile them
	DEBUG=1 $(BIN)/python manage.py makemessages --no-obsolete --no-location --ignore='.venv/*' --ignore='node_modules/*' --ignore='var/*' --ignore='tests/*' --ignore='bench/*' -l ar -l he -l fa -l vi
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore='.venv/*' --ignore='node_modules/*'

bench-data: install ## Fill lifeline_bench_small (1,000 stories) and lifeline_bench (100,000) in local PostgreSQL
	DEBUG=1 DATABASE_URL=$(BENCH_DB)/lifeline_bench_small $(BIN)/python bench/generate.py --stories 1000 --seed 0
	DEBUG=1 DATABASE_URL=$(BENCH_DB)/lifeline_bench $(BIN)/python bench/generate.py --stories 100000 --seed 0

bench: install ## Load-test both bench databases under gunicorn with wrk; table in bench/results/ (make bench-data first)
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
	BENCH_DB_BASE=$(BENCH_DB) $(BIN)/python bench/run.py

bench-mix: install ## The realistic mix (many signed-in people, 5% writes) at both sizes, then the one-URL table; bench/results/<date>-mix-*.md
	BENCH_DB_BASE=$(BENCH_DB) $(BIN)/python bench/mix.py --stories 1000 $(MIX_ARGS)
	BENCH_DB_BASE=$(BENCH_DB) $(BIN)/python bench/mix.py --stories 100000 --one-url $(MIX_ARGS)

clean: ## Remove the virtualenv and everything under var/
	rm -rf $(VENV) var/*
