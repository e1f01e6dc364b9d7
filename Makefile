# The two commands: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi:app
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: install run serve upgrade seed test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

upgrade: install
	$(BIN)/flask db upgrade

seed: upgrade
	$(BIN)/flask seed-demo

## Set everything up and serve the app on http://$(HOST):$(PORT) (API docs at /api/docs).
run: seed
	$(BIN)/flask run --host $(HOST) --port $(PORT)

## Set everything up, check import contracts, run the whole test suite.
test: install
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/search_bench.py --listings 10000 $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
