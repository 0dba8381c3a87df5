"""The PTC training articles as one JSONL input, for the speed benchmarks (imported by
throughput.py and engines.py, which run as scripts from this folder)."""
from __future__ import annotations

import json
from pathlib import Path

PTC = Path(__file__).resolve().parent.parent.parent / "shared/data/ptc/train"


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
