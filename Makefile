# The two commands: `make run` serves the app with demo data (web server, job worker, Stripe
# emulator); `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi:app
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?= -n auto
# Payments: `make run` starts the localstripe emulator on 127.0.0.1:$(LOCALSTRIPE_PORT) (state in
# instance/) and points the app at it. `make run LOCALSTRIPE=0` uses the STRIPE_* keys you export instead.
LOCALSTRIPE ?= 1
LOCALSTRIPE_PORT ?= 8420

# Translations: catalogs (.po) live in the repo, compiled (.mo) by `make install`.
TRANSLATIONS := marketplace/translations
POT := $(TRANSLATIONS)/messages.pot
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: install run serve upgrade seed test fuzz lint bench bench-web bench-api clean messages-extract messages-update messages-compile

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) $(MO_FILES)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@ >/dev/null

## Collect the words of the code and templates into $(POT).
messages-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --add-location=file --sort-output \
		--project marketplace --version 1 -o $(POT) .

## Add new words to every catalog (then translate the empty and fuzzy entries of the vi catalog).
messages-update: messages-extract
	$(BIN)/pybabel update -i $(POT) -d $(TRANSLATIONS) --width 100 --ignore-obsolete

messages-compile: $(MO_FILES)

upgrade: install
	$(BIN)/flask db upgrade

seed: upgrade
	$(BIN)/flask seed-demo

ifeq ($(LOCALSTRIPE),1)
run: export STRIPE_API_BASE = http://127.0.0.1:$(LOCALSTRIPE_PORT)
run: export STRIPE_SECRET_KEY = sk_test_localstripe
run: export STRIPE_WEBHOOK_SECRET = whsec_localstripe
endif

## Set everything up and serve the app on http://$(HOST):$(PORT) (API docs at /api/docs) with its job
## worker (and scheduler) and localstripe; Ctrl+C stops them all.
run: seed
	@mkdir -p instance
	@$(BIN)/python -m marketplace.devserver --host $(HOST) --port $(PORT) \
		$(if $(filter 1,$(LOCALSTRIPE)),--localstripe-port $(LOCALSTRIPE_PORT))

## Set everything up, check import contracts, run the whole test suite.
test: install
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Schemathesis over every operation of the served spec, as anonymous, a company manager and an admin
## (every check; seed, examples and the known defects it tolerates in tests/fuzz/). `make test` runs it too.
fuzz: install
	$(BIN)/python -m pytest -p no:xdist -m fuzz -s tests/test_openapi_fuzz.py

bench: install
	$(BIN)/python bench/search_bench.py --listings 10000 $(BENCH_ARGS)

## The catalogue page against the search API, same 200 queries, 10,000 listings (goal: page/api p95 <= 1.3).
bench-web: install
	$(BIN)/python bench/web_bench.py --listings 10000 $(BENCH_ARGS)

## Public reads through gunicorn against a bare Flask app serving the same bodies (wrk when installed).
bench-api: install
	$(BIN)/python bench/api_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
