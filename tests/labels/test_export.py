"""Export the store in every tool format and import it back: the same labels."""
import pandas as pd
import pytest

from pipeline.labels.export import export_labels
from pipeline.labels.formats import FORMATS, read_labels
from pipeline.labels.store import LabelRecord, LabelStore
from pipeline.model.taxonomy import mechanism_ids

LABELS = mechanism_ids()


def store_with_labels(path):
    store = LabelStore(path)
    full = {l: False for l in LABELS}
    store.add([LabelRecord("RT: the West lies about Syria.",
                           {**full, "state_media": True, "mutual_accusation": True},
                           source="RT", direction="RU->WEST", annotator="ann"),
               LabelRecord("=HYPERLINK(\"x\") NATO tanks near Narva.",
                           {**full, "sowing_doubt": True}, annotator="ann"),
               LabelRecord("Weather in Riga.", full, annotator="ann"),
               LabelRecord("Only one label decided.", {"sowing_doubt": False},
                           annotator="ann")], "a", "jsonl", 4, [])
    # bob disagrees on one text: gold is a tie there, his own export still has it
    store.add([LabelRecord("Weather in Riga.", {**full, "sowing_doubt": True},
                           annotator="bob")], "b", "jsonl", 1, [])
    return store


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_then_import_gives_the_same_gold_labels(tmp_path, fmt):
    store = store_with_labels(tmp_path / "labels.duckdb")
    out = tmp_path / f"export.{fmt}"
    counts = export_labels(store, LABELS, fmt, out)
    list_format = fmt in ("label-studio", "doccano", "prodigy")
    # "Weather in Riga." is a tie on sowing_doubt (no gold) and "Only one label decided." has
    # one label: a list format, which decides every label, leaves both out
    assert counts == {"written": 2 if list_format else 4, "partial": 2 if list_format else 0}
    records, rows, problems = read_labels(out, fmt, LABELS)
    assert not problems and rows == counts["written"]
    back = LabelStore(tmp_path / "again.duckdb")
    back.add(records, str(out), fmt, rows, [])
    expected = store.current(LABELS).set_index("text")
    got = back.current(LABELS).set_index("text")
    expected = expected.loc[got.index]  # list formats leave the partly decided text out
    assert got[LABELS].equals(expected[LABELS])
    assert got.loc["RT: the West lies about Syria.", "direction"] == "RU->WEST"
    assert got.loc["RT: the West lies about Syria.", "source"] == "RT"
    if list_format:
        assert "Weather in Riga." not in got.index
    else:  # a tie has no gold label: exported undecided
        assert got.loc["Weather in Riga.", "sowing_doubt"] is pd.NA
        assert got.loc["Weather in Riga.", "state_media"] == 0


def test_one_annotators_decisions_export_with_their_name(tmp_path):
    store = store_with_labels(tmp_path / "labels.duckdb")
    out = tmp_path / "bob.jsonl"
    assert export_labels(store, LABELS, "jsonl", out, annotator="bob")["written"] == 1
    records, _, _ = read_labels(out, "jsonl", LABELS)
    assert records[0].annotator == "bob" and records[0].labels["sowing_doubt"] is True
