"""What the speed benchmarks share (throughput.py and engines.py, which run as scripts from
this folder): the PTC training articles as one JSONL input, and a timed `disinfo run`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

PTC = Path(__file__).resolve().parent.parent.parent / "shared/data/ptc/train"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def write_articles(out: Path, limit: int) -> tuple[int, int]:
    """Write the first `limit` articles to `out` ({"id", "text"} per line); return the
    number of articles and their words (split on whitespace)."""
    if not PTC.is_dir():
        raise SystemExit(f"{PTC} is missing: the benchmark reads the PTC articles.")
    paths = sorted(PTC.glob("article*.txt"))[:limit]
    words = 0
    with open(out, "w", encoding="utf-8") as fh:
        for path in paths:
            text = path.read_text(encoding="utf-8")
            words += len(text.split())
            fh.write(json.dumps({"id": path.stem, "text": text}) + "\n")
    return len(paths), words


def run_disinfo(tree: Path, data: Path, out: Path, sets: list[str]
                ) -> tuple[float, dict[str, float]]:
    """Wall seconds of `disinfo run` with the package of source tree `tree` (a git worktree
    of another commit, or this one), and the seconds of each stage from its manifest."""
    code = (f"import sys; sys.path.insert(0, {str(tree)!r}); import pipeline; "
            f"assert pipeline.__file__.startswith({str(tree)!r}), pipeline.__file__; "
            "from pipeline.cli import app; app()")
    command = [sys.executable, "-c", code, "-q", "run", str(data), "--out", str(out)]
    for item in sets:
        command += ["--set", item]
    started = time.perf_counter()
    subprocess.run(command, env=ENV, cwd=tree, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    stages = json.loads((out / "manifest.json").read_text())["stages"]
    return seconds, {name: float(info["seconds"]) for name, info in stages.items()}
