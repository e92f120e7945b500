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

DISTILL_VENV := .venv-distill
STATIC_MODEL := models/minilm-static/topictrends_model.json
ONNX_MODEL := models/minilm-onnx-int8/topictrends_model.json

.PHONY: setup run test test-fast browser-deps models bench clean

setup: $(STAMP)

# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -c requirements.lock -e '.[test]'
	touch $(STAMP)

# The fast embedding backends, derived offline from the bundled MiniLM. model2vec's distill extra pins an older
# transformers than the main venv, so distillation and ONNX export run in their own venv.
$(DISTILL_VENV)/.installed: requirements-distill.lock
	test -x $(DISTILL_VENV)/bin/python || $(PYTHON) -m venv $(DISTILL_VENV)
	$(DISTILL_VENV)/bin/pip install -q --upgrade pip
	$(DISTILL_VENV)/bin/pip install -q torch==2.13.0
	$(DISTILL_VENV)/bin/pip install -q --no-deps -r requirements-distill.lock
	touch $@

$(STATIC_MODEL): $(DISTILL_VENV)/.installed analytics/static_model.py analytics/model_export.py
	$(DISTILL_VENV)/bin/python -m analytics.static_model --output models/minilm-static

$(ONNX_MODEL): $(DISTILL_VENV)/.installed analytics/onnx_model.py analytics/model_export.py
	$(DISTILL_VENV)/bin/python -m analytics.onnx_model --output models/minilm-onnx-int8

models: $(STATIC_MODEL) $(ONNX_MODEL)

# Debian's chromium for the browser test (never a browser download); skipped when apt is unavailable.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; the browser test will be skipped"; \
	  else echo "warning: chromium not found and apt-get unavailable; the browser test will be skipped"; fi; }

# The static model is built too: corpora above [embedding] auto_static_above papers use it.
run: setup models
	$(VENV)/bin/topictrends run --input $(INPUT) --output $(OUTPUT)

test: setup models browser-deps
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not e2e and not browser"

bench: setup models
	$(PY) bench/bench_embedding.py
	$(PY) bench/bench_pipeline.py --sizes 1000,10000,all --plain-max 10000 --rerun

clean:
	rm -rf $(OUTPUT) .prefect store .pytest_cache test-artifacts
