# Every target creates .venv and installs the project when needed, so a fresh clone needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench scale clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "presswatch needs Python 3.11+")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/presswatch demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The scale-out extra (a shared PostgreSQL warehouse; docs/scaling.md). `make test` installs it too, with dev.
scale: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[scale]'

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data .prefect
