"""Stable narrative ids across runs: a store of topic term vectors, matched by similarity.

A store is a JSON file: every narrative ever discovered with its id (`N-1`, `N-2`, ...), its
top term weights (unit length), label and the runs that saw it. A new run's topics are
matched to stored ones by cosine similarity of their term vectors (Hungarian assignment, one
stored topic per new topic, similarity at least `threshold`); unmatched topics get new ids.
Ids are never reused.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..store import utc_now, write_json


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    common = set(a) & set(b)
    if not common:
        return 0.0
    dot = sum(a[t] * b[t] for t in common)
    na = np.sqrt(sum(v * v for v in a.values()))
    nb = np.sqrt(sum(v * v for v in b.values()))
    return float(dot / (na * nb)) if na and nb else 0.0


class NarrativeStore:
    def __init__(self, topics: list[dict[str, Any]] | None = None, next_id: int = 1):
        self.topics = topics or []
        self.next_id = next_id

    @classmethod
    def load(cls, path: str | Path | None) -> "NarrativeStore":
        if path is None or not Path(path).is_file():
            return cls()
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["topics"], data["next_id"])

    def save(self, path: str | Path) -> None:
        write_json(Path(path), {"next_id": self.next_id, "topics": self.topics,
                                "saved_at": utc_now()})

    def assign(self, topics: list[dict[str, float]], labels: list[str], run_name: str,
               threshold: float) -> tuple[list[str], list[float]]:
        """Ids for new topics (and the similarity of each match, 0 for new ids); the store is
        updated with the new term vectors."""
        ids: list[str | None] = [None] * len(topics)
        sims = [0.0] * len(topics)
        if self.topics and topics:
            sim = np.array([[cosine(new, old["terms"]) for old in self.topics]
                            for new in topics])
            rows, cols = linear_sum_assignment(-sim)
            for r, c in zip(rows, cols):
                if sim[r, c] >= threshold:
                    ids[r] = self.topics[c]["id"]
                    sims[r] = float(sim[r, c])
                    self.topics[c].update(terms=topics[r], label=labels[r], last_seen=run_name)
                    self.topics[c]["runs"] = self.topics[c].get("runs", 0) + 1
        for r, topic in enumerate(topics):
            if ids[r] is None:
                ids[r] = f"N-{self.next_id}"
                self.next_id += 1
                self.topics.append({"id": ids[r], "terms": topic, "label": labels[r],
                                    "first_seen": run_name, "last_seen": run_name, "runs": 1})
        return [str(i) for i in ids], sims

    def stored_terms(self) -> list[tuple[str, dict[str, float]]]:
        return [(t["id"], t["terms"]) for t in self.topics]
