# Developer commands. `make run` serves the embedded default (SQLite under var/, Celery eager,
# e-mails written as files under var/mail/, demo data loaded); `make test` runs the whole suite.
# Every target works with no environment at all; DATABASE_URL / REDIS_URL switch to the full stack.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
AXE := node_modules/axe-core/axe.min.js
PYTEST_ARGS ?=

.PHONY: run test lint migrate seed worker beat clean distclean install var

run: $(STAMP) var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP) $(AXE)
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrate: $(STAMP) var
	$(PY) manage.py migrate --noinput

seed: $(STAMP) var
	$(PY) manage.py seed_demo

worker: $(STAMP) var
	$(VENV)/bin/celery -A portal worker -l info

beat: $(STAMP) var
	$(VENV)/bin/celery -A portal beat -l info --schedule var/celerybeat-schedule

install: $(STAMP)

# The virtualenv, (re)installed only when pyproject.toml is newer than the stamp.
$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# axe-core for the browser tests, pinned in package-lock.json.
$(AXE): package-lock.json
	npm ci --no-audit --no-fund
	touch $(AXE)

var:
	mkdir -p var/mail var/sms var/private

clean:
	rm -rf var test-results .ruff_cache .pytest_cache
	find . -name __pycache__ -type d -not -path "./$(VENV)/*" -not -path "./node_modules/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules *.egg-info
