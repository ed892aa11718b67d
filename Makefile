# Two commands for a new user:  `make run`  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
ADMIN_EMAIL ?= admin@demo.example.com

.PHONY: run check-port lock test test-sqlite test-postgres lint format setup setup-dev system-packages migrate seed clean bench bench-instructions conformance test-bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Marker files: reinstall only when the requirements change. The requirements are
# compiled locks (`make lock`): every package pinned, every file checked against its hash.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

## Recompile requirements.txt and requirements-dev.txt from the .in files (pip-tools, with hashes).
## Existing pins are kept; P=NAME upgrades one package, P="NAME1 NAME2" several, UPGRADE=1 all.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade) $(foreach package,$(P),--upgrade-package $(package))
lock: $(VENV)/.dev
	$(PIP_COMPILE) --output-file=requirements.txt requirements.in
	$(PIP_COMPILE) --output-file=requirements-dev.txt requirements-dev.in

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev system-packages node_modules/.installed

# The browser tests' JavaScript (axe-core), pinned in package-lock.json; reinstalled when the lock changes.
node_modules/.installed: package.json package-lock.json | system-packages
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the tests use: chromium drives the browser tests (Playwright's own
# browser download cannot work here); npm installs axe-core for them; wrk and valgrind are
# checked by the benchmark harness's tests.
system-packages:
	@missing=""; for tool in chromium npm wrk valgrind; do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else echo "The tests need Debian's$$missing: sudo apt-get install$$missing"; fi; \
	fi

# A git-ignored .env (mode 0600) for local runs: debug on and a generated secret key, so
# `.venv/bin/python manage.py ...` works as `make run` does. Written only when there is none.
.env: | $(BIN)/python
	@umask 077 && printf '# Written by make run for local development; .env.example lists every variable.\nDJANGO_DEBUG=true\nDJANGO_SECRET_KEY=%s\n' \
	  "$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env: debug on and a generated DJANGO_SECRET_KEY (mode 0600, git-ignored)."

# Refuses a port something already listens on, before anything changes (seed_demo sets a new password).
check-port: | $(BIN)/python
	@$(BIN)/python -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", $(PORT)))' 2>/dev/null || \
	  { echo "Port $(PORT) is in use on 127.0.0.1: stop what runs there, or choose another port: make run PORT=8001"; exit 1; }

## Set up and run the app on SQLite with demo data; prints the login. PORT=8001 to choose the port; Ctrl+C stops it.
run: setup .env check-port
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=true $(BIN)/python manage.py seed_demo --admin-email $(ADMIN_EMAIL) --base-url http://127.0.0.1:$(PORT)
	DJANGO_DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Set up and run the whole test suite (SQLite unless DATABASE_URL says otherwise).
test: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

test-sqlite: setup-dev
	DATABASE_URL= $(BIN)/pytest

## The benchmark harness's slow checks (callgrind, ~75 s), left out of `make test`; CI runs them.
test-bench: setup-dev
	$(BIN)/pytest -m bench

test-postgres: setup-dev
	DATABASE_URL=$${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/braze_scim} $(BIN)/pytest

## scim2-tester once over loopback against gunicorn (throwaway SQLite); last line: N passed, M failed, K skipped.
conformance: setup-dev
	$(BIN)/python tests/scim_api/run_conformance.py

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Load benchmark: gunicorn + wrk on PostgreSQL, 100,000 users (~5 min); see README "Performance".
## BENCH_ARGS=--quick for a ~1-minute smoke run, "--runs 3" for targets on the median of three runs,
## --sqlite for SQLite, --help for the rest.
bench: setup
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null 2>&1 || \
	    { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; \
	  else echo "The benchmark needs Debian's wrk: sudo apt-get install wrk"; exit 1; fi; }
	$(BIN)/python -m bench $(BENCH_ARGS)

## Instructions per request under callgrind (~5 min), against the same floors as make bench: costs that do not drift with load.
## BENCH_ARGS=--sqlite, --database-url URL (a kept bench database), --help for the rest.
bench-instructions: setup
	@command -v valgrind >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq valgrind >/dev/null 2>&1 || \
	    { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }; \
	  else echo "The instruction counts need Debian's valgrind: sudo apt-get install valgrind"; exit 1; fi; }
	$(BIN)/python -m bench.instructions $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
