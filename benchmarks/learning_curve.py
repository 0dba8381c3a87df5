"""What labelling buys: the mechanism model trained on the seed set plus 0, 250, 500, 1,000
and all real labelled training texts (`corpora/labelled/euvsdisinfo.jsonl`, split `train`,
a seeded random sample), each scored on the frozen real evaluation split (split `test`),
with the TF-IDF baseline trained on the same rows beside it. Prints one JSON object.

    python benchmarks/learning_curve.py [--sizes 0 250 500 1000 all] [--set train.embeddings='""']
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.config import load_config  # noqa: E402
from pipeline.model.train import train  # noqa: E402

REAL = ROOT / "corpora" / "labelled" / "euvsdisinfo.jsonl"
SEED = ROOT / "corpora" / "labelled" / "mechanisms.jsonl"


def point(metrics: dict) -> dict:
    tfidf = metrics["baselines"].get("tfidf", {})
    return {"headline_macro_f1": metrics["headline_macro_f1"],
            "per_label_f1": {l: v["f1"] for l, v in metrics["per_label"].items()},
            "by_genre_headline": {g: v["headline_macro_f1"]
                                  for g, v in metrics.get("by_genre", {}).items()},
            "tfidf_headline_macro_f1": tfidf.get("headline_macro_f1"),
            "direction_accuracy": metrics["direction"]["accuracy"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["0", "250", "500", "1000", "all"])
    ap.add_argument("--seed", type=int, default=13, help="seed of the sample and the model")
    ap.add_argument("--set", dest="sets", action="append", default=[],
                    help="config override, e.g. train.embeddings='\"\"'")
    args = ap.parse_args()
    config = load_config(overrides=args.sets)
    real = pd.read_json(REAL, lines=True, dtype=False)
    pool = real[real["split"] == "train"].sample(frac=1.0, random_state=args.seed)
    test = real[real["split"] == "test"]
    result = {"evaluation": f"{REAL.name} split test ({len(test)} texts)",
              "training": f"seed set train split + N real training texts of {len(pool)}",
              "overrides": args.sets, "points": []}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            n = len(pool) if size == "all" else min(int(size), len(pool))
            subset = pd.concat([pool.head(n), test])
            path = Path(tmp) / f"real-{n}.jsonl"
            subset.to_json(path, orient="records", lines=True, force_ascii=False)
            started = time.perf_counter()
            meta = train([path, SEED], Path(tmp) / f"model-{n}", config, seed=args.seed)
            result["points"].append({"real_training_texts": n,
                                     "seconds": round(time.perf_counter() - started, 1),
                                     **point(meta["metrics"])})
            print(json.dumps(result["points"][-1]), file=sys.stderr, flush=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
