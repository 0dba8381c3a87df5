"""CSV outputs are safe to open in a spreadsheet: no formula runs, no control character gets
through, numbers stay numbers; the Parquet outputs keep the raw values."""
import csv
import json
import re

import pandas as pd
import pytest

from pipeline import load_config, run_pipeline
from pipeline.safe_csv import FORMULA_START, safe_cell, safe_frame, write_csv
from tests.conftest import write

PAYLOAD = "=cmd|' /C calc'!A0"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@pytest.mark.parametrize("cell", [PAYLOAD, "+1+1", "-2+3;=1+1", "@SUM(A1:A9)", "\t=1+1",
                                  "\r=1+1", "-", "-inf"])
def test_cells_that_would_start_a_formula_get_a_quote(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-3.5", "+2", "-1e-3", "-.5", "42", "NATO = threat",
                                  "'=already quoted", ""])
def test_numbers_and_ordinary_text_are_kept(cell):
    assert safe_cell(cell) == cell


def test_control_characters_are_stripped_before_the_check():
    assert safe_cell("R\x00T\x07 \x1b[31mnews\x7f") == "RT [31mnews"
    assert safe_cell("\x00" + PAYLOAD) == "'" + PAYLOAD
    assert safe_cell("tab\there\r\nnew line") == "tab\there\r\nnew line"


def test_only_the_strings_of_text_columns_change():
    frame = pd.DataFrame({"score": [-3.5, 1.0], "n": [-1, 2],
                          "text": pd.Series([PAYLOAD, "-3.5"], dtype="str"),
                          "mixed": pd.Series([["=a", "\x00"], "@x\x00"], dtype=object)})
    out = safe_frame(frame)
    assert out.dtypes.to_dict() == frame.dtypes.to_dict()
    assert out["score"].tolist() == [-3.5, 1.0] and out["n"].tolist() == [-1, 2]
    assert out["text"].tolist() == ["'" + PAYLOAD, "-3.5"]
    assert out["mixed"].tolist() == [["=a", "\x00"], "'@x"]
    assert frame["text"][0] == PAYLOAD  # the input is not changed


def test_write_csv_streams_frames_under_one_header(tmp_path):
    frames = [pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype=float)}),
              pd.DataFrame({"a": ["=1", "x"], "b": [-1.5, 2.0]}),
              pd.DataFrame({"a": ["@y"], "b": [3.0]})]
    write_csv(tmp_path / "out.csv", iter(frames))
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["a", "b"], ["'=1", "-1.5"], ["x", "2.0"], ["'@y", "3.0"]]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """A run (in a folder whose name has a quote) over formula payloads as source, title and
    text, a NUL in a source, a number-like title, and a copy-paste network of accounts with
    formula and control-character handles."""
    root = tmp_path_factory.mktemp("csv")
    rows = [{"id": "f1", "title": PAYLOAD, "source": PAYLOAD,
             "text": f"{PAYLOAD} NATO is preparing an attack on Russia, RT reports.",
             "published_at": "2024-01-01T10:00:00Z"},
            {"id": "f2", "title": "-3.5", "source": "Sput\x00nik",
             "text": "Western media spread Russophobic lies, Lavrov said.",
             "published_at": "2024-01-02T10:00:00Z"},
            {"id": "f3", "title": "@everyone", "source": "+RT\x07",
             "text": "-NATO is preparing for war on the Baltic border, TASS says.",
             "published_at": "2024-01-03T10:00:00Z"}]
    handles = [PAYLOAD, "bot\x00", "+troll\x1b", "@sock"]
    for burst in range(3):
        for a, handle in enumerate(handles):
            rows.append({"id": f"s{burst}-{a}", "author": handle,
                         "published_at": f"2024-03-0{1 + burst}T12:0{a}:00Z",
                         "text": f"Share now: NATO lies about the Baltic exercise {burst} "
                                 f"{PAYLOAD}"})
    path = write(root / "posts.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    return run_pipeline([str(path)], str(root / "it's a run"), load_config())


def read_cells(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def test_run_csv_outputs_hold_no_formula_and_no_control_character(hostile_run):
    paths = [hostile_run.path / "predictions.csv", hostile_run.path / "coordination_edges.csv",
             *sorted((hostile_run.path / "tables").glob("*.csv"))]
    assert len(paths) > 5 and all(p.exists() for p in paths)
    cells = [cell for path in paths for cell in read_cells(path)]
    unsafe = [c for c in cells if c.startswith(FORMULA_START) and not NUMBER.fullmatch(c)]
    assert not unsafe and not [c for c in cells if CONTROL.search(c)]
    predictions = read_cells(hostile_run.path / "predictions.csv")
    assert {"'" + PAYLOAD, "Sputnik", "'+RT", "'@everyone", "-3.5"} <= set(predictions)
    assert "'" + PAYLOAD in read_cells(hostile_run.path / "coordination_edges.csv")
    assert "'" + PAYLOAD in read_cells(hostile_run.path / "tables" / "by_source.csv")


def test_predictions_csv_matches_the_parquet_which_keeps_raw_values(hostile_run):
    raw = pd.read_parquet(hostile_run.path / "predictions.parquet")
    with open(hostile_run.path / "predictions.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(raw.columns)
    assert [r["id"] for r in rows] == raw["id"].tolist() == sorted(raw["id"])
    assert {"Sput\x00nik", PAYLOAD, "+RT\x07"} <= set(raw["source"])
    assert [r["source"] for r in rows] == [safe_cell(s) if isinstance(s, str) else ""
                                           for s in raw["source"]]
