"""Suggestion strategies on a run folder with known scores."""
import pandas as pd
import pytest

from pipeline.labels.store import text_hash
from pipeline.labels.suggest import suggest
from tests.labels.conftest import LABELS, THRESHOLDS, TOPICS


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
