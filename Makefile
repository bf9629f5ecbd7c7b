# The same targets run locally and in CI. Each creates .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test browser package demo lint bench clean

$(STAMP): pyproject.toml setup.py
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	mkdir -p var
	$(BIN)/clusternews run

# PostgreSQL: tests/pg_server.py uses $CLUSTERNEWS_TEST_PG, or starts a throwaway server.
test: $(STAMP) browser
	$(BIN)/pytest -q

# Debian's chromium for the browser tests: installed when missing (root + apt-get), else one line.
browser:
	@bash scripts/ensure-chromium.sh

# The built wheel in a clean venv with the interpreter's own pip: --version, analyze, demo ingest.
package:
	@PYTHON=$(PYTHON) bash scripts/package-smoke.sh

demo: $(STAMP)
	$(BIN)/clusternews demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src
	$(BIN)/mypy src  # strict (pyproject.toml)

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest_throughput.py
	$(BIN)/python benchmarks/language_accuracy.py
	$(BIN)/python benchmarks/extraction.py
	$(BIN)/python benchmarks/linking.py
	$(BIN)/python benchmarks/tag_stage.py
	test ! -d $(CORPORA) || $(BIN)/python benchmarks/ner_raw.py --corpora $(CORPORA)
	$(BIN)/python benchmarks/digest_demo.py
	# wrk loads the server from a second process; without it serving.py drives it with httpx.
	command -v wrk >/dev/null || { test "$$(id -u)" = 0 && apt-get install -y -q wrk >/dev/null; } || true
	$(BIN)/python benchmarks/serving.py

clean:
	rm -rf $(VENV) var .pytest_cache

# NER pipelines in models/ (training/README.md): vectors -> pretrain -> convert -> train -> package.
CORPORA ?= ../shared/corpora

.PHONY: models
models: $(STAMP)
	$(BIN)/python -c 'import floret' 2>/dev/null || $(BIN)/pip install --quiet floret
	test -d build/vectors/no-vectors || $(BIN)/python training/vectors.py --lang no --corpora $(CORPORA)
	test -d build/vectors/sv-vectors || $(BIN)/python training/vectors.py --lang sv --corpora $(CORPORA)
	test -f build/pretrain/no/model-last.bin || $(BIN)/python training/pretrain.py --lang no --corpora $(CORPORA)
	$(BIN)/python training/build_models.py --corpora $(CORPORA)
