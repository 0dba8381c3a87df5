"""Technique classification on the SemEval-2020 Task 11 PTC corpus (task TC).

    python benchmarks/ptc.py --data ../shared/data/ptc [--out DIR] [--n-process 2]

Trains on `train` (C chosen by cross-validation grouped by article, on train only), scores
`dev` with the task's micro-F1 over spans, and prints JSON: `micro_f1`, per-technique F1,
training and scoring time. Published dev figures: baseline 0.2653, best team 0.7046
(transformer ensembles). CPU only.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import load_config  # noqa: E402
from pipeline.spans.model import train_techniques  # noqa: E402
from pipeline.spans.ptc import read_split  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "ptc")
    parser.add_argument("--out", type=Path, help="keep the model folder here")
    parser.add_argument("--n-process", type=int, default=2)
    args = parser.parse_args()
    if not (args.data / "train.labels.tsv").exists():
        sys.exit(f"{args.data} does not hold the PTC corpus (train/, train.labels.tsv, dev/, "
                 f"dev.labels.tsv); see ../shared/data/README.md.")
    config = load_config(overrides=[f"spans.n_process={args.n_process}"])
    train, dev = read_split(args.data, "train"), read_split(args.data, "dev")
    out = args.out or Path(tempfile.mkdtemp(prefix="ptc-model-"))
    started = time.perf_counter()
    meta = train_techniques(train, out, config, evaluation=dev)
    total = time.perf_counter() - started
    metrics = meta["metrics"]
    print(json.dumps({
        "micro_f1": metrics["micro_f1"], "precision": metrics["precision"],
        "recall": metrics["recall"], "dev_spans": metrics["spans"],
        "per_technique_f1": {t: v["f1"] for t, v in metrics["per_technique"].items()},
        "c": meta["c"], "cv_accuracy": meta["cv_accuracy"],
        "training_seconds": meta["training_seconds"],
        "train_and_score_seconds": round(total, 1),
        "train_spans": meta["training_data"]["spans"], "problems": len(train.problems) + len(dev.problems),
        "published_dev": {"baseline": 0.2653, "best_team": 0.7046},
        "model": str(out)}, indent=2))


if __name__ == "__main__":
    main()
