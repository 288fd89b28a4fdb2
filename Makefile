# Two commands: `make run` (set up and serve) and `make test` (the whole suite).
# `make e2e` drives the app in Debian's Chromium (see README, "Browser tests").
# .venv is made with the first of these that is Python 3.11 or newer (pyenv shims of versions
# not selected fail the check and are skipped); another: make run PYTHON=/path/to/python3.x
PYTHON_CANDIDATES := python3.11 python3.12 python3.13 python3
PYTHON_CHECK := import sys; sys.exit(sys.version_info < (3, 11))
PYTHON ?= $(firstword $(foreach candidate,$(PYTHON_CANDIDATES),$(shell \
	$(candidate) -c '$(PYTHON_CHECK)' >/dev/null 2>&1 && echo $(candidate))))
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
# `make run` is the development server; wsgi.py alone defaults to production.
export APP_ENV ?= development
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TRANSLATIONS := learning_platform/translations

.PHONY: run test e2e bench lint format install translations extract-messages clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@if ! test -x $(BIN)/python; then \
		if test -z "$(PYTHON)"; then \
			echo "Python 3.11 or newer is needed, and none of $(PYTHON_CANDIDATES) is one." >&2; \
			echo "Install one, or name it: make PYTHON=/path/to/python3.x" >&2; exit 1; \
		fi; \
		if ! $(PYTHON) -c '$(PYTHON_CHECK)'; then \
			echo "$(PYTHON) is older than Python 3.11; name another: make PYTHON=/path/to/python3.x" >&2; \
			exit 1; \
		fi; \
		echo "$(PYTHON) -m venv $(VENV)"; $(PYTHON) -m venv $(VENV); \
	elif ! $(BIN)/python -c '$(PYTHON_CHECK)'; then \
		echo "$(VENV) holds a Python older than 3.11: make clean, then make again." >&2; exit 1; \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed translations

translations: $(BIN)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d $(TRANSLATIONS) --statistics 2>&1 | tail -n 1

instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

run: install instance/secret_key
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# pytest-xdist: one worker per core (`auto`; a one-core machine gets one); PYTEST_WORKERS=0
# runs the tests in pytest's own process (pdb, -s), e.g. make test PYTEST_WORKERS=0 PYTEST_ARGS=-x
PYTEST_WORKERS ?= auto

test: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) \
		--ignore=tests/e2e $(PYTEST_ARGS)

$(BIN)/.e2e-installed: $(BIN)/.installed requirements-e2e.txt
	$(BIN)/python -m pip install --quiet -r requirements-e2e.txt
	touch $@

E2E_NODE := tests/e2e/node_modules
$(E2E_NODE)/.installed: tests/e2e/package.json tests/e2e/package-lock.json
	npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
	touch $@

# The browser journeys, served from SQLite and then from PostgreSQL; screenshots land in
# tests/e2e/screenshots/. Needs /usr/bin/chromium (README, "Browser tests"). On SQLite each
# journey runs in Korean, English and Thai, at one width per language (E2E_VARIANTS=all: all
# six); on PostgreSQL in one variant, a Korean phone (language and width do not depend on the
# database; CI stays within 20 minutes); E2E_POSTGRESQL_VARIANTS=all runs all six there too.
E2E_POSTGRESQL_VARIANTS ?= ko-phone

e2e: install $(BIN)/.e2e-installed $(E2E_NODE)/.installed
	E2E_DATABASE=sqlite $(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)
	E2E_DATABASE=postgresql E2E_VARIANTS=$(E2E_POSTGRESQL_VARIANTS) \
		TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

# Benchmarks against their floors at 10k offerings, on SQLite and PostgreSQL (bench/run.py);
# results in bench/RESULTS.md and bench/results/. Quick try-out: make bench BENCH_ARGS=--quick
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# After changing UI strings: extract them and merge into every language's catalog.
extract-messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs ".* __pycache__" \
		--no-location --sort-output \
		--omit-header -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(E2E_NODE)
