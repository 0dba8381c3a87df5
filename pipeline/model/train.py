"""Training: fit the mechanism model on a labelled file's train split, evaluate on its test
split, and write a model folder (model.skops + meta.json + metrics.json)."""
from __future__ import annotations

import platform
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Mapping

from ..features.nlp import load_nlp, pipeline_id
from ..store import utc_now, write_json
from .build import build_model
from .data import data_hash, label_matrix, load_labelled
from .evaluate import evaluate_frame
from .io import save_model
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
        from ..config import resolve_path
        from ..narratives.tagging import load_narratives
        return [n.id for n in load_narratives(resolve_path(config["narratives"]["taxonomy"]))], \
            "narratives"
    raise ValueError(f"unknown task '{task}'; tasks: {', '.join(TASKS)}.")


def train(data: str | Path, out: str | Path, config: Mapping[str, Any],
          seed: int | None = None, task: str = "mechanisms") -> dict[str, Any]:
    """Train on `split == "train"` rows, evaluate on `split == "test"` rows; return meta.

    task="narratives" trains the optional narrative classifier on a `narratives` field; only
    narratives with at least train.cv_folds positive and negative training texts are learnt
    (the others are listed in meta as skipped)."""
    started = time.perf_counter()
    tc = config["train"]
    seed = tc["seed"] if seed is None else seed
    labels, field = _task_labels(task, config)
    df = load_labelled(data, labels, field)
    train_df = df[df["split"] == "train"].reset_index(drop=True)
    test_df = df[df["split"] == "test"].reset_index(drop=True)
    if train_df.empty:
        raise ValueError(f"{data} has no rows with split 'train'.")
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
                        cue_sets=tuple(tc["cue_sets"]))
    model.fit(train_df[["text", "source"]], label_matrix(train_df, labels))
    head = model.named_steps["head"]
    meta: dict[str, Any] = {
        "name": task,
        "task": task,
        "skipped_labels": skipped,
        "version": f"{utc_now()[:10]}-{data_hash(data)[7:15]}-s{seed}",
        "labels": labels,
        "thresholds": dict(zip(labels, map(float, head.thresholds_))),
        "c": dict(zip(labels, head.c_)),
        "cv_f1": dict(zip(labels, map(lambda v: round(v, 4), head.cv_f1_))),
        "spacy_pipeline": spacy_model,
        "spacy_pipeline_version": pipeline_id(load_nlp(spacy_model)),
        "cue_sets": list(model.named_steps["parse"].cue_sets),
        "packages": package_versions(),
        "seed": seed,
        "training_data": {"path": str(data), "hash": data_hash(data),
                          "n_train": int(len(train_df)), "n_test": int(len(test_df))},
        "metadata_paths": {"state_media": {
            "source_confidence": config["classify"]["state_source_confidence"],
            "affiliations": config["classify"]["state_affiliations"]}},
        "created_at": utc_now(),
    }
    folder = save_model(model, out, meta)
    if not test_df.empty:
        predictor = MechanismPredictor.from_config(config, str(folder))
        metrics = evaluate_frame(predictor, test_df)
        metrics.update({"data": str(data), "split": "test", "model_version": meta["version"]})
        meta["metrics"] = metrics
        write_json(Path(folder) / "metrics.json", metrics)
    meta["training_seconds"] = round(time.perf_counter() - started, 1)
    write_json(Path(folder) / "meta.json", meta)
    return meta
