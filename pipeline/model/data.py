"""Labelled data: the JSONL format of the seed set, the label matrix and the data hash."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd


class LabelledDataError(ValueError):
    """A labelled file is malformed; the message names the line and the problem."""


def load_labelled(path: str | Path, labels: list[str], field: str = "labels") -> pd.DataFrame:
    """Read a labelled JSONL file: one object per line with `text`, a list of label ids under
    `field` (`labels` for mechanisms, `narratives` for narratives), optional `source`,
    `direction`, `split`, `id` and `lang`. The frame's `labels` column holds that list and
    its `group` column what ties texts together for cross-validation (a case of the real set,
    shared by its summary, its disproof and their translations; else the text's id)."""
    rows = []
    known = set(labels)
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabelledDataError(f"{path}:{n}: not valid JSON ({exc.msg}).") from exc
            if not isinstance(obj.get("text"), str) or not obj["text"].strip():
                raise LabelledDataError(f"{path}:{n}: missing or empty 'text'.")
            unknown = set(obj.get(field, [])) - known
            if unknown:
                raise LabelledDataError(f"{path}:{n}: unknown label(s) {sorted(unknown)}; "
                                        f"known: {', '.join(labels)}.")
            origin = obj.get("translated_from") or {}
            group = obj.get("case", origin.get("case"))
            rows.append({"id": obj.get("id", f"line-{n}"), "text": obj["text"],
                         "lang": obj.get("lang"),
                         "group": str(group) if group is not None
                         else str(origin.get("id") or obj.get("id", f"line-{n}")),
                         "source": obj.get("source"), "labels": list(obj.get(field, [])),
                         "direction": obj.get("direction"), "split": obj.get("split", "train"),
                         "genre": obj.get("genre")})
    if not rows:
        raise LabelledDataError(f"{path} holds no labelled records.")
    return pd.DataFrame(rows)


def label_matrix(df: pd.DataFrame, labels: list[str]) -> np.ndarray:
    return np.array([[int(label in row) for label in labels] for row in df["labels"]])


def data_hash(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()
