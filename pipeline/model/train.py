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


def train(data: str | Path, out: str | Path, config: Mapping[str, Any],
          seed: int | None = None) -> dict[str, Any]:
    """Train on `split == "train"` rows, evaluate on `split == "test"` rows; return meta."""
    started = time.perf_counter()
    tc = config["train"]
    seed = tc["seed"] if seed is None else seed
    labels = mechanism_ids()
    df = load_labelled(data, labels)
    train_df = df[df["split"] == "train"].reset_index(drop=True)
    test_df = df[df["split"] == "test"].reset_index(drop=True)
    if train_df.empty:
        raise ValueError(f"{data} has no rows with split 'train'.")
    spacy_model = tc["spacy_model"]
    model = build_model(labels, spacy_model=spacy_model, sources=config["features"]["sources"],
                        seed=seed, cv_folds=tc["cv_folds"], c_grid=tc["c_grid"],
                        batch_size=config["features"]["batch_size"],
                        cue_sets=tuple(tc["cue_sets"]))
    model.fit(train_df[["text", "source"]], label_matrix(train_df, labels))
    head = model.named_steps["head"]
    meta: dict[str, Any] = {
        "name": "mechanisms",
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
