"""The label store keeps every decision; the latest one wins."""
from datetime import datetime, timezone

from pipeline.labels.store import LabelRecord, LabelStore, text_hash

LABELS = ["state_media", "sowing_doubt"]


def at(day):
    return datetime(2026, 11, day, tzinfo=timezone.utc)


def test_relabelling_keeps_history_and_latest_wins(tmp_path):
    store = LabelStore(tmp_path / "labels.duckdb")
    first = store.add([LabelRecord("RT: NATO lies.", {"state_media": True, "sowing_doubt": False},
                                   source="RT", annotator="ann", labelled_at=at(1))],
                      "a.csv", "csv", 1, [])
    store.add([LabelRecord("RT:  NATO lies. ", {"sowing_doubt": True}, annotator="bob",
                           labelled_at=at(3))], "b.csv", "csv", 1,
              [{"row": 2, "reason": "missing_text", "detail": "no text"}])
    # an older decision imported later does not override a newer one
    store.add([LabelRecord("RT: NATO lies.", {"sowing_doubt": False}, labelled_at=at(2))],
              "c.csv", "csv", 1, [])
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
