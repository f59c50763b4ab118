# The two commands of the README: `make run` and `make test`. Each creates or updates .venv and
# installs what it needs from pyproject.toml; nothing has to be installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test test-sqlite test-postgres test-browser lint schema bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## make run: migrate ./var/hub.db, load the demo data if it is empty, serve with GraphiQL.
run: install
	@mkdir -p var
	@$(BIN)/hub migrate
	@$(BIN)/hub demo-data --if-empty --local-only
	@$(BIN)/hub serve --with-sandboxes

## make test: lint, then the whole suite on SQLite and (when reachable) on PostgreSQL.
test: install
	@scripts/run-tests

## make test-browser: only the console's browser tests (headless /usr/bin/chromium), on SQLite.
test-browser: install
	@HUB_TEST_DATABASE_URL=sqlite $(BIN)/pytest tests/e2e/browser

lint: install
	@$(BIN)/ruff check hub connectors tests bench
	@$(BIN)/ruff format --check hub connectors tests bench

## make schema: regenerate schema.graphql from the code.
schema: install
	@$(BIN)/hub export-schema --output schema.graphql

bench: install
	@$(BIN)/python bench/enterprises_latency.py

clean:
	rm -rf $(VENV) var .pytest_cache artifacts
