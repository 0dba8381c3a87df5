"""Read and write the annotation tools' formats.

Readers return (records, rows read, problems); a problem is a row that was not imported, with
its reason: `malformed_row`, `missing_text`, `unknown_label`, `no_decision` (nothing labelled),
`skipped_by_annotator` (Prodigy ignore/reject of a choice task, Label Studio cancelled),
`span_labels` (a span annotation where document labels were expected).

| format         | reads                                                               |
|----------------|---------------------------------------------------------------------|
| `csv`, `jsonl` | `text`, one column per label (1/0, true/false, yes/no; blank = not  |
|                | decided) or a `labels` list of the positive labels                  |
| `label-studio` | the JSON export: tasks with `data.text` and `annotations[].result`  |
|                | of type `choices` (the positive labels; a `direction` control's     |
|                | choice is the accusation direction: configs/label-studio.xml)       |
| `doccano`      | JSONL with `text` and `label` (or `labels`): the positive labels    |
| `prodigy`      | JSONL: choice tasks (`options`, `accept`, `answer`) or binary       |
|                | textcat tasks (`label`, `answer` accept/reject)                     |

A list of positive labels decides every label: those listed are true, the others false.
"""
from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from ..safe_csv import unescape_cell, write_csv
from .store import LabelRecord

FORMATS = ("csv", "jsonl", "label-studio", "doccano", "prodigy")
TRUE = {"1", "true", "yes", "y", "t", "1.0"}
FALSE = {"0", "false", "no", "n", "f", "0.0"}
KNOWN_COLUMNS = {"id", "text", "source", "labels", "direction", "annotator", "labelled_at",
                 "split", "score"}


class LabelFormatError(ValueError):
    """A label file cannot be read at all (wrong format, not JSON, ...)."""


def _time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    stamp = pd.to_datetime(value, utc=True, errors="coerce")
    return None if pd.isna(stamp) else stamp.to_pydatetime()


def _positives(row: int, positives: Iterable[Any], labels: list[str], problems: list,
               ) -> dict[str, bool] | None:
    chosen = [str(p) for p in positives]
    unknown = sorted(set(chosen) - set(labels))
    if unknown:
        problems.append({"row": row, "reason": "unknown_label",
                         "detail": f"{unknown}; known labels: {labels}"})
        return None
    return {label: label in chosen for label in labels}


def _record(row: int, text: Any, decided: dict[str, bool] | None, problems: list,
            **extra: Any) -> LabelRecord | None:
    if not isinstance(text, str) or not text.strip():
        problems.append({"row": row, "reason": "missing_text", "detail": "no text"})
        return None
    if decided is None:
        return None
    if not decided:
        problems.append({"row": row, "reason": "no_decision", "detail": "no label decided"})
        return None
    return LabelRecord(text=text, labels=decided, row=row, **extra)


def _read_json_lines(path: Path, problems: list) -> tuple[list[tuple[int, dict]], int]:
    """The JSON objects of a JSONL file with their line numbers, and the number of non-empty
    lines (malformed ones are problems)."""
    rows, count = [], 0
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            count += 1
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append({"row": n, "reason": "malformed_row", "detail": str(exc)})
                continue
            if not isinstance(obj, dict):
                problems.append({"row": n, "reason": "malformed_row",
                                 "detail": "a line is not a JSON object"})
                continue
            rows.append((n, obj))
    return rows, count


def _tabular(rows: list[tuple[int, dict]], labels: list[str], problems: list) -> list[LabelRecord]:
    out = []
    label_columns = None
    for n, obj in rows:
        if label_columns is None:
            label_columns = [l for l in labels if l in obj]
            extra = sorted(c for c in set(obj) - KNOWN_COLUMNS - set(labels)
                           if not c.endswith("_score"))
            if extra:
                problems.append({"row": n, "reason": "unknown_label",
                                 "detail": f"columns {extra} are not labels ({labels}) and "
                                           f"were not read"})
        decided: dict[str, bool] | None = {}
        if obj.get("labels") not in (None, ""):
            value = obj["labels"]
            if isinstance(value, str):
                try:
                    value = json.loads(value) if value.strip().startswith("[") else \
                        [v.strip() for v in value.replace("|", ",").split(",") if v.strip()]
                except json.JSONDecodeError:
                    problems.append({"row": n, "reason": "malformed_row",
                                     "detail": f"labels {value!r} is not a list"})
                    continue
            decided = _positives(n, value, labels, problems)
        else:
            for label in label_columns or []:
                raw = obj.get(label)
                value = "" if raw is None else str(raw).strip().lower()
                if value in TRUE:
                    decided[label] = True
                elif value in FALSE:
                    decided[label] = False
                elif value not in ("", "nan", "none"):
                    problems.append({"row": n, "reason": "malformed_row",
                                     "detail": f"{label}={raw!r} is not 1/0/true/false"})
                    decided = None
                    break
        rec = _record(n, obj.get("text"), decided, problems, source=obj.get("source") or None,
                      direction=obj.get("direction") or None, annotator=obj.get("annotator"),
                      labelled_at=_time(obj.get("labelled_at")))
        if rec:
            out.append(rec)
    return out


def read_csv(path: Path, labels: list[str], problems: list) -> tuple[list[LabelRecord], int]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "text" not in reader.fieldnames:
            raise LabelFormatError(f"{path}: a CSV label file needs a header with a `text` "
                                   f"column (found {reader.fieldnames}).")
        rows = [(n, {k: unescape_cell(v) if isinstance(v, str) else v for k, v in r.items()})
                for n, r in enumerate(reader, start=2)]
    return _tabular(rows, labels, problems), len(rows)


def read_jsonl(path: Path, labels: list[str], problems: list) -> tuple[list[LabelRecord], int]:
    rows, count = _read_json_lines(path, problems)
    return _tabular(rows, labels, problems), count


def read_label_studio(path: Path, labels: list[str], problems: list
                      ) -> tuple[list[LabelRecord], int]:
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LabelFormatError(f"{path} is not a Label Studio JSON export: {exc}") from exc
    if not isinstance(tasks, list):
        raise LabelFormatError(f"{path}: a Label Studio JSON export is a list of tasks.")
    out = []
    for n, task in enumerate(tasks, start=1):
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            problems.append({"row": n, "reason": "malformed_row", "detail": "task without data"})
            continue
        data = task["data"]
        annotations = task.get("annotations") or []
        if not annotations:
            problems.append({"row": n, "reason": "no_decision", "detail": "task not annotated"})
            continue
        for ann in annotations:
            if ann.get("was_cancelled"):
                problems.append({"row": n, "reason": "skipped_by_annotator",
                                 "detail": "annotation cancelled"})
                continue
            chosen, spans, direction = [], False, data.get("direction") or None
            for result in ann.get("result") or []:
                if result.get("type") == "choices" and result.get("from_name") == "direction":
                    direction = next(iter(result.get("value", {}).get("choices", [])), None)
                elif result.get("type") == "choices":
                    chosen += result.get("value", {}).get("choices", [])
                elif result.get("type") in ("labels", "span"):
                    spans = True
            if spans and not chosen:
                problems.append({"row": n, "reason": "span_labels",
                                 "detail": "span annotations; document labels expected"})
                continue
            who = ann.get("completed_by")
            if isinstance(who, dict):
                who = who.get("email") or who.get("id")
            rec = _record(n, data.get("text"), _positives(n, chosen, labels, problems), problems,
                          source=data.get("source") or None, annotator=str(who) if who else None,
                          labelled_at=_time(ann.get("updated_at") or ann.get("created_at")),
                          direction=direction)
            if rec:
                out.append(rec)
    return out, len(tasks)


def read_doccano(path: Path, labels: list[str], problems: list) -> tuple[list[LabelRecord], int]:
    rows, count = _read_json_lines(path, problems)
    out = []
    for n, obj in rows:
        value = obj.get("label", obj.get("labels"))
        if value is None:
            problems.append({"row": n, "reason": "no_decision", "detail": "no `label` field"})
            continue
        value = value if isinstance(value, list) else [value]
        if any(isinstance(v, list) for v in value):
            problems.append({"row": n, "reason": "span_labels",
                             "detail": "span annotations; document labels expected"})
            continue
        rec = _record(n, obj.get("text"), _positives(n, value, labels, problems), problems,
                      source=obj.get("source") or None, annotator=obj.get("annotator"),
                      direction=obj.get("direction") or None)
        if rec:
            out.append(rec)
    return out, count


def read_prodigy(path: Path, labels: list[str], problems: list) -> tuple[list[LabelRecord], int]:
    rows, count = _read_json_lines(path, problems)
    out = []
    for n, obj in rows:
        answer = obj.get("answer")
        meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
        extra = {"source": meta.get("source") or None,
                 "annotator": obj.get("_annotator_id") or obj.get("_session_id"),
                 "labelled_at": _time(obj.get("_timestamp")),
                 "direction": obj.get("direction") or meta.get("direction") or None}
        if "options" in obj or "accept" in obj:  # choice interface (textcat multi-label)
            if answer != "accept":
                problems.append({"row": n, "reason": "skipped_by_annotator",
                                 "detail": f"answer {answer!r}"})
                continue
            rec = _record(n, obj.get("text"),
                          _positives(n, obj.get("accept") or [], labels, problems),
                          problems, **extra)
        elif "label" in obj:  # binary textcat: one label accepted or rejected
            if answer not in ("accept", "reject"):
                problems.append({"row": n, "reason": "skipped_by_annotator",
                                 "detail": f"answer {answer!r}"})
                continue
            if obj["label"] not in labels:
                problems.append({"row": n, "reason": "unknown_label",
                                 "detail": f"{obj['label']!r}; known labels: {labels}"})
                continue
            rec = _record(n, obj.get("text"), {obj["label"]: answer == "accept"}, problems,
                          **extra)
        else:
            problems.append({"row": n, "reason": "no_decision",
                             "detail": "neither `options`/`accept` nor `label`"})
            continue
        if rec:
            out.append(rec)
    return out, count


READERS = {"csv": read_csv, "jsonl": read_jsonl, "label-studio": read_label_studio,
           "doccano": read_doccano, "prodigy": read_prodigy}


def read_labels(path: str | Path, fmt: str, labels: list[str]
                ) -> tuple[list[LabelRecord], int, list[dict[str, Any]]]:
    if fmt not in READERS:
        raise LabelFormatError(f"unknown label format '{fmt}'; choose from {', '.join(FORMATS)}.")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"label file {path} does not exist.")
    problems: list[dict[str, Any]] = []
    records, rows = READERS[fmt](path, labels, problems)
    if rows and not records:  # nothing read: is it another tool's export?
        fits = [other for other in FORMATS if other != fmt and _parses_as(path, other, labels)]
        if fits or all(p["reason"] == "malformed_row" for p in problems):
            hint = (f"it reads as {' or '.join(fits)}: pass --format {fits[0]}" if fits else
                    "check the file and --format")
            first = problems[0]["detail"] if problems else "no record found"
            raise LabelFormatError(f"{path} is not a {fmt} export: none of its {rows} row(s) "
                                   f"parses as one ({first}); {hint}.")
    return records, rows, problems


def detect_format(path: str | Path, labels: list[str]) -> str:
    """The format that reads the most records of `path` with the fewest problems (in the
    order of FORMATS from the most specific on a tie); a file no format reads is an error."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"label file {path} does not exist.")
    scores = {}
    for fmt in ("label-studio", "prodigy", "doccano", "jsonl", "csv"):
        problems: list[dict[str, Any]] = []
        try:
            records, _ = READERS[fmt](path, labels, problems)
        except (LabelFormatError, ValueError, KeyError, TypeError, UnicodeDecodeError):
            continue
        if records:
            scores[fmt] = (len(records), -len(problems))
    if not scores:
        raise LabelFormatError(f"{path}: no label format reads it ({', '.join(FORMATS)}); "
                               f"check the file, or name its format with --format.")
    best = max(scores.values())
    return next(fmt for fmt, score in scores.items() if score == best)


def _parses_as(path: Path, fmt: str, labels: list[str]) -> bool:
    """Whether some row of `path` reads as a `fmt` record."""
    try:
        records, _ = READERS[fmt](path, labels, [])
    except (LabelFormatError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return False
    return bool(records)


# -- writers (suggestions, pre-filled with the model's predictions) ----------------------------
def write_tasks(frame: pd.DataFrame, labels: list[str], fmt: str, path: str | Path,
                model_version: str | None = None) -> None:
    """Write documents (`id`, `text`, `source`, `<label>` 0/1 predictions, `<label>_score`)
    in a tool's import format, with the predictions pre-filled."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    records = json.loads(frame.to_json(orient="records", force_ascii=False))  # NA -> null
    predicted = [[l for l in labels if int(r[l]) == 1] for r in records]
    if fmt == "label-studio":
        tasks = [{"data": {"id": r["id"], "text": r["text"], "source": r.get("source")},
                  "predictions": [{"model_version": model_version or "",
                                   "score": float(r.get("uncertainty") or 0.0),
                                   "result": [{"from_name": "mechanisms", "to_name": "text",
                                               "type": "choices",
                                               "value": {"choices": pos}}]}]}
                 for r, pos in zip(records, predicted)]
        path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    elif fmt in ("doccano", "prodigy", "jsonl"):
        with open(path, "w", encoding="utf-8") as fh:
            for r, pos in zip(records, predicted):
                if fmt == "doccano":
                    obj = {"text": r["text"], "label": pos,
                           "meta": {"id": r["id"], "source": r.get("source")}}
                elif fmt == "prodigy":
                    obj = {"text": r["text"], "options": [{"id": l, "text": l} for l in labels],
                           "accept": pos, "meta": {"id": r["id"], "source": r.get("source"),
                                                   "model_version": model_version}}
                else:
                    obj = {"id": r["id"], "text": r["text"], "source": r.get("source"),
                           **{l: int(r[l]) for l in labels},
                           **{f"{l}_score": float(r[f"{l}_score"]) for l in labels}}
                fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        cols = ["id", "text", "source", *labels, *[f"{l}_score" for l in labels]]
        write_csv(path, frame[cols])
    else:
        raise LabelFormatError(f"unknown label format '{fmt}'; choose from {', '.join(FORMATS)}.")
