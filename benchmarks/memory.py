"""Peak memory of every stage at 1x and 4x the input (and more scales with --scales).

    python benchmarks/memory.py [--records 20000] [--kind posts|articles] [--scales 1 4]
                                [--seed 0] [--set KEY=VALUE ...] [--until STAGE]

Builds one corpus per scale from real text: the sentences of the labelled EUvsDisinfo
summaries and disproofs (corpora/labelled) and, when ../shared/data/ptc is present, of the
PTC news articles, drawn at random into new documents, so that every document is new (the
near-duplicate filter keeps them) and a 4x corpus reads like the 1x one, only four times
longer: `posts` are two sentences each (a platform export), `articles` have as many sentences
as a real document drawn at random. Each record has an author (one account per 20 records)
and a time, so the coordination stage has work to do.

Every stage runs as its own `disinfo <stage>` process over the run folder; its peak resident
memory is that process's (and its workers') maximum RSS from `wait4`. Prints JSON: per scale
and stage the peak RSS in MB and the wall time, and per stage the ratio of the largest
scale's peak to the 1x peak (the target is <= 1.25) and of its time (linear is the scale).
`--set` settings go to every stage (e.g. --set features.spacy_model='"blank:en"' for the
fast profile).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
DISINFO = str(Path(sys.executable).parent / "disinfo")
STAGES = ("ingest", "clean", "coordination", "classify", "narratives", "report")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


def real_documents() -> list[str]:
    rows = [json.loads(line) for line in
            (ROOT / "corpora/labelled/euvsdisinfo.jsonl").read_text().splitlines()]
    docs = [row["text"] for row in rows]
    ptc = ROOT.parent / "shared/data/ptc"
    for path in sorted(ptc.glob("*/article*.txt")):
        docs.append(path.read_text(encoding="utf-8"))
    return docs


def corpus(path: Path, records: int, kind: str, rng: random.Random) -> int:
    """Write `records` documents of resampled real sentences; return their words."""
    docs = real_documents()
    sentences = [s for doc in docs for s in SENTENCE.split(" ".join(doc.split())) if s]
    lengths = ([2] if kind == "posts" else
               [max(1, len(SENTENCE.split(" ".join(doc.split())))) for doc in docs])
    start = 1_420_070_400  # 2015-01-01
    words = 0
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(records):
            text = " ".join(rng.choice(sentences) for _ in range(rng.choice(lengths)))
            words += len(text.split())
            fh.write(json.dumps({
                "id": f"m{n}", "text": text, "author": f"account{n // 20}",
                "published_at": start + rng.randrange(365 * 86400)}) + "\n")
    return words


def stage(args: list[str]) -> tuple[float, float]:
    """Run one disinfo command; return (peak RSS in MB, seconds)."""
    started = time.perf_counter()
    proc = subprocess.Popen([DISINFO, "-q", *args], env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"disinfo {' '.join(args)} exited {proc.returncode}:\n{err}")
    return usage.ru_maxrss / 1024, seconds  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="records at scale 1")
    parser.add_argument("--kind", choices=("posts", "articles"), default="posts")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", dest="sets", action="append", default=[],
                        help="a config override for every stage (repeatable)")
    parser.add_argument("--until", choices=STAGES, default=STAGES[-1],
                        help="the last stage to run (coordination: a 1M-post export cleaned "
                             "and checked for coordination, not classified)")
    args = parser.parse_args()
    names = STAGES[:STAGES.index(args.until) + 1]
    sets = [arg for item in args.sets for arg in ("--set", item)]
    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for scale in args.scales:
            data = tmp / f"corpus-{scale}.jsonl"
            records = args.records * scale
            words = corpus(data, records, args.kind, random.Random(args.seed + scale))
            run = tmp / f"run-{scale}"
            stages = {}
            for name in names:
                command = ([name, str(data), "--out", str(run)] if name == "ingest"
                           else [name, str(run)]) + sets
                peak, seconds = stage(command)
                stages[name] = {"peak_rss_mb": round(peak, 1), "seconds": round(seconds, 1)}
                print(json.dumps({"scale": scale, "stage": name, **stages[name]}),
                      file=sys.stderr)
            manifest = json.loads((run / "manifest.json").read_text())
            results[scale] = {"records": records, "words": words, "stages": stages,
                              "accounting": manifest.get("accounting")}
    first, last = min(args.scales), max(args.scales)
    ratios = {name: {
        "peak_rss_ratio": round(results[last]["stages"][name]["peak_rss_mb"]
                                / results[first]["stages"][name]["peak_rss_mb"], 3),
        "time_ratio": round(results[last]["stages"][name]["seconds"]
                            / max(results[first]["stages"][name]["seconds"], 1e-9), 2)}
        for name in names}
    print(json.dumps({"benchmark": "memory", "scales": args.scales, "kind": args.kind,
                      "records_at_1x": args.records,
                      "settings": args.sets,
                      "results": results, f"ratio_{last}x_to_{first}x": ratios,
                      "within_1.25x": sorted(n for n, r in ratios.items()
                                             if r["peak_rss_ratio"] <= 1.25),
                      "above_1.25x": sorted(n for n, r in ratios.items()
                                            if r["peak_rss_ratio"] > 1.25)}, indent=2))


if __name__ == "__main__":
    main()
