"""Importers of the annotation tools' exports: what is read, and every row that is not."""
import json

import pandas as pd
import pytest

from pipeline.labels.formats import LabelFormatError, read_labels, write_tasks
from pipeline.model.taxonomy import mechanism_ids
from tests.conftest import write

LABELS = mechanism_ids()


def reasons(problems):
    return sorted(p["reason"] for p in problems)


def test_csv_with_one_column_per_label(tmp_path):
    path = write(tmp_path / "l.csv", "text,state_media,sowing_doubt,mood,annotator\n"
                 "RT says NATO lies.,1,yes,happy,ann\n"
                 "Weather is fine.,0,,calm,bob\n"
                 ",1,0,,ann\n"
                 "Bad value.,maybe,0,,ann\n")
    records, rows, problems = read_labels(path, "csv", LABELS)
    assert rows == 4 and len(records) == 2
    assert records[0].labels == {"state_media": True, "sowing_doubt": True}
    assert records[1].labels == {"state_media": False}  # blank = not decided
    assert records[0].annotator == "ann"
    assert reasons(problems) == ["malformed_row", "missing_text", "unknown_label"]
    assert any("mood" in p["detail"] for p in problems)


def test_jsonl_with_label_lists_decides_every_label(tmp_path):
    path = write(tmp_path / "l.jsonl", "\n".join([
        json.dumps({"text": "Bots amplified it.", "labels": ["coordinated_campaign"]}),
        json.dumps({"text": "Odd one.", "labels": ["propaganda"]}),
        "{not json", json.dumps(["a list"])]))
    records, rows, problems = read_labels(path, "jsonl", LABELS)
    assert rows == 4 and len(records) == 1
    assert records[0].labels == {l: l == "coordinated_campaign" for l in LABELS}
    assert reasons(problems) == ["malformed_row", "malformed_row", "unknown_label"]


def test_label_studio_export(tmp_path):
    tasks = [
        {"id": 1, "data": {"text": "Sputnik: NATO provokes."}, "annotations": [
            {"result": [{"type": "choices", "from_name": "mechanisms", "to_name": "text",
                         "value": {"choices": ["state_media", "sowing_doubt"]}}],
             "completed_by": {"email": "a@example.org"}, "updated_at": "2026-11-01T10:00:00Z"},
            {"result": [], "was_cancelled": True}]},
        {"id": 2, "data": {"text": "No annotation yet."}, "annotations": []},
        {"id": 3, "data": {"text": "Spans."}, "annotations": [
            {"result": [{"type": "labels", "value": {"start": 0, "end": 4, "labels": ["x"]}}]}]},
        {"id": 4, "data": {"text": "Unknown."}, "annotations": [
            {"result": [{"type": "choices", "value": {"choices": ["trolling"]}}]}]},
        {"id": 5, "data": {}, "annotations": [
            {"result": [{"type": "choices", "value": {"choices": ["state_media"]}}]}]},
        "not a task"]
    path = write(tmp_path / "ls.json", json.dumps(tasks))
    records, rows, problems = read_labels(path, "label-studio", LABELS)
    assert rows == 6 and len(records) == 1
    rec = records[0]
    assert rec.annotator == "a@example.org" and rec.labelled_at.year == 2026
    assert rec.labels["state_media"] and rec.labels["sowing_doubt"]
    assert not rec.labels["mutual_accusation"]
    assert reasons(problems) == ["malformed_row", "missing_text", "no_decision",
                                 "skipped_by_annotator", "span_labels", "unknown_label"]
    with pytest.raises(LabelFormatError):
        read_labels(write(tmp_path / "bad.json", "{"), "label-studio", LABELS)


def test_the_shipped_label_studio_config_reads_back_with_its_direction(tmp_path):
    """configs/label-studio.xml: the choices it offers are the taxonomy's labels and the
    directions; an annotation made with it imports with its direction, not as an unknown
    label (issue #14)."""
    import xml.etree.ElementTree as ET

    from pipeline.config import PROJECT_ROOT
    view = ET.parse(PROJECT_ROOT / "configs" / "label-studio.xml").getroot()
    controls = {c.get("name"): [x.get("value") for x in c.iter("Choice")]
                for c in view.iter("Choices")}
    assert controls["mechanisms"] == LABELS
    assert {"RU->WEST", "WEST->RU"} <= set(controls["direction"])
    tasks = [{"id": 1, "data": {"text": "RT: the West lies about Syria."}, "annotations": [
        {"result": [{"type": "choices", "from_name": "mechanisms", "to_name": "text",
                     "value": {"choices": ["state_media", "mutual_accusation"]}},
                    {"type": "choices", "from_name": "direction", "to_name": "text",
                     "value": {"choices": ["RU->WEST"]}}]}]}]
    records, _, problems = read_labels(write(tmp_path / "ls.json", json.dumps(tasks)),
                                       "label-studio", LABELS)
    assert not problems and records[0].direction == "RU->WEST"
    assert records[0].labels == {l: l in ("state_media", "mutual_accusation") for l in LABELS}


def test_a_file_of_another_format_is_refused_with_the_format_it_reads_as(tmp_path):
    """A doccano JSONL named as Label Studio (or the reverse) is one clear error, not a
    malformed_row per line and a successful import of nothing (issue #14)."""
    doccano = write(tmp_path / "d.jsonl", "\n".join(json.dumps(
        {"text": f"Text {i}.", "label": ["state_media"]}) for i in range(30)) + "\n")
    assert read_labels(doccano, "doccano", LABELS)[0]
    with pytest.raises(LabelFormatError, match="none of its 30 row.s. parses as one.*"
                                               "pass --format"):
        read_labels(doccano, "prodigy", LABELS)


def test_doccano_and_prodigy(tmp_path):
    doccano = write(tmp_path / "d.jsonl", "\n".join([
        json.dumps({"text": "Copy-paste network.", "label": ["coordinated_campaign"]}),
        json.dumps({"text": "Spans", "label": [[0, 5, "state_media"]]}),
        json.dumps({"text": "Nothing"})]))
    records, rows, problems = read_labels(doccano, "doccano", LABELS)
    assert len(records) == 1 and records[0].labels["coordinated_campaign"]
    assert reasons(problems) == ["no_decision", "span_labels"]
    prodigy = write(tmp_path / "p.jsonl", "\n".join([
        json.dumps({"text": "Lavrov: Western lies.", "options": [{"id": l} for l in LABELS],
                    "accept": ["mutual_accusation"], "answer": "accept",
                    "_annotator_id": "s-1", "_timestamp": 1_764_000_000}),
        json.dumps({"text": "Skip me", "options": [], "accept": [], "answer": "ignore"}),
        json.dumps({"text": "RT report.", "label": "state_media", "answer": "reject"}),
        json.dumps({"text": "X", "label": "nonsense", "answer": "accept"})]))
    records, rows, problems = read_labels(prodigy, "prodigy", LABELS)
    assert rows == 4 and len(records) == 2
    assert records[0].labels["mutual_accusation"] and not records[0].labels["state_media"]
    assert records[0].annotator == "s-1"
    assert records[1].labels == {"state_media": False}  # binary task: one label decided
    assert reasons(problems) == ["skipped_by_annotator", "unknown_label"]


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(LabelFormatError, match="unknown label format"):
        read_labels(write(tmp_path / "x.txt", "x"), "brat", LABELS)
    with pytest.raises(FileNotFoundError):
        read_labels(tmp_path / "absent.csv", "csv", LABELS)


@pytest.mark.parametrize("fmt,reader", [("label-studio", "label-studio"),
                                        ("doccano", "doccano"), ("csv", "csv"),
                                        ("jsonl", "jsonl")])
def test_written_tasks_import_back_as_the_predictions(tmp_path, fmt, reader):
    """Tasks pre-filled with predictions, accepted unchanged, import as those predictions."""
    frame = pd.DataFrame({"id": ["a", "b"], "text": ["One text.", "-- Two text. =x"],
                          "source": ["RT", None], "uncertainty": [0.9, 0.5]})
    for i, l in enumerate(LABELS):
        frame[l] = [1, 0] if i % 2 == 0 else [0, 1]
        frame[f"{l}_score"] = [0.7, 0.2]
    path = tmp_path / f"tasks.{fmt}"
    write_tasks(frame, LABELS, fmt, path, "v1")
    if fmt == "label-studio":  # an annotator accepting the predictions as they are
        tasks = json.loads(path.read_text())
        for t in tasks:
            t["annotations"] = [{"result": t["predictions"][0]["result"]}]
        path.write_text(json.dumps(tasks))
    records, rows, problems = read_labels(path, reader, LABELS)
    assert rows == 2 and not problems
    assert [r.labels for r in records] == [{l: bool(frame.loc[i, l]) for l in LABELS}
                                           for i in range(2)]
    # a text that CSV escaping guarded against spreadsheets comes back as it was
    assert [r.text for r in records] == frame["text"].tolist()


def test_prodigy_tasks_have_options_and_preselected_predictions(tmp_path):
    frame = pd.DataFrame({"id": ["a"], "text": ["One."], "source": ["RT"], "uncertainty": [1.0],
                          **{l: [int(l == "state_media")] for l in LABELS},
                          **{f"{l}_score": [0.5] for l in LABELS}})
    path = tmp_path / "p.jsonl"
    write_tasks(frame, LABELS, "prodigy", path, "v1")
    task = json.loads(path.read_text())
    assert [o["id"] for o in task["options"]] == LABELS and task["accept"] == ["state_media"]


def test_the_format_of_each_tools_export_is_detected(tmp_path):
    from pipeline.labels.formats import detect_format
    frame = pd.DataFrame({"id": ["a", "b"], "text": ["RT: NATO lies.", "Bots again."],
                          "source": ["RT", None], **{l: [0, 1] for l in LABELS},
                          **{f"{l}_score": [0.1, 0.9] for l in LABELS}})
    for fmt in ("label-studio", "doccano", "prodigy", "jsonl", "csv"):
        path = tmp_path / f"tasks.{fmt}"
        write_tasks(frame, LABELS, fmt, path)
        if fmt == "label-studio":  # an export has annotations, not only predictions
            tasks = json.loads(path.read_text())
            for t in tasks:
                t["annotations"] = [{"result": t.pop("predictions")[0]["result"]}]
            path.write_text(json.dumps(tasks))
        if fmt == "prodigy":
            path.write_text("".join(json.dumps({**json.loads(l), "answer": "accept"}) + "\n"
                                    for l in path.read_text().splitlines()))
        assert detect_format(path, LABELS) == fmt
    with pytest.raises(LabelFormatError, match="no label format reads it"):
        detect_format(write(tmp_path / "x.txt", "just some words\n"), LABELS)
