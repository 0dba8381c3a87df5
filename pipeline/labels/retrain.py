"""Champion / challenger retraining.

A challenger is trained on the seed set's training rows (unless `include_seed` is false) and
every text of the label store whose labels are all decided (the store's latest decision wins
over the seed set). Both models are scored on the same fixed evaluation set (the seed set's
`eval_split` rows), which training never sees: store texts that are also evaluation texts are
left out of training and counted. The comparison gives per-label F1 of both, the deltas with
paired bootstrap 95% confidence intervals, and the decision: promote only when the
challenger's macro-F1 is higher and no label's F1 drops by more than `tolerance`. `force`
promotes anyway and the registry says so.
"""
from __future__ import annotations

import getpass
import shutil
import time
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..config import resolve_path
from ..model.data import label_matrix, load_labelled
from ..model.predict import MechanismPredictor
from ..model.taxonomy import mechanism_ids
from ..model.train import train
from ..store import utc_now, write_json
from .registry import ModelRegistry
from .store import LabelStore, text_hash


def f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = float((y & p).sum())
    denom = float(y.sum() + p.sum())
    return 2 * tp / denom if denom else 0.0


def compare(y: np.ndarray, champion: np.ndarray, challenger: np.ndarray, labels: list[str],
            tolerance: float, n_boot: int = 1000, seed: int = 13) -> dict[str, Any]:
    """Per-label and macro F1 of both models on the same documents, deltas with paired
    bootstrap CIs, and the promotion decision."""
    y, champion, challenger = (a.astype(bool) for a in (y, champion, challenger))
    rng = np.random.default_rng(seed)
    n = len(y)
    boots = np.zeros((n_boot, len(labels)))
    for b in range(n_boot):
        idx = rng.integers(0, n, n)
        boots[b] = [f1(y[idx, j], challenger[idx, j]) - f1(y[idx, j], champion[idx, j])
                    for j in range(len(labels))]
    per_label = {}
    for j, label in enumerate(labels):
        a, c = f1(y[:, j], champion[:, j]), f1(y[:, j], challenger[:, j])
        lo, hi = np.percentile(boots[:, j], [2.5, 97.5])
        per_label[label] = {"champion_f1": round(a, 4), "challenger_f1": round(c, 4),
                            "delta": round(c - a, 4), "ci95": [round(lo, 4), round(hi, 4)],
                            "support": int(y[:, j].sum())}
    macro_a = float(np.mean([v["champion_f1"] for v in per_label.values()]))
    macro_c = float(np.mean([v["challenger_f1"] for v in per_label.values()]))
    macro_boot = boots.mean(axis=1)
    worse = [l for l, v in per_label.items() if v["delta"] < -tolerance]
    better = macro_c > macro_a
    reasons = []
    if not better:
        reasons.append(f"macro-F1 {macro_c:.4f} is not above the champion's {macro_a:.4f}")
    if worse:
        reasons.append(f"F1 drops by more than {tolerance} on {', '.join(worse)}")
    return {"documents": n, "tolerance": tolerance, "bootstrap": n_boot,
            "per_label": per_label,
            "macro": {"champion_f1": round(macro_a, 4), "challenger_f1": round(macro_c, 4),
                      "delta": round(macro_c - macro_a, 4),
                      "ci95": [round(float(np.percentile(macro_boot, 2.5)), 4),
                               round(float(np.percentile(macro_boot, 97.5)), 4)]},
            "promote": better and not worse,
            "reason": "; ".join(reasons) or "higher macro-F1 and no label worse beyond "
                                             "the tolerance"}


def training_rows(config: Mapping[str, Any], labels: list[str], include_seed: bool
                  ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """(training rows, evaluation rows, counts): seed training rows + complete store texts,
    minus anything in the evaluation set."""
    lc = config["labels"]
    seed = load_labelled(resolve_path(lc["seed_data"]), labels, "labels")
    evaluation = load_labelled(resolve_path(lc["eval_data"]), labels, "labels")
    evaluation = evaluation[evaluation["split"] == lc["eval_split"]].reset_index(drop=True)
    if evaluation.empty:
        raise ValueError(f"{lc['eval_data']} has no rows with split '{lc['eval_split']}' to "
                         f"evaluate on; set labels.eval_data / labels.eval_split.")
    eval_hashes = set(evaluation["text"].map(text_hash))
    store = LabelStore(resolve_path(lc["store"])).current(labels)
    complete = store[labels].notna().all(axis=1)
    leak = store["text_hash"].isin(eval_hashes)
    from_store = store[complete & ~leak]
    rows = []
    for r in from_store.itertuples(index=False):
        rows.append({"text": r.text, "source": r.source, "split": "train",
                     "labels": [l for l in labels if int(getattr(r, l)) == 1],
                     "direction": r.direction, "origin": "store"})
    store_hashes = set(from_store["text_hash"])
    n_seed = 0
    if include_seed:
        for r in seed[seed["split"] == "train"].itertuples(index=False):
            h = text_hash(r.text)
            if h in store_hashes or h in eval_hashes:
                continue  # the store's decision wins; evaluation texts are never trained on
            rows.append({"text": r.text, "source": r.source, "split": "train",
                         "labels": list(r.labels), "direction": r.direction, "origin": "seed"})
            n_seed += 1
    counts = {"seed_rows": n_seed, "store_rows": int(len(from_store)),
              "store_incomplete": int((~complete).sum()),
              "store_in_evaluation_set": int((complete & leak).sum()),
              "evaluation_rows": int(len(evaluation))}
    return pd.DataFrame(rows), evaluation, counts


def _predict(folder: Path | str, config: Mapping[str, Any], frame: pd.DataFrame,
             labels: list[str]) -> np.ndarray:
    predictor = MechanismPredictor.from_config(config, str(folder))
    pred = predictor.predict(frame[["text", "source"]].reset_index(drop=True))
    index = [predictor.labels.index(l) for l in labels]
    return pred.decisions[:, index].astype(bool)


def retrain(config: Mapping[str, Any], by: str | None = None, include_seed: bool | None = None,
            force: bool = False, note: str = "") -> dict[str, Any]:
    """Train a challenger, compare it with the champion, promote or refuse; return the
    comparison with the decision."""
    started = time.perf_counter()
    lc = config["labels"]
    by = by or getpass.getuser()
    include_seed = lc["include_seed"] if include_seed is None else include_seed
    labels = mechanism_ids()
    rows, evaluation, counts = training_rows(config, labels, include_seed)
    if rows.empty:
        raise ValueError("nothing to train on: the label store holds no fully labelled text "
                         "and the seed set is excluded (--no-seed).")
    champion_dir = resolve_path(config["classify"]["model"])
    registry = ModelRegistry(resolve_path(lc["registry"]), champion_dir)
    state = registry.load()
    staging = registry.versions_dir / f".staging-{utc_now().replace(':', '')}"
    staging.mkdir(parents=True, exist_ok=True)
    try:
        data = staging / "training.jsonl"
        eval_rows = evaluation.assign(split="test")[["text", "source", "split", "labels",
                                                     "direction"]]
        pd.concat([rows, eval_rows], ignore_index=True).to_json(
            data, orient="records", lines=True, force_ascii=False)
        meta = train(data, staging / "model", config)
        shutil.copy(data, staging / "model" / "training.jsonl")
        version = meta["version"]
        if version in state["versions"]:
            raise ValueError(f"the challenger is version {version}, already in the registry: "
                             f"the training data has not changed since it was trained.")
        y = label_matrix(evaluation, labels).astype(bool)
        champion_pred = _predict(champion_dir, config, evaluation, labels)
        challenger_pred = _predict(staging / "model", config, evaluation, labels)
        result = compare(y, champion_pred, challenger_pred, labels, lc["tolerance"],
                         lc["bootstrap"], config["train"]["seed"])
        result.update(champion=state["champion"], challenger=version, counts=counts,
                      include_seed=include_seed,
                      label_store=LabelStore(resolve_path(lc["store"])).fingerprint(),
                      evaluation={"data": lc["eval_data"], "split": lc["eval_split"]},
                      forced=bool(force and not result["promote"]), by=by, at=utc_now())
        write_json(staging / "model" / "comparison.json", result)
        registry.register(staging / "model", trained_by=by, counts=counts,
                          label_store=result["label_store"], comparison=result["macro"])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if result["promote"] or force:
        registry.promote(version, by, forced=result["forced"],
                         note=note or result["reason"] + (" (forced)" if result["forced"] else ""))
        result["decision"] = "promoted (forced)" if result["forced"] else "promoted"
    else:
        registry.refuse(version, by, result["reason"])
        result["decision"] = "refused"
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def comparison_table(result: Mapping[str, Any]) -> list[list[str]]:
    rows = [[l, f"{v['champion_f1']:.3f}", f"{v['challenger_f1']:.3f}", f"{v['delta']:+.3f}",
             f"[{v['ci95'][0]:+.3f}, {v['ci95'][1]:+.3f}]"]
            for l, v in result["per_label"].items()]
    m = result["macro"]
    rows.append(["macro", f"{m['champion_f1']:.3f}", f"{m['challenger_f1']:.3f}",
                 f"{m['delta']:+.3f}", f"[{m['ci95'][0]:+.3f}, {m['ci95'][1]:+.3f}]"])
    return rows


__all__ = ["retrain", "compare", "training_rows", "comparison_table"]
