"""Evaluation: per-label precision, recall, F1 and support; macro and micro F1; direction."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support

from ..store import write_json
from .data import label_matrix, load_labelled
from .predict import ACCUSATION_LABEL, MechanismPredictor


def score(Y: np.ndarray, P: np.ndarray, labels: list[str]) -> dict[str, Any]:
    p, r, f, s = precision_recall_fscore_support(Y, P, average=None, zero_division=0)
    per_label = {label: {"precision": round(float(p[j]), 4), "recall": round(float(r[j]), 4),
                         "f1": round(float(f[j]), 4), "support": int(s[j])}
                 for j, label in enumerate(labels)}
    _, _, micro, _ = precision_recall_fscore_support(Y, P, average="micro", zero_division=0)
    _, _, macro, _ = precision_recall_fscore_support(Y, P, average="macro", zero_division=0)
    return {"per_label": per_label, "macro_f1": round(float(macro), 4),
            "micro_f1": round(float(micro), 4), "n_documents": int(len(Y))}


def evaluate_frame(predictor: MechanismPredictor, df: pd.DataFrame) -> dict[str, Any]:
    labels = predictor.labels
    Y = label_matrix(df, labels)
    pred = predictor.predict(df[["text", "source"]].reset_index(drop=True))
    metrics = score(Y, pred.decisions, labels)
    if ACCUSATION_LABEL in labels:
        j = labels.index(ACCUSATION_LABEL)
        gold = df["direction"].tolist()
        pairs = [(g, d) for g, d, y, p in zip(gold, pred.directions, Y[:, j], pred.decisions[:, j])
                 if y and p and g]
        metrics["direction"] = {
            "accuracy": round(sum(g == d for g, d in pairs) / len(pairs), 4) if pairs else None,
            "n": len(pairs),
            "note": "on documents that are mutual_accusation in gold and prediction"}
    return metrics


def evaluate(model_dir: str | Path, data: str | Path, config: Mapping[str, Any],
             split: str = "test", out: str | Path | None = None) -> dict[str, Any]:
    """Evaluate a model folder on a labelled file (its `split` rows, or all rows if the file
    has none); write the metrics to `out` (default MODEL_DIR/metrics.json)."""
    predictor = MechanismPredictor.from_config(config, str(model_dir))
    df = load_labelled(data, predictor.labels)
    subset = df[df["split"] == split] if split != "all" else df
    if subset.empty:
        subset, split = df, "all"
    metrics = evaluate_frame(predictor, subset)
    metrics.update({"data": str(data), "split": split, "model": str(model_dir),
                    "model_version": predictor.meta.get("version")})
    write_json(Path(out) if out else Path(model_dir) / "metrics.json", metrics)
    return metrics
