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

.PHONY: run test model bench bench-learning-curve bench-coordination bench-ptc clean-runs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/disinfo run corpora/sample/news.csv corpora/sample/social.jsonl \
		corpora/sample/claims.json corpora/sample/multilingual.jsonl corpora/sample/articles \
		--out $(RUN) --overwrite
	@echo "Report: $(RUN)/report.html"

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

# Rebuild the shipped model from the real labelled set, its translations and the seed set
# (deterministic for a given seed); evaluated on the frozen real evaluation split, on each
# language's translation of it, then on the seed test split.
TRANSLATIONS = $(sort $(wildcard corpora/labelled/translations/euvsdisinfo.*.jsonl))
model: $(STAMP)
	$(BIN)/disinfo train corpora/labelled/euvsdisinfo.jsonl $(TRANSLATIONS) \
		corpora/labelled/mechanisms.jsonl --out models/mechanisms

bench: $(STAMP)
	$(BIN)/python benchmarks/euvsdisinfo_weak.py
	$(BIN)/python benchmarks/report_time.py

# What labelling buys: macro-F1 on the real evaluation split for 0 .. all real training labels
# (about 30 minutes).
bench-learning-curve: $(STAMP)
	$(BIN)/python benchmarks/learning_curve.py

# Coordination detector vs coordination-network-toolkit on the simulator (about 8 minutes).
bench-coordination: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/coordination_sim.py --posts 100000 1000000

# Technique classifier on SemEval-2020 Task 11 PTC (about 4 minutes; needs ../shared/data).
bench-ptc: $(STAMP)
	$(BIN)/python benchmarks/ptc.py --data ../shared/data/ptc

clean-runs:
	rm -rf runs
