"""Suggestion strategies on a run folder with known scores."""
import numpy as np
import pandas as pd
import pytest

from pipeline import Run
from pipeline.labels.store import text_hash
from pipeline.labels.suggest import suggest

LABELS = ["state_media", "sowing_doubt"]
THRESHOLDS = {"state_media": 0.5, "sowing_doubt": 0.3}
TOPICS = ["nato troops baltic exercise", "gas pipeline prices winter", "election fraud ballots",
          "cyber attack servers ministry", "crimea bridge referendum"]


@pytest.fixture
def run(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(100):
        topic = TOPICS[i % 5]
        rows.append({"id": f"d{i}", "text": f"{topic} report number {i} {rng.integers(1e6)}",
                     "source": "X", "is_duplicate": False,
                     "state_media_score": float(rng.random()),
                     "sowing_doubt_score": float(rng.random())})
    # a near-copy of the most uncertain document, and a marked duplicate of it
    rows[0].update(state_media_score=0.5, sowing_doubt_score=0.9)
    rows.append({**rows[0], "id": "copy", "text": rows[0]["text"] + " !"})
    rows.append({**rows[0], "id": "dup", "is_duplicate": True})
    frame = pd.DataFrame(rows)
    for label, t in THRESHOLDS.items():
        frame[label] = (frame[f"{label}_score"] >= t).astype("int8")
    r = Run.create(tmp_path / "run")
    r.write_part("predictions", 0, frame.drop(columns="text"))
    r.write_part("cleaned", 0, frame[["id", "text"]])
    return r


def test_uncertainty_picks_the_closest_to_a_threshold_without_copies(run):
    picked = suggest(run, LABELS, THRESHOLDS, 10, "uncertainty")
    assert picked["id"].iloc[0] in ("d0", "copy") and picked.loc[0, "uncertainty"] == 1.0
    assert len({"d0", "copy"} & set(picked["id"])) == 1  # never the near-copy as well
    assert "dup" not in set(picked["id"])
    assert picked["uncertainty"].is_monotonic_decreasing


def test_diversity_covers_the_topics(run):
    picked = suggest(run, LABELS, THRESHOLDS, 5, "diversity")
    topics = {next(t for t in TOPICS if text.startswith(t)) for text in picked["text"]}
    assert topics == set(TOPICS)


def test_mixed_is_uncertain_and_diverse(run):
    picked = suggest(run, LABELS, THRESHOLDS, 5, "mixed", pool_factor=4)
    everyone = suggest(run, LABELS, THRESHOLDS, 100, "uncertainty")
    assert picked["uncertainty"].mean() > everyone["uncertainty"].mean()
    assert len({next(t for t in TOPICS if x.startswith(t)) for x in picked["text"]}) >= 4


def test_labelled_texts_are_excluded_and_unknown_strategy_fails(run):
    text = pd.read_parquet(run.path / "cleaned").set_index("id").loc["d0", "text"]
    picked = suggest(run, LABELS, THRESHOLDS, 10, "uncertainty", exclude={text_hash(text)})
    assert "d0" not in set(picked["id"])
    text_copy = pd.read_parquet(run.path / "cleaned").set_index("id").loc["copy", "text"]
    picked = suggest(run, LABELS, THRESHOLDS, 10, "uncertainty",
                     exclude={text_hash(text), text_hash(text_copy)})
    assert not {"d0", "copy"} & set(picked["id"])
    with pytest.raises(ValueError, match="unknown strategy"):
        suggest(run, LABELS, THRESHOLDS, 5, "random")
