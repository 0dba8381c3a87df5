"""CLI start-up time: `disinfo --help` and light commands beside a bare Python start.

    python benchmarks/startup.py [--repeats 7]

Runs each command `--repeats` times, interleaved with `python -c pass` (the baseline measured
in the same run), and prints JSON: the median wall seconds of each and its ratio to the
baseline. The target is <= 3 s for `disinfo --help`.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DISINFO = str(Path(sys.executable).parent / "disinfo")
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def commands(registry: Path) -> dict[str, list[str]]:
    """The commands timed; `models list` reads a registry in a temporary folder, not the
    project's own."""
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "disinfo --help": [DISINFO, "--help"],
        "disinfo run --help": [DISINFO, "run", "--help"],
        "disinfo models list": [DISINFO, "models", "list", "--set",
                                f"labels.registry='{registry}'"],
        "import pipeline.model.predict": [sys.executable, "-c",
                                          "import pipeline.model.predict"],
    }


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        timed = commands(Path(tmp) / "registry.json")
        times: dict[str, list[float]] = {name: [] for name in timed}
        for command in timed.values():  # warm the file cache
            seconds(command)
        for _ in range(args.repeats):
            for name, command in timed.items():
                times[name].append(seconds(command))
    base = statistics.median(times["python -c pass"])
    print(json.dumps({"benchmark": "startup", "repeats": args.repeats, "commands": {
        name: {"median_seconds": round(statistics.median(t), 3),
               "ratio_to_python": round(statistics.median(t) / base, 1)}
        for name, t in times.items()}}, indent=2))


if __name__ == "__main__":
    main()
