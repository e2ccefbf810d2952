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

run: seed
	$(VENV)/bin/gunicorn config.wsgi:application --bind 0.0.0.0:$(PORT) --workers 2 --threads 4 \
		--access-logfile - --log-level $(or $(LOG_LEVEL),info)

test: install-dev
	./scripts/ensure_services.sh
	./scripts/run_tests.sh

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var .pytest_cache
