"""A run folder with known scores, for the suggestion and CLI tests."""
import numpy as np
import pandas as pd
import pytest

from pipeline import Run

LABELS = ["state_media", "sowing_doubt"]
THRESHOLDS = {"state_media": 0.5, "sowing_doubt": 0.3}
TOPICS = ["nato troops baltic exercise", "gas pipeline prices winter", "election fraud ballots",
          "cyber attack servers ministry", "crimea bridge referendum"]


@pytest.fixture
def run(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(100):
        topic = TOPICS[i % 5]
        rows.append({"id": f"d{i}", "text": f"{topic} report number {i} {rng.integers(1e6)}",
                     "source": "X", "is_duplicate": False,
                     "state_media_score": float(rng.random()),
                     "sowing_doubt_score": float(rng.random())})
    # a near-copy of the most uncertain document, and a marked duplicate of it
    rows[0].update(state_media_score=0.5, sowing_doubt_score=0.9)
    rows.append({**rows[0], "id": "copy", "text": rows[0]["text"] + " !"})
    rows.append({**rows[0], "id": "dup", "is_duplicate": True})
    frame = pd.DataFrame(rows)
    for label, t in THRESHOLDS.items():
        frame[label] = (frame[f"{label}_score"] >= t).astype("int8")
    r = Run.create(tmp_path / "run")
    r.write_part("predictions", 0, frame.drop(columns="text"))
    r.write_part("cleaned", 0, frame[["id", "text"]])
    return r
