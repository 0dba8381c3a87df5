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
    assert counts == {"written": 2 if list_format else 4, "partial": 2 if list_format else 0,
                      "pre_annotated": 0}
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


def test_a_runs_predictions_join_as_pre_annotations(tmp_path):
    import json

    from pipeline import Run
    store = store_with_labels(tmp_path / "labels.duckdb")
    run = Run.create(tmp_path / "run")
    texts = ["RT: the West lies about Syria.", "Not in the store."]
    run.write_part("cleaned", 0, pd.DataFrame({"id": ["a", "b"], "text": texts}))
    run.write_part("predictions", 0, pd.DataFrame({
        "id": ["a", "b"], **{l: [int(l == "state_media"), 0] for l in LABELS},
        **{f"{l}_score": [0.9 if l == "state_media" else 0.1, 0.2] for l in LABELS}}))
    run.update_manifest(model={"version": "v-test", "labels": LABELS})
    out = tmp_path / "ls.json"
    counts = export_labels(store, LABELS, "label-studio", out, predictions=run)
    assert counts["pre_annotated"] == 1
    tasks = {t["data"]["text"]: t for t in json.loads(out.read_text())}
    predicted = tasks[texts[0]]["predictions"][0]
    assert predicted["model_version"] == "v-test"
    assert predicted["result"][0]["value"]["choices"] == ["state_media"]
    assert all("predictions" not in t for text, t in tasks.items() if text != texts[0])
    records, _, problems = read_labels(out, "label-studio", LABELS)  # still imports
    assert not problems and len(records) == 2
    csv_out = tmp_path / "l.csv"
    export_labels(store, LABELS, "csv", csv_out, predictions=run)
    table = pd.read_csv(csv_out).set_index("text")
    assert table.loc[texts[0], "state_media_score"] == 0.9
    assert read_labels(csv_out, "csv", LABELS)[2] == []  # score columns are not labels
