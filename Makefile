# MusicBeats. `make run` for the demo, `make test` for the whole suite. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
WORKERS ?= 3
PYTHON ?= python3
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help run test test-dates serve bench lint check-migrations pytest lock chromium system-deps clean soak

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
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:$(PORT)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

check-migrations: venv
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

pytest: venv chromium system-deps
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint check-migrations pytest ## ruff, migrations check and the whole suite (browser tests included)

test-dates: venv system-deps ## the date-sensitive tests again, as of every edge day (tests/clock.py)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -m "dates and not budget" --as-of edges $(PYTEST_ARGS)

serve: venv system-deps ## production mode: gunicorn, whitenoise, settings from the environment
	$(MANAGE) check --deploy --fail-level WARNING
	$(MANAGE) collectstatic --no-input -v0
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) createcachetable
	$(VENV)/bin/gunicorn musicbeats.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) \
		--access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

bench: venv ## benchmark every page on the large demo institute (writes BENCHMARKS.md)
	$(PY) tests/bench.py

soak: venv system-deps ## 60 s of fee desks, tablets and readers on SQLite and PostgreSQL, with faults (writes SOAK.md)
	$(PY) tests/soak.py --database both --report SOAK.md
	$(PY) tests/soak.py --database sqlite --seconds 20 --sqlite-transaction-mode DEFERRED --expect-failure

lock: ## recompile requirements.txt (with hashes) from requirements.in
	$(UV) pip compile --quiet --python 3.13 --generate-hashes requirements.in -o requirements.txt

clean:
	rm -rf $(VENV) .tools staticfiles
