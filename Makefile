# MusicBeats. `make run` for the demo, `make test` for the whole suite. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
WORKERS ?= 3
PYTHON ?= python3
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
VENV := .venv
BENCH_VENV := .bench-venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help run worker test test-dates deploy serve reload bench bench-venv soak lint check-migrations pytest lock chromium system-deps clean

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.tools/bin/uv: requirements-uv.txt
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --require-hashes -r requirements-uv.txt
	@touch $@

$(VENV)/.synced: requirements.txt .python-version | $(UV)
	$(UV) venv --quiet --allow-existing $(VENV)
	$(UV) pip sync --quiet --python $(PY) --require-hashes requirements.txt
	@touch $@

venv: $(VENV)/.synced

# The benchmark's load tool (locust) lives in a venv of its own: the app never imports it.
$(BENCH_VENV)/.synced: requirements-bench.txt .python-version | $(UV)
	$(UV) venv --quiet --allow-existing $(BENCH_VENV)
	$(UV) pip sync --quiet --python $(BENCH_VENV)/bin/python --require-hashes requirements-bench.txt
	@touch $@

bench-venv: $(BENCH_VENV)/.synced

chromium: ## install Debian's Chromium for the browser tests when it is missing
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@test -x $(CHROMIUM) || { echo "Chromium is missing at $(CHROMIUM)"; exit 1; }

# weasyprint (receipt PDFs) loads Pango, HarfBuzz and fontconfig at run time; DejaVu has
# the rupee sign. Installed from Debian's packages when a library is missing.
PDF_LIBS := libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0 libfontconfig.so.1
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core

system-deps: ## install Debian's libraries for receipt PDFs (weasyprint) when missing
	@missing=; for lib in $(PDF_LIBS); do /sbin/ldconfig -p | grep -q "$$lib" || missing=1; done; \
	test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || missing=1; \
	if [ -n "$$missing" ]; then \
		echo "Installing $(PDF_PACKAGES)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; \
	fi

run: venv system-deps ## the demo on http://127.0.0.1:$(PORT) with SQLite and demo data
	DEBUG=1 $(MANAGE) migrate --no-input -v0
	DEBUG=1 $(MANAGE) createcachetable
	DEBUG=1 $(MANAGE) seed_demo --if-empty
	@printf "\nMusicBeats: http://127.0.0.1:$(PORT)/\n\n"
	@# The task worker (mails and texts leave through it) runs beside the dev server and stops
	@# with it: one recipe line, so the trap sees both.
	DEBUG=1 PORT=$(PORT) $(MANAGE) tasks_worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
		DEBUG=1 PORT=$(PORT) MFA_DEMO_EXEMPT=1 $(MANAGE) runserver 127.0.0.1:$(PORT)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

check-migrations: venv
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

pytest: venv chromium system-deps
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint check-migrations pytest ## ruff, migrations check and the whole suite (browser tests included)

# EDGES=database-edges: only the edges where the database's date handling matters.
EDGES ?= edges
test-dates: venv system-deps ## the date-sensitive tests again, as of every edge day (tests/clock.py)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -m "dates and not budget" --as-of $(EDGES) $(PYTEST_ARGS)

# Static files are collected when a source changed (make compares the times), not on
# every start: collectstatic alone took about 65 s (issue 12).
STATIC_SOURCES := $(shell find static accounts/static attendance/static fees/static -type f 2>/dev/null)
staticfiles/staticfiles.json: $(STATIC_SOURCES) requirements.txt
	$(MANAGE) collectstatic --no-input -v0
	@touch $@

# What a release needs once (a shell command list, so `serve` can run it without a
# recursive make): the deploy checks, static files, migrations and the cache table.
DEPLOY_STEPS := $(MANAGE) check --deploy --fail-level WARNING \
	&& $(MANAGE) collectstatic --no-input -v0 && touch staticfiles/staticfiles.json \
	&& $(MANAGE) migrate --no-input -v0 && $(MANAGE) createcachetable

deploy: venv system-deps ## once per release, before (re)starting: check --deploy, static files, migrations
	$(DEPLOY_STEPS)

# `make serve` starts in seconds: the deploy steps ran at `make deploy`. A cheap guard
# (no system checks) asks whether migrations are unapplied; only then (a fresh machine,
# or an upgrade without `make deploy`) it runs the deploy steps first. gunicorn writes its
# pid file (SERVER_PIDFILE) so `manage.py restore` can refuse while it runs; `make reload`
# sends it HUP (new workers with the new code, the old ones finish their requests).
serve: venv system-deps staticfiles/staticfiles.json ## production mode: gunicorn, whitenoise, settings from the environment
	@$(MANAGE) migrate --check --skip-checks --no-input -v0 >/dev/null 2>&1 || \
		{ echo "Unapplied migrations: running the deploy steps first (make deploy)."; $(DEPLOY_STEPS); }
	$(VENV)/bin/gunicorn musicbeats.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) \
		--pid "$${SERVER_PIDFILE:-gunicorn.pid}" \
		--access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

worker: venv ## the background task worker for `make serve` (mails, texts; TASKS_BACKEND database or rq)
	$(MANAGE) tasks_worker

reload: ## graceful reload of `make serve` (gunicorn HUP): new code, no dropped requests
	kill -HUP "$$(cat "$${SERVER_PIDFILE:-gunicorn.pid}")"

# SQLite first, then PostgreSQL; each run writes its database's section of BENCHMARKS.md.
# BENCH_SCALE=small checks every phase quickly on the small demo (figures not to keep).
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/musicbeats_bench
bench: venv bench-venv ## benchmark every page, the busy day and throughput on the large demo institute, SQLite and PostgreSQL (writes BENCHMARKS.md)
	BENCH_DATABASE_URL= $(PY) tests/bench.py
	BENCH_DATABASE_URL=$(BENCH_POSTGRES_URL) $(PY) tests/bench.py

soak: venv system-deps ## 60 s of fee desks, tablets and readers on SQLite and PostgreSQL with faults (writes SOAK.md); the long test variants (backup drill, form fuzz, the large demo and its timetable, 100,000 lessons)
	$(PY) tests/soak.py --database both --report SOAK.md
	$(PY) tests/soak.py --database sqlite --seconds 20 --sqlite-transaction-mode DEFERRED --expect-failure
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -m soak

lock: ## recompile requirements.txt and requirements-bench.txt (with hashes) from their .in files
	$(UV) pip compile --quiet --python 3.13 --generate-hashes requirements.in -o requirements.txt
	$(UV) pip compile --quiet --python 3.13 --generate-hashes requirements-bench.in -o requirements-bench.txt

clean:
	rm -rf $(VENV) $(BENCH_VENV) .tools staticfiles
