"""Model folders: `model.skops` (skops, trusted types only, never pickle) + `meta.json`."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import skops.io as sio
from sklearn.pipeline import Pipeline

from ..store import write_json, write_with

MODEL_FILE = "model.skops"
META_FILE = "meta.json"
BASELINE_FILE = "baseline.skops"

# The project's own classes that a model file may contain, besides the scikit-learn, NumPy
# and SciPy types that skops trusts by default.
TRUSTED_TYPES = [
    "pipeline.features.embeddings.TextEmbedder",
    "pipeline.features.parse.DocParser",
    "pipeline.model.baselines.TfidfBaseline",
    "pipeline.model.head.MechanismHead",
    "pipeline.model.transformers.CueVectorizer",
    "pipeline.model.transformers.DocField",
    "pipeline.model.transformers.SourceFeatures",
    "pipeline.spans.features.SpanField",
    "pipeline.spans.features.SpanNumbers",
    "pipeline.spans.features.SpanParser",
]
# scikit-learn internals that skops does not trust by default but a calibrated model holds.
_STANDARD = {"sklearn.calibration._CalibratedClassifier",
             "sklearn.calibration._SigmoidCalibration",
             "sklearn.model_selection._split.StratifiedKFold"}


class ModelError(RuntimeError):
    """A model folder is missing, incomplete or holds types that are not trusted."""


def _dump(obj: Any, path: Path) -> None:
    write_with(path, lambda tmp: sio.dump(obj, tmp, compression=zipfile.ZIP_DEFLATED,
                                          compresslevel=9))


def save_model(model: Pipeline, folder: str | Path, meta: dict[str, Any],
               baseline: Any = None) -> Path:
    """Write model.skops and meta.json (and the TF-IDF baseline trained on the same rows,
    baseline.skops, when given)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _dump(model, folder / MODEL_FILE)
    if baseline is not None:
        _dump(baseline, folder / BASELINE_FILE)
    write_json(folder / META_FILE, meta)
    return folder


def load_meta(folder: str | Path) -> dict[str, Any]:
    path = Path(folder) / META_FILE
    if not path.is_file():
        raise ModelError(f"{folder} is not a model folder (no {META_FILE}); train one with "
                         f"`disinfo train DATA --out {folder}` or `make model`.")
    return json.loads(path.read_text(encoding="utf-8"))


def load_model(folder: str | Path) -> tuple[Pipeline, dict[str, Any]]:
    """Load a model with skops, refusing any type outside the trusted list."""
    folder = Path(folder)
    meta = load_meta(folder)
    path = folder / MODEL_FILE
    if not path.is_file():
        raise ModelError(f"{folder} has {META_FILE} but no {MODEL_FILE}; retrain the model.")
    return _load(path), meta


def load_baseline(folder: str | Path) -> Any:
    """The TF-IDF baseline saved beside a model, or None for a model trained without one."""
    path = Path(folder) / BASELINE_FILE
    return _load(path) if path.is_file() else None


def _load(path: Path) -> Any:
    untrusted = sio.get_untrusted_types(file=path)
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES) - _STANDARD)
    if unexpected:
        raise ModelError(f"{path} contains types that are not trusted: "
                         f"{', '.join(unexpected)}. Refusing to load it; only load model "
                         f"files you trust, and review them with skops.io.get_untrusted_types.")
    return sio.load(path, trusted=untrusted)
