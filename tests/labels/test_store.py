"""The label store keeps every decision; an annotator's latest one counts, and the gold label
is resolved explicitly: adjudicated > unanimous > majority, a tie is no label."""
from datetime import datetime, timezone

import pandas as pd
import pytest

from pipeline.labels.store import (ImportNotFound, LabelRecord, LabelStore, content_hash,
                                   text_hash)

LABELS = ["state_media", "sowing_doubt"]


def at(day):
    return datetime(2026, 11, day, tzinfo=timezone.utc)


def test_relabelling_keeps_history_and_the_annotators_latest_decision_counts(tmp_path):
    store = LabelStore(tmp_path / "labels.duckdb")
    first = store.add([LabelRecord("RT: NATO lies.", {"state_media": True, "sowing_doubt": False},
                                   source="RT", annotator="ann", labelled_at=at(1))],
                      "a.csv", "csv", 1, [])
    store.add([LabelRecord("RT:  NATO lies. ", {"sowing_doubt": True}, annotator="ann",
                           labelled_at=at(3))], "b.csv", "csv", 1,
              [{"row": 2, "reason": "missing_text", "detail": "no text"}])
    # an older decision imported later does not override a newer one
    store.add([LabelRecord("RT: NATO lies.", {"sowing_doubt": False}, annotator="ann",
                           labelled_at=at(2))], "c.csv", "csv", 1, [])
    current = store.current(LABELS)
    assert len(current) == 1  # whitespace-normalised text: one document
    assert current.loc[0, "state_media"] == 1 and current.loc[0, "sowing_doubt"] == 1
    assert current.loc[0, "source"] == "RT"
    history = store.history("RT: NATO lies.")
    assert len(history) == 4 and history["annotator"].tolist()[:2] == ["ann", "ann"]
    imports = store.imports()
    assert imports["import_id"].iloc[0] == first.import_id and len(imports) == 3
    assert '"missing_text"' in imports["problems"].iloc[1]
    assert store.hashes() == {text_hash("RT: NATO lies.")}


def test_undecided_labels_stay_missing_and_fingerprint_follows_labels(tmp_path):
    store = LabelStore(tmp_path / "labels.duckdb")
    empty = store.fingerprint()
    store.add([LabelRecord("A text.", {"state_media": False})], "a", "csv", 1, [])
    current = store.current(LABELS)
    assert current["sowing_doubt"].isna().all() and current.loc[0, "state_media"] == 0
    once = store.fingerprint()
    assert once != empty
    store.add([LabelRecord("A text.", {"state_media": True})], "b", "csv", 1, [])
    assert store.fingerprint() != once


def test_undo_withdraws_an_import_and_the_decisions_it_overrode_count_again(tmp_path):
    store = LabelStore(tmp_path / "labels.duckdb")
    store.add([LabelRecord("A text.", {"state_media": False}, annotator="ann",
                           labelled_at=at(1))], "a", "csv", 1, [])
    later = store.add([LabelRecord("A text.", {"state_media": True}, annotator="ann",
                                   labelled_at=at(2)),
                       LabelRecord("Another text.", {"sowing_doubt": True}, annotator="ann",
                                   labelled_at=at(2))], "b", "csv", 2, [])
    assert store.current(LABELS).set_index("text").loc["A text.", "state_media"] == 1
    before = store.fingerprint()
    assert store.undo(later.import_id) == 2
    current = store.current(LABELS)
    assert current["text"].tolist() == ["A text."] and current.loc[0, "state_media"] == 0
    assert store.fingerprint() != before
    assert len(store.history("A text.")) == 2  # the undone decision stays in the history
    assert not pd.isna(store.imports().set_index("import_id").loc[later.import_id, "undone_at"])
    with pytest.raises(ImportNotFound, match="already undone"):
        store.undo(later.import_id)
    with pytest.raises(ImportNotFound, match="does not exist"):
        store.undo("nope")


def test_the_same_content_imported_twice_changes_nothing_until_undone(tmp_path):
    data = tmp_path / "a.csv"
    data.write_text("text,labels\nA text.,state_media\n")
    store = LabelStore(tmp_path / "labels.duckdb")
    records = [LabelRecord("A text.", {"state_media": True}, annotator="ann")]
    key = content_hash(data, "csv", "ann")
    first = store.add(records, str(data), "csv", 1, [], content=key)
    again = store.add(records, str(data), "csv", 1, [], content=key)
    assert again.already_imported and again.import_id == first.import_id
    assert len(store.imports()) == 1 and len(store.history("A text.")) == 1
    assert content_hash(data, "csv", "bob") != key  # another annotator: another import
    data.write_text("text,labels\nA text.,sowing_doubt\n")
    assert content_hash(data, "csv", "ann") != key
    store.undo(first.import_id)
    third = store.add(records, str(data), "csv", 1, [], content=key)
    assert not third.already_imported and len(store.imports()) == 2


def test_gold_is_adjudicated_then_unanimous_then_majority_and_a_tie_is_no_label(tmp_path):
    store = LabelStore(tmp_path / "labels.duckdb")
    votes = {"ann": {"Tie.": True, "Majority.": True, "Unanimous.": False},
             "bob": {"Tie.": False, "Majority.": True, "Unanimous.": False},
             "carl": {"Majority.": False}}
    for who, decided in votes.items():
        store.add([LabelRecord(text, {"sowing_doubt": v}, annotator=who, labelled_at=at(1))
                   for text, v in decided.items()], who, "csv", len(decided), [])
    current = store.current(LABELS).set_index("text")
    assert current.loc["Majority.", "sowing_doubt"] == 1
    assert current.loc["Unanimous.", "sowing_doubt"] == 0
    assert "Tie." not in current.index  # no gold label: never guessed, never trained on
    review = store.votes().set_index("text")
    assert sorted(review.index) == ["Majority.", "Tie."]
    assert pd.isna(review.loc["Tie.", "gold"]) and review.loc["Majority.", "gold"]
    # an adjudicated decision settles the tie and overrides the majority
    store.add([LabelRecord("Tie.", {"sowing_doubt": True}, annotator="lead"),
               LabelRecord("Majority.", {"sowing_doubt": False}, annotator="lead")],
              "adj", "csv", 2, [], adjudication=True)
    current = store.current(LABELS).set_index("text")
    assert current.loc["Tie.", "sowing_doubt"] == 1
    assert current.loc["Majority.", "sowing_doubt"] == 0
    assert store.votes().set_index("text")["adjudicated"].all()
    # the adjudicator's decisions are not an annotator's vote in the agreement figures
    assert "lead" not in set(store.decisions()["annotator"])


def test_freeze_eval_draws_a_stratified_set_that_training_never_sees(tmp_path):
    from pipeline.config import load_config
    from pipeline.labels.retrain import training_rows
    store = LabelStore(tmp_path / "labels.duckdb")
    full = ["state_media", "coordinated_campaign", "sowing_doubt", "mutual_accusation"]
    records = [LabelRecord(f"Text {i} about NATO.",
                           {l: l == "sowing_doubt" and i % 4 == 0 for l in full},
                           annotator="ann") for i in range(40)]
    store.add(records, "a", "csv", 40, [])
    frozen = store.freeze_eval(12, full, seed=1)
    assert frozen["texts"] == 12 and frozen["positives"]["sowing_doubt"] == 3  # 10 of 40
    again = store.freeze_eval(8, full, seed=1)  # adds texts, never the same ones
    assert again["evaluation_set"] == 20 and len(store.eval_hashes()) == 20
    with pytest.raises(ValueError, match="cannot freeze"):
        store.freeze_eval(20, full)
    config = load_config(overrides=[f"labels.store='{tmp_path / 'labels.duckdb'}'"])
    rows, evaluation, reported, counts = training_rows(config, full, include_seed=False)
    assert len(evaluation) == 20 and counts["evaluation_set"].endswith("(labels freeze-eval)")
    assert set(rows["text"]).isdisjoint(evaluation["text"]) and len(rows) == 20
    # the shipped evaluation split and the seed split are still reported
    assert [name for name, _ in reported] == [config["labels"]["eval_data"],
                                              config["labels"]["second_eval_data"]]
