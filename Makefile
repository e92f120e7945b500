# topictrends: `make run` sets everything up and runs the pipeline on data/samples; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
INPUT ?= data/samples
OUTPUT ?= out

# Offline, project-local Prefect and model loading (see DEVELOPERS.md "The machine").
export PREFECT_HOME := $(CURDIR)/.prefect
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup run test test-fast browser-deps bench clean

setup: $(STAMP)

# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -c requirements.lock -e '.[test]'
	touch $(STAMP)

# Debian's chromium for the browser test (never a browser download); skipped when apt is unavailable.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; the browser test will be skipped"; \
	  else echo "warning: chromium not found and apt-get unavailable; the browser test will be skipped"; fi; }

run: setup
	$(VENV)/bin/topictrends run --input $(INPUT) --output $(OUTPUT)

test: setup browser-deps
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not e2e and not browser"

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf $(OUTPUT) .prefect store .pytest_cache
