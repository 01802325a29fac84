# One-word runners. `make check` is exactly what CI runs (.ci/run calls `make test`, then lint).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: install demo run test lint typecheck check bench reliability models-check wordtables clean

$(BIN)/rudprk: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

install: $(BIN)/rudprk

## Main job on the embedded default: offline demo (loopback feeds + loopback SMTP) on SQLite.
demo: install
	$(BIN)/rudprk demo

## One real pass over the configured sources (for cron).
run: install
	$(BIN)/rudprk run

## The test suite (SQLite always; PostgreSQL too when RUDPRK_TEST_DATABASE_URL is set).
test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check storage alerts flows tests bench
	$(BIN)/ruff format --check storage alerts flows tests bench
	$(BIN)/mypy

check: test lint

## Regenerate the month, weekday and number-word tables (alerts/dates/data, alerts/figures/data)
## from dateparser, num2words, pymorphy3, simplemma and CLDR (dev dependencies), and Korean's
## suffix table (alerts/detection/suffixes/data) from kiwipiepy's lemmas.
wordtables: install
	$(BIN)/python -m alerts.dates.build
	$(BIN)/python -m alerts.figures.build
	$(BIN)/python -m alerts.detection.suffixes.build

## The reliability suite's long mode: 200 SIGKILL trials on SQLite, 40 on PostgreSQL (when
## RUDPRK_TEST_DATABASE_URL is set), the other fault tests, then the property tests with
## 1,000 examples each and the fuzz run with up to five minutes per target.
reliability: install
	RUDPRK_RELIABILITY=long $(BIN)/pytest -q -m reliability tests/reliability
	RUDPRK_RELIABILITY=long $(BIN)/pytest -q tests/test_properties.py tests/test_fuzz.py

## Retrain every model from the full corpus and compare with the shipped files (minutes).
models-check: install
	$(BIN)/rudprk train --check

bench: install
	$(BIN)/python bench/detect.py
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache .hypothesis
