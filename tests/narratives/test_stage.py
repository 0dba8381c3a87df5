"""The narratives stage on generated documents: discovered narratives keep their ids when a
named store carries them from one run to the next on a growing corpus."""
import json

import numpy as np
import pandas as pd
import pytest

from pipeline import load_config, run_pipeline
from tests.conftest import write

THEMES = [
    "Missile launchers and interceptors were deployed in Romania, next to the radar of the shield.",
    "The battlegroup in Estonia rotated troops to Tapa, and the brigade trained with Latvian units.",
    "Crimea's annexation and the referendum in Sevastopol were discussed again at the Kerch bridge.",
    "Hackers used malware and phishing in a cyberattack on servers of the ministry.",
    "Gas prices rose as the pipeline supply fell and storage terminals emptied before winter.",
    "Election fraud claims spread as ballots were counted and turnout in the vote was low.",
]
FILLER = ["officials said", "reports say", "on Monday", "this week", "in the capital",
          "according to local media", "again", "once more"]


def docs(themes, n, start, seed):
    rng = np.random.default_rng(seed)
    rows = []
    for t in themes:
        sentence = THEMES[t]
        for i in range(n):
            words = sentence.rstrip(".").split()
            drop = rng.choice(len(words), 2, replace=False)
            kept = [w for j, w in enumerate(words) if j not in drop]
            day = pd.Timestamp(start) + pd.Timedelta(days=int(rng.integers(0, 700)))
            rows.append({"text": " ".join(kept) + f", {rng.choice(FILLER)}.",
                         "date": day.strftime("%Y-%m-%d"), "outlet": "Example News"})
    return rows


@pytest.mark.slow
def test_ids_survive_from_run_to_run_with_a_store(tmp_path):
    store = tmp_path / "store.json"
    config = load_config(overrides=[f"narratives.store='{store}'",
                                    "narratives.k_candidates=[4, 5, 6, 7]",
                                    "narratives.min_df=2"])
    first = docs(range(5), 30, "2016-01-01", seed=1)
    grown = first + docs(range(6), 20, "2019-01-01", seed=2)  # more data, one new theme
    runs = []
    for name, rows in (("a", first), ("b", grown)):
        data = write(tmp_path / f"{name}.jsonl", "\n".join(json.dumps(r) for r in rows))
        run = run_pipeline([str(data)], str(tmp_path / name), config)
        runs.append(pd.read_parquet(run.path / "clusters.parquet"))
    ids_a, ids_b = set(runs[0]["narrative_id"]), set(runs[1]["narrative_id"])
    assert len(ids_a & ids_b) / len(ids_a) >= 0.8
    assert json.loads(store.read_text())["next_id"] > len(ids_a)
