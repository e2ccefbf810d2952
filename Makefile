# The two commands: `make run` starts the product, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT := $(or $(DRIVER_DASHBOARD_PORT),8100)
BIND := $(or $(DRIVER_DASHBOARD_BIND),127.0.0.1)

.PHONY: run dev-mode test install install-dev migrate seed lint lint-js lint-imports format bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# `make run` and its steps are for development: DJANGO_DEBUG=true unless it is set (the settings alone default to
# production, DEBUG off), and the web process on loopback (the Procfile's DRIVER_DASHBOARD_BIND default).
run migrate seed dev-mode: export DJANGO_DEBUG ?= true

dev-mode:
	@case "$$(echo "$$DJANGO_DEBUG" | tr A-Z a-z)" in \
	  1|true|yes|on) echo "make run: DEVELOPMENT mode (DJANGO_DEBUG=$$DJANGO_DEBUG: debug pages, a local secret key; never expose it).";; \
	  *) echo "make run: production settings (DJANGO_DEBUG=$$DJANGO_DEBUG): DJANGO_SECRET_KEY must be set.";; \
	esac
	@echo "make run: the dashboard will be at http://$(BIND):$(PORT)/ (DRIVER_DASHBOARD_BIND, DRIVER_DASHBOARD_PORT)."

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_charging_points
	$(PY) manage.py seed_demo

# Everything in one terminal with honcho (Procfile): web on $(PORT), Celery worker and beat, the Kafka consumer,
# and, when nothing external is configured, a local tansu broker and the central simulator. Ctrl-C stops all.
run: dev-mode seed
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py run_stack

# Before the suite: a fresh venv from requirements.txt alone starts every production process (about 30 s).
test: install-dev
	./scripts/ensure_services.sh
	./scripts/check_production_install.sh
	./scripts/install_browser.sh
	./scripts/lint_js.sh
	$(MAKE) --no-print-directory lint-imports
	./scripts/run_tests.sh

lint: install-dev lint-js lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The layers of .importlinter (config > simulator > central | discovery | dashboard > sessions > notifications >
# drivers > charging points > events > common; inside central: tasks > sync > gateway), and ruff's own checks.
lint-imports: install-dev
	DJANGO_DEBUG=true $(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .

# ESLint on the dashboard's ES modules (npm ci installs the pinned version; skipped, saying so, without node/npm).
lint-js:
	./scripts/lint_js.sh

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var .pytest_cache
