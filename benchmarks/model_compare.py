"""Two mechanism models side by side on the same real text: quality on the frozen real
evaluation split and prediction speed (words/s, interleaved repeats, ratio measured in the
same run). Used to decide whether the sentence-embedding block pays for its cost:

    disinfo train corpora/labelled/euvsdisinfo.jsonl corpora/labelled/mechanisms.jsonl \\
        --out /tmp/no-emb --set train.embeddings='""'
    python benchmarks/model_compare.py models/mechanisms /tmp/no-emb [--ptc ../shared/data/ptc]

Speed is measured on the evaluation texts (short claims and debunks) and, when the SemEval
PTC articles are present, on news articles (long texts). Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.config import load_config  # noqa: E402
from pipeline.model.data import load_labelled  # noqa: E402
from pipeline.model.evaluate import evaluate_frame  # noqa: E402
from pipeline.model.io import load_baseline  # noqa: E402
from pipeline.model.predict import MechanismPredictor  # noqa: E402

REAL = ROOT / "corpora" / "labelled" / "euvsdisinfo.jsonl"


def speed(predictor: MechanismPredictor, frame: pd.DataFrame) -> float:
    words = int(frame["text"].str.split().str.len().sum())
    started = time.perf_counter()
    predictor.predict(frame)
    return words / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model_a")
    ap.add_argument("model_b")
    ap.add_argument("--ptc", default=str(ROOT.parent / "shared" / "data" / "ptc"),
                    help="SemEval PTC folder; its train articles are the long texts")
    ap.add_argument("--articles", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    config = load_config()
    real = pd.read_json(REAL, lines=True, dtype=False)
    sets = {"claims_and_debunks": real[real["split"] == "test"][["text", "source"]]}
    articles = sorted((Path(args.ptc) / "train").glob("article*.txt"))[:args.articles]
    if articles:
        sets["news_articles"] = pd.DataFrame({
            "text": [p.read_text(encoding="utf-8") for p in articles], "source": None})
    result: dict = {"models": {}, "words": {k: int(v["text"].str.split().str.len().sum())
                                            for k, v in sets.items()}}
    predictors = {}
    for name in (args.model_a, args.model_b):
        predictors[name] = MechanismPredictor.from_config(config, name)
        labelled = load_labelled(REAL, predictors[name].labels)
        metrics = evaluate_frame(predictors[name], labelled[labelled["split"] == "test"],
                                 load_baseline(name))
        result["models"][name] = {
            "version": predictors[name].meta.get("version"),
            "embeddings": predictors[name].meta.get("embeddings"),
            "headline_macro_f1": metrics["headline_macro_f1"],
            "per_label_f1": {l: v["f1"] for l, v in metrics["per_label"].items()},
            "by_genre_headline": {g: v["headline_macro_f1"]
                                  for g, v in metrics.get("by_genre", {}).items()},
            "words_per_second": {k: [] for k in sets}}
        for frame in sets.values():  # warm-up: load pipelines and encoders
            predictors[name].predict(frame.head(8))
    for _ in range(args.repeats):  # interleaved, so both see the same machine load
        for name, predictor in predictors.items():
            for key, frame in sets.items():
                result["models"][name]["words_per_second"][key].append(
                    round(speed(predictor, frame), 1))
    a, b = (result["models"][n] for n in (args.model_a, args.model_b))
    result["speed_ratio_a_over_b"] = {
        k: round(sorted(a["words_per_second"][k])[len(a["words_per_second"][k]) // 2]
                 / sorted(b["words_per_second"][k])[len(b["words_per_second"][k]) // 2], 3)
        for k in sets}
    result["headline_delta_a_minus_b"] = round(a["headline_macro_f1"] - b["headline_macro_f1"], 4)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
