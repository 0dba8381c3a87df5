"""Technique classifier: scoring, label assignment for repeated spans, and training."""
import numpy as np
import pandas as pd
import pytest

from pipeline import load_config
from pipeline.model.io import load_model
from pipeline.spans.model import assign, predict_spans, tc_scores, train_techniques
from pipeline.spans.ptc import SpanCorpus, read_split
from tests.conftest import SHARED_DATA


def frame(rows):
    return pd.DataFrame(rows, columns=["article_id", "technique", "start", "end"])


def test_micro_f1_matches_each_gold_line_once():
    gold = frame([("1", "Doubt", 0, 5), ("1", "Doubt", 0, 5), ("1", "Slogans", 9, 12),
                  ("2", "Repetition", 3, 8)])
    pred = frame([("1", "Doubt", 0, 5), ("1", "Doubt", 0, 5), ("1", "Doubt", 9, 12),
                  ("2", "Repetition", 3, 8)])
    scores = tc_scores(gold, pred)
    assert scores["micro_f1"] == 0.75
    assert scores["per_technique"]["Slogans"]["recall"] == 0.0
    assert scores["per_technique"]["Doubt"]["precision"] == round(2 / 3, 4)
    pred.loc[1, "technique"] = "Slogans"  # same span twice: the second line may differ
    assert tc_scores(gold, pred)["micro_f1"] == 0.5


def test_a_span_with_two_lines_gets_its_two_best_techniques():
    spans = frame([("1", "", 0, 5), ("1", "", 0, 5), ("1", "", 7, 9)])
    scores = np.array([[0.1, 0.9, 0.5], [0.1, 0.9, 0.5], [0.8, 0.1, 0.0]])
    classes = np.array(["A", "B", "C"])
    assert assign(scores, classes, spans).tolist() == ["B", "C", "A"]


def synthetic(n_articles, seed):
    rng = np.random.default_rng(seed)
    articles, rows = {}, []
    for a in range(n_articles):
        parts, spans = [], []
        for _ in range(6):
            kind = rng.integers(3)
            pos = sum(len(p) + 1 for p in parts)
            if kind == 0:
                phrase = str(rng.choice(["disgusting traitors", "corrupt liars", "evil thugs"]))
                sent, tech = f"The officials are {phrase} again.", "Name_Calling,Labeling"
                start = pos + len("The officials are ")
            elif kind == 1:
                phrase = str(rng.choice(["make our nation great", "our proud country",
                                         "true patriots"]))
                sent, tech = f"We stand for {phrase} today.", "Flag-Waving"
                start = pos + len("We stand for ")
            else:
                phrase = str(rng.choice(["is this really true", "can we trust them",
                                         "who believes that"]))
                sent, tech = f"But {phrase}?", "Doubt"
                start = pos + len("But ")
            parts.append(sent)
            spans.append((str(a), tech, start, start + len(phrase)))
        articles[str(a)] = " ".join(parts)
        rows += spans
    spans = frame(rows)
    spans["text"] = [articles[a][s:e] for a, _, s, e in rows]
    return SpanCorpus(articles, spans)


@pytest.mark.slow
def test_training_learns_separable_techniques_and_saves_a_safe_model(tmp_path):
    config = load_config(overrides=["spans.c_grid=[0.1, 1.0]", "spans.cv_folds=2"])
    meta = train_techniques(synthetic(30, 0), tmp_path / "m", config, synthetic(10, 1))
    assert meta["metrics"]["micro_f1"] >= 0.95
    assert set(meta["labels"]) == {"Name_Calling,Labeling", "Flag-Waving", "Doubt"}
    model, loaded = load_model(tmp_path / "m")  # skops, trusted types only
    assert loaded["version"] == meta["version"]
    again = predict_spans(model, synthetic(3, 2))
    assert len(again) == 18 and set(again["technique"]) <= set(meta["labels"])


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED_DATA / "ptc" / "train.labels.tsv").exists(),
                    reason="../shared/data/ptc is not present")
def test_ptc_subset_beats_the_majority_class(tmp_path):
    """A quick check on real data (60 training articles); the full figure is
    benchmarks/ptc.py's."""
    train, dev = read_split(SHARED_DATA / "ptc", "train"), read_split(SHARED_DATA / "ptc", "dev")
    keep = sorted(train.articles)[:60]
    train = SpanCorpus({a: train.articles[a] for a in keep},
                       train.spans[train.spans["article_id"].isin(keep)])
    config = load_config(overrides=["spans.c_grid=[0.1]", "spans.cv_folds=2"])
    meta = train_techniques(train, tmp_path / "m", config, dev)
    majority = dev.spans["technique"].value_counts(normalize=True).iloc[0]
    assert meta["metrics"]["micro_f1"] > majority + 0.1
