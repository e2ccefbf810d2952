# The two commands: `make run` starts the product, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT := $(or $(DRIVER_DASHBOARD_PORT),8100)

.PHONY: run test install install-dev migrate seed lint format bench clean

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

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_charging_points
	$(PY) manage.py seed_demo

# Everything in one terminal with honcho (Procfile): web on $(PORT), Celery worker and beat, the Kafka consumer,
# and, when nothing external is configured, a local tansu broker and the central simulator. Ctrl-C stops all.
run: seed
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py run_stack

# Before the suite: a fresh venv from requirements.txt alone starts every production process (about 30 s).
test: install-dev
	./scripts/ensure_services.sh
	./scripts/check_production_install.sh
	./scripts/install_browser.sh
	./scripts/run_tests.sh

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var .pytest_cache
