# escalation-monitor: `make run` runs the service on its embedded default, `make test` tests it.
# Both create ./.venv and install the project into it first (Python 3.11+, Java 17+, Maven).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install compiled run test lint typecheck unit bench broker-start broker-stop clean reset

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# setuptools prints an "Editable installation" note for every editable mode (it is not a
	@# problem, only information); filtered so a clean install shows no warning-looking text.
	PYTHONWARNINGS='ignore:Editable installation' $(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install escmon with its dev tools

compiled: $(STAMP)  ## compile the tagger rules with mypyc when stale (pure Python if no C compiler)
	$(PY) -m processors.compiled build --if-stale

run: $(STAMP) compiled  ## run the pipeline: local broker, sample feed, seed article, alerts on the console
	$(VENV)/bin/escmon run

test: $(STAMP) compiled  ## lint, type-check and run every test (starts its own Kafka broker)
	deploy/prometheus/install-prometheus.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

unit: $(STAMP) compiled  ## only the fast unit tests (no broker)
	$(PY) -m pytest tests/unit

lint: $(STAMP)  ## ruff
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)  ## mypy
	$(VENV)/bin/mypy

bench: $(STAMP) compiled  ## benchmarks; results in bench/results/*.json
	$(PY) bench/run.py

broker-start: $(STAMP)  ## start the local Kafka broker only
	$(VENV)/bin/escmon broker start

broker-stop: $(STAMP)  ## stop the local Kafka broker
	$(VENV)/bin/escmon broker stop

reset: $(STAMP)  ## stop the broker and delete local state (.state/): the next run starts afresh
	-$(VENV)/bin/escmon broker stop
	rm -rf .state seeds/inbox/done seeds/inbox/failed

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build processors/*.so
