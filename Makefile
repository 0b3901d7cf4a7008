# Lifeline. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails, calendar files and the digest preview follow the address `make run` serves.
SITE_URL ?= http://$(HOST):$(PORT)
BENCH_DB ?= postgres://postgres@127.0.0.1:5432

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast test-dates browser-deps lock migrate seed messages bench bench-mix bench-data bench-related clean oidc-provider

help: ## List the targets and what they do
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}' \
	  | sed -e 's/$$(HOST)/$(HOST)/g' -e 's/$$(PORT)/$(PORT)/g' -e 's/$$(OIDC_PORT)/$(OIDC_PORT)/g'

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
	DEBUG=$${DEBUG-1} SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo

run: seed ## Serve the portal with demo data at http://$(HOST):$(PORT) (SQLite; a worker and beat send scheduled email to var/mail/)
	@mkdir -p var/celery var/mail
	@trap 'kill 0' EXIT; \
	DEBUG=$${DEBUG-1} SITE_URL=$(SITE_URL) CELERY_BROKER_URL=filesystem:// $(BIN)/celery -A portal worker --beat \
	  --pool=solo --loglevel=WARNING --schedule=var/celery-beat-schedule & \
	DEBUG=$${DEBUG-1} SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The test OpenID provider, to try company sign-in by hand beside `make run` (see README, "Company sign-in").
OIDC_PORT ?= 9000
oidc-provider: node_modules/.installed ## Start the test OpenID provider at http://127.0.0.1:$(OIDC_PORT) for `make run` (accounts in tests/oidc/accounts.json)
	node tests/oidc/provider.mjs --port $(OIDC_PORT) --accounts tests/oidc/accounts.json \
	  --redirect-uri $(SITE_URL)/accounts/oidc/callback/

browser-deps: ## Install Debian's Chromium, gettext and Java for the browser, catalog and HTML tests (as root)
	@command -v chromium >/dev/null && command -v msgfmt >/dev/null && command -v java >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core gettext default-jre-headless >/dev/null; \
	  else echo "Install Debian's chromium, gettext and default-jre-headless packages to run every test."; fi; }

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm is missing: the accessibility and HTML checks need Node.js (apt-get install nodejs npm)"; fi

# Tests run in parallel, one process per core, each with a database of its own.
XDIST ?= -n auto

test: install browser-deps node_modules/.installed ## Run the whole test suite (set DATABASE_URL for PostgreSQL)
	DEBUG=1 $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

test-fast: install ## Run the suite without the browser tests
	DEBUG=1 $(BIN)/python -m pytest $(XDIST) -m "not browser" $(PYTEST_ARGS)

test-dates: install ## Run the suite without the browser tests as if it were the 1st, then the 28th of a month
	LIFELINE_TEST_NOW=2027-03-01T00:30:00+00:00 $(MAKE) --no-print-directory test-fast
	LIFELINE_TEST_NOW=2027-02-28T23:30:00+00:00 $(MAKE) --no-print-directory test-fast

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

bench-related: install ## Time "Stories like this" (story and customer pages) on lifeline_bench: p50/p95 ms, target p95 < 20 ms
	DATABASE_URL=$(BENCH_DB)/lifeline_bench $(BIN)/python bench/related_bench.py

bench-mix: install ## The realistic mix (many signed-in people, 5% writes) at both sizes, then the one-URL table; bench/results/<date>-mix-*.md
	BENCH_DB_BASE=$(BENCH_DB) $(BIN)/python bench/mix.py --stories 1000 $(MIX_ARGS)
	BENCH_DB_BASE=$(BENCH_DB) $(BIN)/python bench/mix.py --stories 100000 --one-url $(MIX_ARGS)

clean: ## Remove the virtualenv and everything under var/
	rm -rf $(VENV) var/*
