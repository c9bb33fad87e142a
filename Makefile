# Two commands: `make run` (serve the demo programme) and `make test` (the whole suite).
# Both create .venv when it is missing. DATABASE_URL / REDIS_URL, when set, replace SQLite and the
# embedded Celery transport.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format messages bench system-packages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

# PDFs need Pango/HarfBuzz and the Noto fonts of every script (Khmer, Bengali, Ethiopic, Arabic): the script
# installs what is missing with apt, returns at once when all is there, and only warns where apt is unavailable.
system-packages:
	@bash scripts/install-system-packages.sh

run: $(VENV)/.installed-run system-packages
	PORT=$(PORT) bash scripts/run.sh

# Browser journeys (tests/browser/): Debian's chromium and axe-core (npm ci); instant when present, warns without apt/npm.
browser:
	@bash scripts/install-browser.sh

test: $(VENV)/.installed-dev system-packages browser
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

# Update the catalogues from the code, then compile them (the .mo files are committed); then the reference-data
# catalogues (locale/*/reference.json) from the reference data `migrate` loads.
messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=tests --ignore=benchmarks --ignore=staticfiles --ignore=node_modules
	for po in locale/*/LC_MESSAGES/django.po; do msgfmt -c --check-format -o "$${po%.po}.mo" "$$po" || exit 1; done
	$(BIN)/python manage.py migrate -v 0 && $(BIN)/python manage.py reference_messages

# Every benchmark in benchmarks/ (quick sizes; `make bench BENCH_ARGS=--full` for the full ones) →
# benchmarks/results.json and benchmarks/results.md. load.py runs only when PostgreSQL and Redis answer.
bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)
