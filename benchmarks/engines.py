"""`disinfo run` on the local engine and on Dask with 1 and 2 workers, same articles, one run.

    python benchmarks/engines.py [--articles 371] [--chunk-size 25] [--workers 1 2]

The corpus is the PTC training articles (../shared/data/ptc/train; needed), read in parts of
`--chunk-size` articles (`ingest.chunk_size`; a part is the unit of work the Dask engine
distributes). Each run is its own `disinfo run` process, one after the other: `local`, then
`--engine dask` with a LocalCluster of each `--workers` count. Prints JSON: wall seconds and
words/s end to end, each stage's seconds, the ratio of each run's end-to-end words/s to the
local engine's in the same run, and whether each run's predictions, narratives and manifest
accounting equal the local engine's.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd
from speed_runs import run_disinfo, write_articles

ROOT = Path(__file__).resolve().parent.parent


def run(data: Path, out: Path, sets: list[str]) -> dict:
    seconds, stages = run_disinfo(ROOT, data, out, sets)
    return {"seconds": round(seconds, 1), "stages": stages}


def same_outputs(a: Path, b: Path) -> bool:
    for table in ("predictions.parquet", "narratives", "cleaned"):
        if not pd.read_parquet(a / table).equals(pd.read_parquet(b / table)):
            return False
    accounting = [json.loads((p / "manifest.json").read_text())["accounting"] for p in (a, b)]
    return accounting[0] == accounting[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=371)
    parser.add_argument("--chunk-size", type=int, default=25)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "articles.jsonl"
        articles, words = write_articles(data, args.articles)
        chunk = [f"ingest.chunk_size={args.chunk_size}"]
        figures = {"local": run(data, tmp / "local", chunk)}
        print(json.dumps({"local": figures["local"]}), file=sys.stderr)
        for n in args.workers:
            name = f"dask, {n} worker{'s' if n > 1 else ''}"
            figures[name] = run(data, tmp / name, chunk + ['engine.name="dask"',
                                                             f"engine.workers={n}"])
            figures[name]["same_outputs_as_local"] = same_outputs(tmp / "local", tmp / name)
            print(json.dumps({name: figures[name]}), file=sys.stderr)
    for figure in figures.values():
        figure["words_per_s"] = round(words / figure["seconds"])
        figure["ratio_to_local"] = round(figure["words_per_s"] / figures["local"]["words_per_s"],
                                         3)
    print(json.dumps({"benchmark": "engines", "articles": articles, "words": words,
                      "parts": -(-articles // args.chunk_size), "cores": os.cpu_count(),
                      "figures": figures}, indent=2))


if __name__ == "__main__":
    main()
