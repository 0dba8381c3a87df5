"""Training: fit the mechanism model on the train split of one or more labelled files,
evaluate on each file's test split, and write a model folder (model.skops, baseline.skops,
copies of the outlet registry and language files, meta.json, metrics.json)."""
from __future__ import annotations

import hashlib
import json
import platform
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from ..config import resolve_path
from ..features.nlp import load_nlp, pipeline_id
from ..store import utc_now, write_json
from .baselines import TfidfBaseline
from .build import build_model
from .data import data_hash, label_matrix, load_labelled
from .evaluate import evaluate_frame
from .io import LANGUAGES_DIR, SOURCES_FILE, save_model
from .predict import MechanismPredictor
from .taxonomy import mechanism_ids

PACKAGES = ("disinfo-pipeline", "spacy", "scikit-learn", "numpy", "scipy", "skops", "pandas")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


TASKS = ("mechanisms", "narratives")


def _task_labels(task: str, config: Mapping[str, Any]) -> tuple[list[str], str]:
    """The label set and the JSONL field of a task: mechanisms (`labels`) or the taxonomy's
    narratives (`narratives`)."""
    if task == "mechanisms":
        return mechanism_ids(), "labels"
    if task == "narratives":
        from ..narratives.tagging import load_narratives
        return [n.id for n in load_narratives(resolve_path(config["narratives"]["taxonomy"]))], \
            "narratives"
    raise ValueError(f"unknown task '{task}'; tasks: {', '.join(TASKS)}.")


def config_hash(config: Mapping[str, Any], task: str) -> str:
    """Short hash of everything that shapes a trained model besides its data: the `[train]`
    settings, the outlet registry's content and the metadata-path settings."""
    sources = resolve_path(config["features"]["sources"])
    payload = {"task": task, "train": dict(config["train"]),
               "sources": data_hash(sources) if sources.is_file() else None,
               "state_affiliations": list(config["classify"]["state_affiliations"])}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()
                          ).hexdigest()[:8]


def model_inputs(config: Mapping[str, Any]) -> dict[str, Path]:
    """The files a model reads at prediction time, by their name in the model folder: the
    outlet registry (`features.sources`) and every language file (`features.languages`)."""
    inputs = {SOURCES_FILE: resolve_path(config["features"]["sources"])}
    languages = config["features"]["languages"]
    if languages:
        inputs.update({f"{LANGUAGES_DIR}/{path.name}": path
                       for path in sorted(resolve_path(languages).glob("*.toml"))})
    return inputs


def train(data: str | Path | Sequence[str | Path], out: str | Path,
          config: Mapping[str, Any], seed: int | None = None,
          task: str = "mechanisms") -> dict[str, Any]:
    """Train on the `split == "train"` rows of one or more labelled files; evaluate on each
    file's `split == "test"` rows separately; return meta.

    meta["metrics"] is the evaluation on the first file that has test rows (the fixed
    evaluation set), meta["evaluations"] every file's. A TF-IDF baseline is trained on the
    same rows (mechanisms) and saved beside the model, so every evaluation shows it.
    task="narratives" trains the optional narrative classifier on a `narratives` field; only
    narratives with at least train.cv_folds positive and negative training texts are learnt
    (the others are listed in meta as skipped)."""
    started = time.perf_counter()
    tc = config["train"]
    seed = tc["seed"] if seed is None else seed
    paths = [Path(data)] if isinstance(data, (str, Path)) else [Path(p) for p in data]
    labels, field = _task_labels(task, config)
    frames = [load_labelled(p, labels, field) for p in paths]
    df = pd.concat(frames, ignore_index=True)
    train_df = df[df["split"] == "train"].reset_index(drop=True)
    tests = [(str(p), f[f["split"] == "test"].reset_index(drop=True))
             for p, f in zip(paths, frames)]
    tests = [(p, t) for p, t in tests if not t.empty]
    if train_df.empty:
        raise ValueError(f"{', '.join(map(str, paths))}: no rows with split 'train'.")
    skipped: list[str] = []
    if task == "narratives":
        Y = label_matrix(train_df, labels)
        enough = [(Y[:, j].sum() >= tc["cv_folds"]) and (len(Y) - Y[:, j].sum() >= tc["cv_folds"])
                  for j in range(len(labels))]
        skipped = [l for l, ok in zip(labels, enough) if not ok]
        labels = [l for l, ok in zip(labels, enough) if ok]
        if not labels:
            raise ValueError(f"{data}: no narrative has {tc['cv_folds']} positive training "
                             f"texts; label more or lower train.cv_folds.")
    spacy_model = tc["spacy_model"]
    model = build_model(labels, spacy_model=spacy_model, sources=config["features"]["sources"],
                        seed=seed, cv_folds=tc["cv_folds"], c_grid=tc["c_grid"],
                        batch_size=config["features"]["batch_size"],
                        cue_sets=tuple(tc["cue_sets"]), voice_cues=tuple(tc["voice_cues"]),
                        embeddings=tc["embeddings"], embedding_weight=tc["embedding_weight"],
                        languages=config["features"]["languages"])
    Y = label_matrix(train_df, labels)
    directions = train_df["direction"].tolist() if task == "mechanisms" else None
    model.fit(train_df[["text", "source", "lang"]], Y, head__directions=directions,
              head__groups=train_df["group"].to_numpy())
    # the languages the model scores by default: a labelled file without `lang` (the English
    # real set and seed set, frozen as they were written) counts as English
    languages = train_df["lang"].fillna("").map(
        lambda code: code or "en").value_counts().sort_index()
    baseline = (TfidfBaseline(tuple(labels), seed).fit(train_df["text"], Y)
                if task == "mechanisms" else None)
    head = model.named_steps["head"]
    files = [{"path": str(p), "hash": data_hash(p), "n_train": int((f["split"] == "train").sum()),
              "n_test": int((f["split"] == "test").sum())} for p, f in zip(paths, frames)]
    combined = "sha256:" + hashlib.sha256("".join(f["hash"] for f in files).encode()).hexdigest()
    cfg_hash = config_hash(config, task)
    meta: dict[str, Any] = {
        "name": task,
        "task": task,
        "skipped_labels": skipped,
        "version": f"{utc_now()[:10]}-{combined[7:15]}-c{cfg_hash}-s{seed}",
        "labels": labels,
        "thresholds": dict(zip(labels, map(float, head.thresholds_))),
        "c": dict(zip(labels, head.c_)),
        "cv_f1": dict(zip(labels, map(lambda v: round(v, 4), head.cv_f1_))),
        "direction_model": getattr(head, "direction_", None) is not None,
        "spacy_pipeline": spacy_model,
        "spacy_pipeline_version": pipeline_id(load_nlp(spacy_model)),
        "languages": {code: int(n) for code, n in languages.items()},
        "language_files": {code: {"name": lang.name, "pipeline": lang.pipeline}
                           for code, lang in
                           model.named_steps["parse"].language_files().items()
                           if code in languages.index},
        "cue_sets": list(model.named_steps["parse"].cue_sets),
        "voice_cues": list(tc["voice_cues"]),
        "embeddings": tc["embeddings"] or None,
        "packages": package_versions(),
        "seed": seed,
        "training_config_hash": cfg_hash,
        "training_data": {"files": files, "hash": combined,
                          "n_train": int(len(train_df)),
                          "n_test": int(sum(len(t) for _, t in tests))},
        "metadata_paths": {"state_media": {
            "source_confidence": config["classify"]["state_source_confidence"],
            "affiliations": config["classify"]["state_affiliations"]}},
        "created_at": utc_now(),
    }
    folder = save_model(model, out, meta, baseline, inputs=model_inputs(config))
    if tests:
        predictor = MechanismPredictor.from_config(config, str(folder))
        meta["evaluations"] = {}
        for path, test_df in tests:
            metrics = evaluate_frame(predictor, test_df, baseline)
            metrics.update({"data": path, "split": "test", "model_version": meta["version"]})
            meta["evaluations"][path] = metrics
        meta["metrics"] = meta["evaluations"][tests[0][0]]
        write_json(Path(folder) / "metrics.json", meta["metrics"])
    meta["training_seconds"] = round(time.perf_counter() - started, 1)
    write_json(Path(folder) / "meta.json", meta)
    return meta
