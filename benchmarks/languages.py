"""The mechanism model per language: quality on each language's frozen evaluation split and
prediction speed in words/s, with English as the baseline measured in the same run.

    python benchmarks/languages.py [MODEL_DIR] [--repeats 3]

Each language's evaluation split is the translation of the real English evaluation split
(`corpora/labelled/translations/euvsdisinfo.<lang>.jsonl`, split `test`), so every language is
scored on the same 766 claims and debunks. Speed: the split is predicted `repeats` times per
language, the languages interleaved, and the median taken; `ratio_to_en` divides by English's
median of the same run (these machines are noisy). Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.config import load_config  # noqa: E402
from pipeline.model.data import load_labelled  # noqa: E402
from pipeline.model.evaluate import evaluate_frame  # noqa: E402
from pipeline.model.io import load_baseline  # noqa: E402
from pipeline.model.predict import MechanismPredictor  # noqa: E402

LABELLED = ROOT / "corpora" / "labelled"


def splits(labels: list[str]) -> dict:
    files = {"en": LABELLED / "euvsdisinfo.jsonl"}
    files.update({p.name.split(".")[1]: p
                  for p in sorted((LABELLED / "translations").glob("euvsdisinfo.*.jsonl"))})
    out = {}
    for lang, path in files.items():
        frame = load_labelled(path, labels)
        out[lang] = frame[frame["split"] == "test"].reset_index(drop=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", nargs="?", default=str(ROOT / "models" / "mechanisms"))
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    config = load_config()
    predictor = MechanismPredictor.from_config(config, args.model)
    baseline = load_baseline(args.model)
    frames = splits(predictor.labels)
    result: dict = {"model": predictor.meta.get("version"), "languages": {}}
    for lang, frame in frames.items():
        m = evaluate_frame(predictor, frame, baseline)
        result["languages"][lang] = {
            "documents": len(frame), "scored": lang in predictor.scored_languages,
            "headline_macro_f1": m["headline_macro_f1"],
            "per_label_f1": {k: v["f1"] for k, v in m["per_label"].items()},
            "by_genre_macro_f1": {g: v["headline_macro_f1"] for g, v in m["by_genre"].items()},
            "tfidf_headline_macro_f1": m["baselines"]["tfidf"]["headline_macro_f1"]}
    times: dict[str, list[float]] = {lang: [] for lang in frames}
    words = {lang: int(f["text"].str.split().str.len().sum()) for lang, f in frames.items()}
    for _ in range(args.repeats):
        for lang, frame in frames.items():
            started = time.perf_counter()
            predictor.predict(frame)
            times[lang].append(time.perf_counter() - started)
    en = words["en"] / statistics.median(times["en"])
    for lang in frames:
        wps = words[lang] / statistics.median(times[lang])
        result["languages"][lang].update({"words": words[lang], "words_per_s": round(wps),
                                          "ratio_to_en": round(wps / en, 3)})
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
