"""Champion / challenger retraining.

A challenger is trained on the training rows of the shipped labelled sets (`seed_data`:
the real EUvsDisinfo set and the seed set; unless `include_seed` is false) and every text of
the label store whose gold labels are all decided (the store's gold label wins over the
shipped sets). Both models are scored on the same fixed evaluation set, which training
never sees: the user's own evaluation set when the store has one (`disinfo labels
freeze-eval`), else `eval_data`'s `eval_split` rows (the frozen real evaluation split);
store texts that are also evaluation texts are left out of training and counted. The comparison gives
per-label F1 of both, the deltas with paired bootstrap 95% confidence intervals, and the
decision: promote only when the lower bound of the macro-F1 difference's interval is above 0
and no label drops significantly (the upper bound of its difference's interval below 0).
The macro is taken over the labels with at least `min_support` positives in the evaluation
set (the others are reported, not judged). `second_eval_data` (the seed set's test split) is
compared and reported too, without deciding, and so is `eval_data` when the store's own
set decides. `force` promotes anyway and the registry says so.
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
            min_support: int = 5, n_boot: int = 1000, seed: int = 13) -> dict[str, Any]:
    """Per-label and macro F1 of both models on the same documents, deltas with paired
    bootstrap 95% CIs, and the promotion decision (see the module docstring)."""
    y, champion, challenger = (a.astype(bool) for a in (y, champion, challenger))
    rng = np.random.default_rng(seed)
    n = len(y)
    judged = [j for j in range(len(labels)) if y[:, j].sum() >= min_support]
    boots = np.zeros((n_boot, len(labels)))
    for b in range(n_boot):
        idx = rng.integers(0, n, n)
        boots[b] = [f1(y[idx, j], challenger[idx, j]) - f1(y[idx, j], champion[idx, j])
                    for j in range(len(labels))]
    per_label = {}
    for j, label in enumerate(labels):
        a, c = f1(y[:, j], champion[:, j]), f1(y[:, j], challenger[:, j])
        lo, hi = (round(float(v), 4) for v in np.percentile(boots[:, j], [2.5, 97.5]))
        per_label[label] = {"champion_f1": round(a, 4), "challenger_f1": round(c, 4),
                            "delta": round(c - a, 4), "ci95": [lo, hi],
                            "support": int(y[:, j].sum()), "judged": j in judged}
    names = [labels[j] for j in judged]
    macro_a = float(np.mean([per_label[l]["champion_f1"] for l in names])) if names else 0.0
    macro_c = float(np.mean([per_label[l]["challenger_f1"] for l in names])) if names else 0.0
    macro_boot = boots[:, judged].mean(axis=1) if judged else np.zeros(n_boot)
    macro_lo, macro_hi = (float(v) for v in np.percentile(macro_boot, [2.5, 97.5]))
    dropped = [l for l in names if per_label[l]["ci95"][1] < 0]
    reasons = []
    if not names:
        reasons.append(f"no label has {min_support} positives in the evaluation set")
    elif macro_lo <= 0:
        reasons.append(f"the 95% interval of the macro-F1 difference [{macro_lo:+.4f}, "
                       f"{macro_hi:+.4f}] does not lie above 0 (challenger {macro_c:.4f}, "
                       f"champion {macro_a:.4f})")
    if dropped:
        reasons.append(f"F1 drops significantly (95% interval below 0) on {', '.join(dropped)}")
    return {"documents": n, "min_support": min_support, "bootstrap": n_boot,
            "per_label": per_label, "macro_labels": names,
            "macro": {"champion_f1": round(macro_a, 4), "challenger_f1": round(macro_c, 4),
                      "delta": round(macro_c - macro_a, 4),
                      "ci95": [round(macro_lo, 4), round(macro_hi, 4)]},
            "promote": not reasons,
            "reason": "; ".join(reasons) or (
                f"macro-F1 {macro_c:.4f} vs {macro_a:.4f}, 95% interval of the difference "
                f"[{macro_lo:+.4f}, {macro_hi:+.4f}] above 0, and no label drops "
                f"significantly")}


def _evaluation_rows(path: str, split: str, labels: list[str]) -> pd.DataFrame:
    frame = load_labelled(resolve_path(path), labels, "labels")
    return frame[frame["split"] == split].reset_index(drop=True)


def _store_evaluation(gold: pd.DataFrame, frozen: set[str], labels: list[str]) -> pd.DataFrame:
    """The store's frozen evaluation texts whose gold labels are all decided, as labelled
    rows (a frozen text whose labels became a tie is left out until adjudicated)."""
    gold = gold[gold["text_hash"].isin(frozen) & gold[labels].notna().all(axis=1)]
    return pd.DataFrame({"text": gold["text"], "source": gold["source"],
                         "labels": [[l for l in labels if int(r[l]) == 1]
                                    for _, r in gold.iterrows()],
                         "direction": gold["direction"], "genre": None,
                         "split": "test"}).reset_index(drop=True)


def training_rows(config: Mapping[str, Any], labels: list[str], include_seed: bool
                  ) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[str, pd.DataFrame]],
                             dict[str, Any]]:
    """(training rows, deciding evaluation rows, reported evaluations as (name, rows),
    counts): the shipped sets' training rows + complete store texts, minus anything in an
    evaluation set. The store's frozen evaluation set decides when it has texts, else
    `eval_data`'s split."""
    lc = config["labels"]
    label_store = LabelStore(resolve_path(lc["store"]))
    reported: list[tuple[str, pd.DataFrame]] = []
    shipped_eval = _evaluation_rows(lc["eval_data"], lc["eval_split"], labels)
    store = label_store.current(labels)
    frozen = label_store.eval_hashes()
    own = _store_evaluation(store, frozen, labels)
    if not own.empty:
        evaluation, name = own, f"{lc['store']} (labels freeze-eval)"
        if not shipped_eval.empty:
            reported.append((lc["eval_data"], shipped_eval))
    else:
        evaluation, name = shipped_eval, lc["eval_data"]
    if evaluation.empty:
        raise ValueError(f"{lc['eval_data']} has no rows with split '{lc['eval_split']}' to "
                         f"evaluate on; set labels.eval_data / labels.eval_split, or freeze "
                         f"an evaluation set of your own labels (disinfo labels freeze-eval).")
    held_out = set(evaluation["text"].map(text_hash)) | frozen
    held_out |= set(shipped_eval["text"].map(text_hash))
    if lc["second_eval_data"]:
        second = _evaluation_rows(lc["second_eval_data"], lc["eval_split"], labels)
        reported.append((lc["second_eval_data"], second))
        held_out |= set(second["text"].map(text_hash))
    complete = store[labels].notna().all(axis=1)
    leak = store["text_hash"].isin(held_out)
    from_store = store[complete & ~leak]
    rows: list[dict[str, Any]] = []
    for r in from_store.itertuples(index=False):
        rows.append({"text": r.text, "source": r.source, "split": "train",
                     "labels": [l for l in labels if int(getattr(r, l)) == 1],
                     "direction": r.direction, "origin": "store"})
    store_hashes = set(from_store["text_hash"])
    n_seed = 0
    if include_seed:
        for path in lc["seed_data"]:
            shipped = load_labelled(resolve_path(path), labels, "labels")
            for r in shipped[shipped["split"] == "train"].itertuples(index=False):
                h = text_hash(r.text)
                if h in store_hashes or h in held_out:
                    continue  # the store's decision wins; evaluation texts are never trained on
                rows.append({"text": r.text, "source": r.source, "split": "train",
                             "labels": list(r.labels), "direction": r.direction,
                             "origin": str(path)})
                n_seed += 1
    counts = {"seed_rows": n_seed, "store_rows": int(len(from_store)),
              "store_incomplete": int((~complete).sum()),
              "store_in_evaluation_set": int((complete & leak).sum()),
              "evaluation_rows": int(len(evaluation)), "evaluation_set": name}
    return pd.DataFrame(rows), evaluation, reported, counts


def _predict(folder: Path | str, config: Mapping[str, Any], frame: pd.DataFrame,
             labels: list[str]) -> np.ndarray:
    predictor = MechanismPredictor.from_config(config, str(folder))
    pred = predictor.predict(frame[["text", "source"]].reset_index(drop=True))
    index = [predictor.labels.index(l) for l in labels]
    return pred.decisions[:, index].astype(bool)


def _compare_on(frame: pd.DataFrame, champion_dir: Path, challenger_dir: Path,
                config: Mapping[str, Any], labels: list[str]) -> dict[str, Any]:
    lc = config["labels"]
    y = label_matrix(frame, labels).astype(bool)
    return compare(y, _predict(champion_dir, config, frame, labels),
                   _predict(challenger_dir, config, frame, labels), labels,
                   lc["min_support"], lc["bootstrap"], config["train"]["seed"])


def retrain(config: Mapping[str, Any], by: str | None = None, include_seed: bool | None = None,
            force: bool = False, note: str = "") -> dict[str, Any]:
    """Train a challenger, compare it with the champion, promote or refuse; return the
    comparison with the decision."""
    started = time.perf_counter()
    lc = config["labels"]
    by = by or getpass.getuser()
    include_seed = lc["include_seed"] if include_seed is None else include_seed
    labels = mechanism_ids()
    rows, evaluation, reported, counts = training_rows(config, labels, include_seed)
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
                                                     "direction", "genre"]]
        pd.concat([rows, eval_rows], ignore_index=True).to_json(
            data, orient="records", lines=True, force_ascii=False)
        meta = train(data, staging / "model", config)
        shutil.copy(data, staging / "model" / "training.jsonl")
        version = meta["version"]
        if version in state["versions"]:
            raise ValueError(f"the challenger is version {version}, already in the registry: "
                             f"the training data has not changed since it was trained.")
        result = _compare_on(evaluation, champion_dir, staging / "model", config, labels)
        result["reported_evaluations"] = [
            {"data": name, "split": lc["eval_split"],
             **_compare_on(frame, champion_dir, staging / "model", config, labels)}
            for name, frame in reported if not frame.empty]
        result.update(champion=state["champion"], challenger=version, counts=counts,
                      include_seed=include_seed,
                      label_store=LabelStore(resolve_path(lc["store"])).fingerprint(),
                      evaluation={"data": counts["evaluation_set"],
                                  "split": lc["eval_split"]},
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
    rows = [[l + ("" if v.get("judged", True) else " (not judged: too few positives)"),
             f"{v['champion_f1']:.3f}", f"{v['challenger_f1']:.3f}", f"{v['delta']:+.3f}",
             f"[{v['ci95'][0]:+.3f}, {v['ci95'][1]:+.3f}]"]
            for l, v in result["per_label"].items()]
    m = result["macro"]
    rows.append([f"macro ({', '.join(result.get('macro_labels', []))})",
                 f"{m['champion_f1']:.3f}", f"{m['challenger_f1']:.3f}",
                 f"{m['delta']:+.3f}", f"[{m['ci95'][0]:+.3f}, {m['ci95'][1]:+.3f}]"])
    return rows


__all__ = ["retrain", "compare", "training_rows", "comparison_table"]
