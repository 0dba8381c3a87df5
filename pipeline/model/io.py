"""Model folders: `model.skops` (skops, trusted types only, never pickle) + `meta.json`.

A model folder also holds copies of the files the model reads at prediction time (the outlet
registry `sources.toml` and the language files under `languages/`), and meta.json records the
SHA-256 of every file it lists (`files`). Loading verifies them all, refuses a file that is
not a readable skops archive, and checks meta.json's labels and thresholds against the
fitted head: the model object is their one source of truth, meta.json a verified copy.
"""
from __future__ import annotations

import json
import shutil
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from ..store import write_json, write_with
from .data import data_hash

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MODEL_FILE = "model.skops"
META_FILE = "meta.json"
BASELINE_FILE = "baseline.skops"
SOURCES_FILE = "sources.toml"
LANGUAGES_DIR = "languages"
FIX = "restore it or retrain the model (`make model` for the shipped one)"

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
# What reading a damaged archive raises (not a zip, truncated, corrupt member or schema).
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError)


class ModelError(RuntimeError):
    """A model folder is missing, incomplete, changed since training or holds types that are
    not trusted."""


def _plain_vocabularies(obj: Any) -> None:
    """Give every fitted vectorizer's `vocabulary_` plain int values. scikit-learn leaves
    NumPy integers there when it limits features (`max_features`), and skops stores each
    NumPy scalar as its own array file in the archive: 60,000 files for the character
    n-grams, which made saving take minutes and loading some 15 CPU seconds. The values are
    the same column indices."""
    from sklearn.base import BaseEstimator
    if isinstance(obj, BaseEstimator):
        vocabulary = getattr(obj, "vocabulary_", None)
        if isinstance(vocabulary, dict) and any(not isinstance(v, int)
                                                for v in vocabulary.values()):
            obj.vocabulary_ = {term: int(index) for term, index in vocabulary.items()}
        for value in vars(obj).values():
            _plain_vocabularies(value)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            _plain_vocabularies(value)


def _dump(obj: Any, path: Path) -> None:
    import skops.io as sio
    _plain_vocabularies(obj)
    write_with(path, lambda tmp: sio.dump(obj, tmp, compression=zipfile.ZIP_DEFLATED,
                                          compresslevel=9))


def save_model(model: Pipeline, folder: str | Path, meta: dict[str, Any],
               baseline: Any = None, inputs: Mapping[str, str | Path] | None = None) -> Path:
    """Write model.skops, the TF-IDF baseline trained on the same rows (baseline.skops, when
    given), copies of `inputs` (name in the folder -> file: what the model reads at
    prediction time) and meta.json. `meta["files"]` is set to the SHA-256 of each of these
    files, in `meta` itself too, so that a later rewrite of meta.json keeps them. A
    subfolder of copies is replaced as a whole: no file of an earlier model stays in it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _dump(model, folder / MODEL_FILE)
    written = [MODEL_FILE]
    if baseline is not None:
        _dump(baseline, folder / BASELINE_FILE)
        written.append(BASELINE_FILE)
    inputs = dict(inputs or {})
    for sub in {Path(name).parts[0] for name in inputs if len(Path(name).parts) > 1}:
        shutil.rmtree(folder / sub, ignore_errors=True)
    for name, source in sorted(inputs.items()):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write_with(target, lambda tmp, source=source: shutil.copyfile(source, tmp))
        written.append(name)
    meta["files"] = {name: data_hash(folder / name) for name in written}
    write_json(folder / META_FILE, meta)
    return folder


def load_meta(folder: str | Path) -> dict[str, Any]:
    path = Path(folder) / META_FILE
    if not path.is_file():
        raise ModelError(f"{folder} is not a model folder (no {META_FILE}); train one with "
                         f"`disinfo train DATA --out {folder}` or `make model`.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} is not valid JSON ({exc}); {FIX}.") from exc


def verify_folder(folder: str | Path) -> dict[str, Any]:
    """Check every file meta.json lists against its SHA-256, and that the subfolders of
    copies hold no other file; return meta."""
    folder = Path(folder)
    meta = load_meta(folder)
    listed = meta.get("files")
    if not isinstance(listed, dict) or MODEL_FILE not in listed:
        raise ModelError(f"{folder / META_FILE} records no SHA-256 of {MODEL_FILE} (saved "
                         f"before integrity checks, or edited); retrain the model.")
    for name in listed:
        _check_file(folder, listed, name)
    for sub in sorted({Path(name).parts[0] for name in listed if len(Path(name).parts) > 1}):
        for path in sorted((folder / sub).rglob("*")):
            if path.is_file() and path.relative_to(folder).as_posix() not in listed:
                raise ModelError(f"{path} is not listed in {META_FILE} (added after "
                                 f"training); remove it or retrain the model.")
    return meta


def _check_file(folder: Path, listed: Mapping[str, str], name: str) -> None:
    path = folder / name
    if name not in listed:
        raise ModelError(f"{path} is not listed in {META_FILE} (added after training); "
                         f"remove it or retrain the model.")
    if not path.is_file():
        raise ModelError(f"{path} is missing (listed in {META_FILE}); {FIX}.")
    if data_hash(path) != listed[name]:
        raise ModelError(f"{path} does not match its SHA-256 in {META_FILE} (changed or "
                         f"corrupted since training); {FIX}.")


def load_model(folder: str | Path) -> tuple[Pipeline, dict[str, Any]]:
    """Load a model with skops, refusing any type outside the trusted list and any file that
    does not match meta.json, and check meta.json's labels and thresholds against the
    loaded head."""
    folder = Path(folder)
    meta = load_meta(folder)
    path = folder / MODEL_FILE
    if not path.is_file():
        raise ModelError(f"{folder} has {META_FILE} but no {MODEL_FILE}; retrain the model.")
    verify_folder(folder)
    model = _read(path)
    _check_meta(model, meta, folder / META_FILE)
    return model, meta


def load_baseline(folder: str | Path) -> Any:
    """The TF-IDF baseline saved beside a model (verified against meta.json), or None for a
    model trained without one."""
    folder = Path(folder)
    path = folder / BASELINE_FILE
    if not path.is_file():
        return None
    _check_file(folder, load_meta(folder).get("files") or {}, BASELINE_FILE)
    return _read(path)


def _check_meta(model: Any, meta: Mapping[str, Any], path: Path) -> None:
    """meta.json's labels (in order) and thresholds must be the fitted head's."""
    from sklearn.pipeline import Pipeline
    head = model.steps[-1][1] if isinstance(model, Pipeline) else model
    if not (hasattr(head, "labels_") and hasattr(head, "thresholds_")):
        return
    labels = list(head.labels_)
    if meta.get("labels") != labels:
        raise ModelError(f"{path} was edited: labels {meta.get('labels')} are not the "
                         f"model's {labels}; {FIX}.")
    thresholds = dict(zip(labels, map(float, head.thresholds_)))
    recorded = meta.get("thresholds")
    if recorded != thresholds:
        recorded = recorded if isinstance(recorded, dict) else {}
        changed = ", ".join(f"{label} {recorded.get(label)} (model: {thresholds.get(label)})"
                            for label in dict.fromkeys([*thresholds, *recorded])
                            if recorded.get(label) != thresholds.get(label))
        raise ModelError(f"{path} was edited: thresholds {changed}; {FIX}.")


def _read(path: Path) -> Any:
    """Load an archive with skops, which audits every type in it before building anything:
    only skops' defaults and the types trusted here are accepted (one pass over the archive;
    asking skops.io.get_untrusted_types first would read it twice)."""
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException
    try:
        return sio.load(path, trusted=[*TRUSTED_TYPES, *sorted(_STANDARD)])
    except UntrustedTypesFoundException as exc:
        raise ModelError(f"{path} contains types that are not trusted ({exc.args[0]}). "
                         f"Refusing to load it; only load model files you trust, and review "
                         f"them with skops.io.get_untrusted_types.") from exc
    except _UNREADABLE as exc:
        raise ModelError(f"{path} is not a readable skops archive ({type(exc).__name__}: "
                         f"{exc}); {FIX}.") from exc
