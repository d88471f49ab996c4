# museum-rag: `make demo` runs the whole thing on the embedded default; `make test` runs the test suite.
# Both work on a fresh clone: they create the virtualenv and install everything, offline models included.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SAMPLE := data/sample/npg_labels.jsonl
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: demo test install install-test system-deps ingest-sample serve bench clean fit-answering fit-verifier

## The virtualenv with the project, its offline models and the CPU build of torch (installed first,
## so nothing pulls the multi-GB CUDA build).
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e .
	touch $@

## Test extras: pytest, Playwright (driving Debian's Chromium) and the `llm` extra.
## llama-cpp-python builds from source (about 4 minutes) for any x86-64 CPU with AVX2, not for this CPU alone:
## its native build (-march=native) on a CPU with AMX crashed in the first decode (SIGSEGV, 0.3.36), so it is
## built here with LLAMA_CMAKE_ARGS and never taken from pip's wheel cache, which may hold a native build.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
$(BIN)/.installed-test: $(BIN)/.installed
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install -q --no-cache-dir 'llama-cpp-python[server]>=0.3'
	$(BIN)/pip install -q -e '.[dev,llm]'
	touch $@

install: $(BIN)/.installed
install-test: $(BIN)/.installed-test

## Debian packages the tests use: Chromium for the browser tests, docker-compose to validate the compose file.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v docker-compose >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium docker-compose; \
	fi

ingest-sample: install
	$(BIN)/museum-rag ingest $(SAMPLE) --source npg

serve: install
	$(BIN)/museum-rag serve

## Ingest the bundled sample collection and serve the API, the chat widget (/) and the staff page (/staff)
## on http://127.0.0.1:8000.
## The staff page asks for a staff key: the demo uses DEMO_STAFF_KEY unless MUSEUM_RAG_API_KEYS is set,
## and shows it on the staff page (MUSEUM_RAG_DEMO_STAFF_KEY) only when it is the demo's own key.
DEMO_STAFF_KEY ?= demo-staff-key
demo: ingest-sample
	$(BIN)/museum-rag search "Calder's tribute to his friend, the photographer Man Ray" --limit 3
	@echo "Widget: http://127.0.0.1:8000/   Staff page: http://127.0.0.1:8000/staff (key: $${MUSEUM_RAG_API_KEYS:-$(DEMO_STAFF_KEY)})"
	MUSEUM_RAG_DEMO_STAFF_KEY="$$([ -n "$$MUSEUM_RAG_API_KEYS" ] || echo $(DEMO_STAFF_KEY))" \
	  MUSEUM_RAG_API_KEYS="$${MUSEUM_RAG_API_KEYS:-$(DEMO_STAFF_KEY)}" $(BIN)/museum-rag serve

test: install-test system-deps
	$(BIN)/python -m pytest

## Refit the answering models (evidence ranker, abstention, premise gate) from the labelled questions:
## ingest each dev collection once into its own store, extract features over it, fit (fixed seed; minutes).
## NPG labels are bundled (data/train, CC0); the Walters collection and labels (GFDL) come from ../shared.
## One model per packaged embedder (its similarities have their own scale): FIT_EMBED_MODEL=multilingual-e5-small
## refits the other one. The thresholds recorded with each were tuned on the dev question sets
## (bench/answer_quality.py --sweep); drop FIT_THRESHOLDS_* to record the cross-museum calibration instead.
FIT_EMBED_MODEL ?= all-MiniLM-L6-v2
FIT_DIR ?= build/answering/$(FIT_EMBED_MODEL)
FIT_NPG_STORE ?= $(FIT_DIR)/store-npg
FIT_WALTERS_STORE ?= $(FIT_DIR)/store-walters
FIT_THRESHOLDS_all-MiniLM-L6-v2 := --abstain-threshold 0.2 --premise-threshold 0.05
FIT_THRESHOLDS_multilingual-e5-small := --abstain-threshold 0.15 --premise-threshold 0.05
SHARED_DATA ?= ../shared/data
fit-answering: export MUSEUM_RAG_EMBED_MODEL := $(FIT_EMBED_MODEL)
fit-answering: install-test
	MUSEUM_RAG_DATA_DIR=$(FIT_NPG_STORE) $(BIN)/python -m cli.main ingest $(SAMPLE) --source npg
	MUSEUM_RAG_DATA_DIR=$(FIT_WALTERS_STORE) $(BIN)/python -m cli.main ingest $(SHARED_DATA)/walters_dev_collection.jsonl --source walters
	MUSEUM_RAG_DATA_DIR=$(FIT_NPG_STORE) $(BIN)/python scripts/fit_answering.py extract \
	  --labels 'data/train/tr-npg-*.jsonl' --collection $(SAMPLE) --out $(FIT_DIR)/npg.pkl
	MUSEUM_RAG_DATA_DIR=$(FIT_WALTERS_STORE) $(BIN)/python scripts/fit_answering.py extract \
	  --labels '$(SHARED_DATA)/train_parts/tr-wd-*.jsonl' --collection $(SHARED_DATA)/walters_dev_collection.jsonl \
	  --out $(FIT_DIR)/walters.pkl
	$(BIN)/python scripts/fit_answering.py fit $(FIT_DIR)/npg.pkl $(FIT_DIR)/walters.pkl $(FIT_THRESHOLDS_$(FIT_EMBED_MODEL))

## Refit the offline verifier's weights (rag/data/verifier_weights.json): the public labelled pairs and claims
## derived from both museums' training labels (read from ../shared at fit time, never copied); prints the
## cross-validated and cross-museum balanced accuracy (fixed seed; about two minutes). Run tests/test_verify.py
## before committing new weights.
fit-verifier: install-test
	$(BIN)/python scripts/fit_verifier.py --labels $(SHARED_DATA)/train_parts \
	  --records $(SHARED_DATA)/npg_labels.jsonl $(SHARED_DATA)/walters_dev_collection.jsonl

bench: install
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) data/store test-artifacts
