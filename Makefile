# Two commands do everything on a fresh machine with Python 3.10+:
#   make run    create .venv, install the pinned project, run the pipeline on the sample corpus
#   make test   create .venv, install the pinned project, run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUN    ?= runs/sample
export HF_HUB_OFFLINE=1
export HF_DATASETS_OFFLINE=1

.PHONY: run test model bench clean-runs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/disinfo run corpora/sample/news.csv corpora/sample/social.jsonl \
		corpora/sample/claims.json corpora/sample/articles --out $(RUN) --overwrite
	@echo "Report: $(RUN)/report.html"

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Rebuild the shipped model from the labelled seed set (deterministic for a given seed).
model: $(STAMP)
	$(BIN)/disinfo train corpora/labelled/mechanisms.jsonl --out models/mechanisms

bench: $(STAMP)
	$(BIN)/python benchmarks/euvsdisinfo_weak.py

clean-runs:
	rm -rf runs
