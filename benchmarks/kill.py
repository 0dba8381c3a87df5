"""`kill -9` at random moments of a run, each followed by `disinfo run --resume`.

    python benchmarks/kill.py [--records 20000] [--kills 20] [--seed 0]

Writes a corpus of `--records` real texts as JSONL with dates, outlets and authors: the
10,892 EUvsDisinfo case titles of ../shared/data/euvsdisinfo_posts (short, like social-media
posts) when that folder is present, else the labelled EUvsDisinfo summaries and disproofs of
corpora/labelled; repeated with new ids when there are fewer texts than records. Runs
`disinfo run` on it once uninterrupted and times it, then `--kills` times: starts the same run
into a fresh folder, sends SIGKILL after a random moment drawn uniformly over the
uninterrupted run's time (so every stage gets its share of deaths), runs
`disinfo run --resume`, and compares predictions.csv, predictions.parquet and every
tables/*.csv byte for byte with the uninterrupted run's. Prints JSON: each kill's moment,
the stage it hit (the manifest's unfinished stage), and whether the outputs were identical.
A kill while the model loads, before the run folder exists, is followed by the same command
again (there is nothing to resume).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.store import Run  # noqa: E402

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
DISINFO = str(Path(sys.executable).parent / "disinfo")


POSTS = ROOT.parent / "shared/data/euvsdisinfo_posts/posts.csv"


def real_rows() -> list[dict]:
    """(text, source, date) of real texts: the case titles if present, else the labelled set."""
    if POSTS.exists():
        with open(POSTS, newline="", encoding="utf-8") as fh:
            return [{"text": r["title"], "source": r["outlets"], "date": r["date"]}
                    for r in csv.DictReader(fh) if r["title"].strip()]
    return [{"text": r["text"], "source": r.get("outlet"), "date": r.get("date")}
            for r in map(json.loads,
                         (ROOT / "corpora/labelled/euvsdisinfo.jsonl").read_text().splitlines())]


def corpus(path: Path, n: int) -> str:
    rows = real_rows()
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            row = rows[i % len(rows)]
            fh.write(json.dumps({"id": f"k{i}", "text": row["text"], "source": row["source"],
                                 "published_at": row["date"],
                                 "author": f"account{i % 97}"}, ensure_ascii=False) + "\n")
    return "euvsdisinfo_posts titles" if POSTS.exists() else "corpora/labelled/euvsdisinfo.jsonl"


def outputs(run: Path) -> dict[str, bytes]:
    files = [run / "predictions.csv", run / "predictions.parquet",
             *sorted((run / "tables").glob("*.csv"))]
    return {str(p.relative_to(run)): p.read_bytes() for p in files if p.exists()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "corpus.jsonl"
        texts = corpus(data, args.records)
        started = time.perf_counter()
        subprocess.run([DISINFO, "-q", "run", str(data), "--out", str(tmp / "ref")], env=ENV,
                       check=True, capture_output=True)
        total = time.perf_counter() - started
        reference = outputs(tmp / "ref")
        kills = []
        for k in range(args.kills):
            out = tmp / f"killed-{k}"
            moment = rng.uniform(0.02, 0.98) * total
            proc = subprocess.Popen([DISINFO, "-q", "run", str(data), "--out", str(out)],
                                    env=ENV, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(moment)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if (out / "manifest.json").exists():
                hit = Run(out).unfinished() or ["(finished)"]
                again = [DISINFO, "-q", "run", "--resume", str(out)]
            else:  # killed while loading the model: no run folder yet; start it again
                hit = ["(before the run folder)"]
                again = [DISINFO, "-q", "run", str(data), "--out", str(out), "--overwrite"]
            resumed = subprocess.run(again, env=ENV, capture_output=True, text=True)
            identical = resumed.returncode == 0 and outputs(out) == reference
            kills.append({"kill": k, "after_seconds": round(moment, 1), "stage": hit[0],
                          "resume_exit": resumed.returncode, "identical": identical,
                          "error": resumed.stderr.strip().splitlines()[-1:]
                          if resumed.returncode else []})
            print(json.dumps(kills[-1]), file=sys.stderr)
    print(json.dumps({"benchmark": "kill", "records": args.records, "texts": texts,
                      "run_seconds":
                      round(total, 1), "kills": len(kills),
                      "identical": sum(k["identical"] for k in kills), "detail": kills},
                     indent=2))


if __name__ == "__main__":
    main()
