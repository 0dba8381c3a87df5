"""Agreement between annotators from the store's per-annotator decisions."""
from datetime import datetime, timezone

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from pipeline.labels.agreement import agreement
from pipeline.labels.store import LabelRecord, LabelStore

LABELS = ["state_media", "sowing_doubt", "mutual_accusation"]


def at(day):
    return datetime(2026, 11, day, tzinfo=timezone.utc)


def import_pass(store, label, annotator, decisions, day=1, direction=None):
    store.add([LabelRecord(f"Text number {i}.", {label: bool(v)},
                           direction=(direction[i] if direction else None),
                           annotator=annotator, labelled_at=at(day))
               for i, v in enumerate(decisions)], f"{annotator}.jsonl", "jsonl",
              len(decisions), [])


def test_two_annotators_cohen_kappa_and_alpha_match_the_libraries(tmp_path):
    store = LabelStore(tmp_path / "labels.duckdb")
    ann = [1, 1, 0, 0, 1, 0, 1, 0, 0, 1]
    bob = [1, 0, 0, 0, 1, 0, 1, 1, 0, 1]
    import_pass(store, "sowing_doubt", "ann", ann)
    import_pass(store, "sowing_doubt", "bob", bob)
    # a third annotator on texts nobody else decided does not count
    store.add([LabelRecord("Only Carl saw this.", {"sowing_doubt": True}, annotator="carl")],
              "c", "jsonl", 1, [])
    table = agreement(store.decisions(), LABELS).set_index("label")
    row = table.loc["sowing_doubt"]
    assert row["texts"] == 10 and row["annotators"] == 2 and row["decisions"] == 20
    assert row["observed"] == pytest.approx(0.8)
    assert row["cohen_kappa"] == pytest.approx(cohen_kappa_score(ann, bob), abs=1e-4)
    assert row["krippendorff_alpha"] == pytest.approx(krippendorff.alpha(
        reliability_data=np.array([ann, bob], dtype=float), level_of_measurement="nominal"),
        abs=1e-4)
    assert table.loc["state_media", "texts"] == 0
    assert pd.isna(table.loc["state_media", "observed"])


def test_each_annotators_latest_decision_counts_and_direction_is_compared(tmp_path):
    store = LabelStore(tmp_path / "labels.duckdb")
    label = "mutual_accusation"
    import_pass(store, label, "ann", [1, 1, 1, 0], direction=["RU->WEST"] * 4)
    import_pass(store, label, "bob", [1, 1, 0, 0],
                direction=["RU->WEST", "WEST->RU", None, None])
    # ann changes her mind on text 2 later: her latest decision is what agreement uses
    import_pass(store, label, "ann", [1, 1, 0, 0], day=5, direction=["RU->WEST"] * 4)
    table = agreement(store.decisions(), LABELS).set_index("label")
    assert table.loc["mutual_accusation", "observed"] == 1.0
    direction = table.loc["direction"]
    assert direction["texts"] == 2 and direction["observed"] == 0.5


def test_three_annotators_average_cohen_over_pairs(tmp_path):
    store = LabelStore(tmp_path / "labels.duckdb")
    votes = {"ann": [1, 0, 1, 0, 1, 0], "bob": [1, 0, 1, 0, 0, 0], "carl": [1, 1, 1, 0, 1, 0]}
    for name, v in votes.items():
        import_pass(store, "state_media", name, v)
    row = agreement(store.decisions(), LABELS).set_index("label").loc["state_media"]
    pairs = [cohen_kappa_score(votes[a], votes[b])
             for a, b in (("ann", "bob"), ("ann", "carl"), ("bob", "carl"))]
    assert row["cohen_pairs"] == 3
    assert row["cohen_kappa"] == pytest.approx(np.mean(pairs), abs=1e-4)
    assert row["annotators"] == 3 and row["texts"] == 6
