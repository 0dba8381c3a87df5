"""Export the label store back to the annotation tools, in the shapes `labels import` reads.

The gold labels (or one annotator's latest decisions) of every stored text: Label Studio's
JSON export (a `mechanisms` and a `direction` choice, as configs/label-studio.xml names them),
doccano JSONL, Prodigy choice tasks, JSONL and CSV with one column per label. The first three
hold a list of positive labels, which decides every label, so they take only the texts whose
labels are all decided (the others are counted as `partial`); JSONL and CSV leave an
undecided label blank. With a run folder (`predictions`), each text the run scored also
carries the model's predictions as pre-annotations: Label Studio `predictions` (with the
model version), `<label>_score` columns in JSONL and CSV, `meta.scores` for Prodigy (doccano
has no place for them).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..safe_csv import write_csv
from .formats import FORMATS, LabelFormatError
from ..store import Run
from .store import LabelStore, text_hash

LIST_FORMATS = ("label-studio", "doccano", "prodigy")


def run_predictions(run: Run, labels: list[str], wanted: set[str]
                    ) -> tuple[dict[str, dict[str, Any]], str]:
    """Per text hash among `wanted`, the run's predictions ({label: 0/1, label_score: p}),
    and the model version that made them. Only the ids of wanted texts are held, not the
    run's texts."""
    ids = {}
    for part in run.iter_table("cleaned", columns=["id", "text"]):
        for doc_id, text in zip(part["id"], part["text"]):
            h = text_hash(text)
            if h in wanted:
                ids[doc_id] = h
    columns = ["id", *labels, *[f"{l}_score" for l in labels]]
    out = {}
    for part in run.iter_table("predictions", columns=columns):
        for row in part.to_dict("records"):
            if row["id"] in ids and not pd.isna(row[labels[0]]):
                out[ids[row["id"]]] = row
    return out, str((run.manifest.get("model") or {}).get("version") or "")


def export_labels(store: LabelStore, labels: list[str], fmt: str, path: str | Path,
                  annotator: str | None = None, predictions: Run | None = None
                  ) -> dict[str, int]:
    """Write the store's labels to `path`; return the counts written, left out and
    pre-annotated."""
    if fmt not in FORMATS:
        raise LabelFormatError(f"unknown label format '{fmt}'; choose from {', '.join(FORMATS)}.")
    frame = store.current(labels, annotator=annotator)
    complete = frame[labels].notna().all(axis=1) if len(frame) else pd.Series(dtype=bool)
    partial = 0
    if fmt in LIST_FORMATS:
        partial = int((~complete).sum())
        frame = frame[complete]
    who = annotator or "gold"
    rows = [_row(r, labels) for r in frame.to_dict("records")]
    predicted, version = (run_predictions(predictions, labels, set(frame["text_hash"]))
                          if predictions else ({}, ""))
    for r, h in zip(rows, frame["text_hash"]):
        r["predicted"] = predicted.get(h)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "label-studio":
        tasks = [{"data": {"text": r["text"], "source": r["source"]},
                  "annotations": [{"completed_by": who, "result": [
                      {"from_name": "mechanisms", "to_name": "text", "type": "choices",
                       "value": {"choices": r["positives"]}},
                      *([{"from_name": "direction", "to_name": "text", "type": "choices",
                          "value": {"choices": [r["direction"]]}}] if r["direction"] else [])
                  ]}],
                  **({"predictions": [{"model_version": version, "result": [
                      {"from_name": "mechanisms", "to_name": "text", "type": "choices",
                       "value": {"choices": [l for l in labels if r["predicted"][l] == 1]}}]}]}
                     if r["predicted"] else {})} for r in rows]
        path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    elif fmt == "csv":
        scores = [f"{l}_score" for l in labels] if predicted else []
        table = pd.DataFrame([{"text": r["text"], "source": r["source"],
                               **{l: r["decided"].get(l, "") for l in labels},
                               "direction": r["direction"] or "", "annotator": who,
                               **_scores(r, labels)}
                              for r in rows],
                             columns=["text", "source", *labels, "direction", "annotator",
                                      *scores])
        for label in labels:
            table[label] = table[label].map(lambda v: "" if v == "" else int(v))
        write_csv(path, table)
    else:
        with open(path, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(_json_line(r, labels, fmt, who), ensure_ascii=False) + "\n")
    return {"written": len(rows), "partial": partial,
            "pre_annotated": sum(r["predicted"] is not None for r in rows)}


def _scores(r: dict[str, Any], labels: list[str]) -> dict[str, float]:
    if not r["predicted"]:
        return {}
    return {f"{l}_score": float(r["predicted"][f"{l}_score"]) for l in labels}


def _row(record: dict[str, Any], labels: list[str]) -> dict[str, Any]:
    decided = {l: bool(record[l]) for l in labels if not pd.isna(record[l])}
    direction = record.get("direction")
    return {"text": record["text"],
            "source": None if pd.isna(record.get("source")) else record.get("source"),
            "decided": decided, "positives": [l for l in labels if decided.get(l)],
            "direction": None if pd.isna(direction) or not direction else direction}


def _json_line(r: dict[str, Any], labels: list[str], fmt: str, who: str) -> dict[str, Any]:
    if fmt == "doccano":
        return {"text": r["text"], "label": r["positives"], "source": r["source"],
                "direction": r["direction"], "annotator": who}
    if fmt == "prodigy":
        return {"text": r["text"], "options": [{"id": l, "text": l} for l in labels],
                "accept": r["positives"], "answer": "accept", "_annotator_id": who,
                "meta": {"source": r["source"], "direction": r["direction"]}}
    # every label key on every line (null when undecided): a reader takes the columns from
    # the first line, as it does from a CSV header
    return {"text": r["text"], "source": r["source"],
            **{l: r["decided"].get(l) for l in labels},
            "direction": r["direction"], "annotator": who}
