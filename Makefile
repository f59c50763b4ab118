# The two commands of the README: `make run` and `make test`. Each creates or updates .venv and
# installs what it needs from pyproject.toml; nothing has to be installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install spec-audit run test test-sqlite test-postgres test-browser lint schema bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The GraphQL-over-HTTP specification's audit (tests/e2e/test_graphql_over_http_spec.py) runs the
# npm package graphql-http under Node.js, installed from tests/spec's own lock file.
SPEC_STAMP := tests/spec/node_modules/.installed-stamp

$(SPEC_STAMP): tests/spec/package.json tests/spec/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "FAILED: make test needs Node.js 18+ and npm" \
	  "(the GraphQL-over-HTTP audit of tests/spec); install the Debian packages nodejs and npm" >&2; exit 1; }
	@npm ci --prefix tests/spec --no-audit --no-fund --loglevel=error
	@touch $(SPEC_STAMP)

spec-audit: $(SPEC_STAMP)

## make run: migrate ./var/hub.db, load the demo data if it is empty, serve with GraphiQL.
run: install
	@mkdir -p var
	@$(BIN)/hub migrate
	@$(BIN)/hub demo-data --if-empty --local-only
	@$(BIN)/hub serve --with-sandboxes

## make test: lint and mypy --strict, then the suite on SQLite and (when reachable) PostgreSQL.
test: install spec-audit
	@scripts/run-tests

## make test-browser: only the console's browser tests (headless /usr/bin/chromium), on SQLite.
test-browser: install
	@HUB_TEST_DATABASE_URL=sqlite $(BIN)/pytest tests/e2e/browser

lint: install
	@$(BIN)/ruff check hub connectors tests bench
	@$(BIN)/ruff format --check hub connectors tests bench
	@$(BIN)/mypy

## make schema: regenerate schema.graphql from the code.
schema: install
	@$(BIN)/hub export-schema --output schema.graphql

bench: install
	@$(BIN)/python bench/enterprises_latency.py

clean:
	rm -rf $(VENV) var .pytest_cache artifacts
