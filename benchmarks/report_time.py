"""Report regeneration time against the pipeline's time, on the same corpus in the same run.

    python benchmarks/report_time.py [--repeats 5] [INPUT ...]

Runs the whole pipeline once on the inputs (default: the shipped sample corpus), then
regenerates the report from the finished run folder `--repeats` times (all formats, tables
and run.duckdb). Prints JSON with both times and their ratio (median report / pipeline);
the target is a ratio below 0.10. The pipeline time includes loading the model and spaCy,
as a user's `disinfo run` does.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import Run, load_config, report, run_pipeline  # noqa: E402

SAMPLE = ROOT / "corpora" / "sample"
DEFAULT = [SAMPLE / "news.csv", SAMPLE / "social.jsonl", SAMPLE / "claims.json",
           SAMPLE / "articles"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    config = load_config()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        run = run_pipeline([str(p) for p in args.inputs], str(Path(tmp) / "run"), config)
        pipeline_seconds = time.perf_counter() - started
        stages = {k: v.get("seconds") for k, v in run.manifest["stages"].items()}
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            report(Run.open(run.path), config)
            times.append(time.perf_counter() - started)
        html_bytes = (run.path / "report.html").stat().st_size
        documents = run.manifest["accounting"]["analysed"]
    median = statistics.median(times)
    print(json.dumps({
        "documents": documents,
        "pipeline_seconds": round(pipeline_seconds, 3), "stage_seconds": stages,
        "report_seconds": [round(t, 3) for t in times], "report_median_seconds": round(median, 3),
        "ratio": round(median / pipeline_seconds, 4), "target_ratio": 0.10,
        "report_html_bytes": html_bytes}, indent=2))


if __name__ == "__main__":
    main()
