# Every target creates .venv and installs the project when needed, so a fresh clone needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint bench scale upgrade clean

# The exact versions CI tested, with their hashes: requirements.lock (all extras: dev and scale). `make upgrade`
# refreshes it to the newest releases pyproject.toml allows; CHANGELOG.md records the bumps.
LOCK := requirements.lock

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "presswatch needs Python 3.11+")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/presswatch demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The quick loop while editing: without the Prefect-harness (flow), crash and slow tests. `make test` runs them all.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not flow and not crash and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The scale-out extra (a shared PostgreSQL warehouse; docs/scaling.md). `make test` installs it too, with dev.
scale: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[scale]'

bench: $(STAMP)
	$(BIN)/python -m bench

# Newest releases within pyproject.toml's ranges, resolved by uv (installed into the environment for this), hashed.
upgrade: $(STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra scale --generate-hashes --python-version 3.11 \
		--universal --upgrade --quiet -o $(LOCK)
	@echo "requirements.lock refreshed: run make test, and list the bumps in CHANGELOG.md (git diff $(LOCK))"

clean:
	rm -rf $(VENV) data .prefect
