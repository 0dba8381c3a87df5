"""The full fuzz corpus through `disinfo run`, as a user would run it.

    python benchmarks/fuzz.py [--records 12000] [--seeds 0 1]

For each seed, writes the corpus of tests/reliability/fuzz_corpus.py (every input format,
bad and odd records: broken quoting, encodings, BOMs, NUL bytes, ragged rows, huge fields,
wrong types, nested and non-object JSON, empty and header-only files, binary files, a FIFO,
a missing input), runs the `disinfo` command on it in a subprocess, and checks that no
traceback was printed, that every input record is analysed or quarantined with a reason,
and that predictions == analysed (tests/reliability/test_fuzz.py `check_run`). Prints JSON:
records, exit code, analysed, quarantined by reason, seconds.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from pipeline.store import Run  # noqa: E402
from tests.reliability.fuzz_corpus import build  # noqa: E402
from tests.reliability.test_fuzz import check_run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=12000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    disinfo = Path(sys.executable).parent / "disinfo"
    results = []
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as tmp:
            expected = build(Path(tmp) / "corpus", args.records, seed)
            out = Path(tmp) / "run"
            started = time.perf_counter()
            proc = subprocess.run([str(disinfo), "-q", "run", *expected, "--out", str(out)],
                                  capture_output=True, text=True,
                                  env={**os.environ, "HF_HUB_OFFLINE": "1",
                                       "HF_DATASETS_OFFLINE": "1"})
            seconds = time.perf_counter() - started
            traceback = "Traceback" in proc.stdout + proc.stderr
            acc = check_run(Run(out), expected)
            reasons = Counter(pd.read_parquet(out / "quarantine")["reason"])
            results.append({"seed": seed, "input_records": acc["input_records"],
                            "exit_code": proc.returncode, "traceback": traceback,
                            "analysed": acc["analysed"], "quarantined": acc["quarantined"],
                            "balanced": acc["balanced"], "reasons": dict(reasons.most_common()),
                            "seconds": round(seconds, 1),
                            "errors": [line for line in proc.stderr.splitlines()
                                       if line.startswith("error:")]})
            if traceback:
                print(proc.stderr[-3000:], file=sys.stderr)
    print(json.dumps({"benchmark": "fuzz", "runs": results}, indent=2))
    if any(r["traceback"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
