"""Discovery and stable ids on generated data with known themes."""
import numpy as np
import pandas as pd
import pytest

from pipeline.config import load_config
from pipeline.narratives.coherence import npmi_coherence
from pipeline.narratives.discovery import discover
from pipeline.narratives.store import NarrativeStore, cosine
from pipeline.narratives.trends import weekly_spikes

THEMES = {
    "missiles": "missile launcher warhead deploy romania shield interceptor radar aegis",
    "baltic": "battlegroup estonia latvia lithuania rotation brigade tapa rukla presence",
    "crimea": "crimea peninsula annexation referendum sevastopol fleet bridge kerch",
    "cyber": "hacker cyberattack malware server breach phishing ransomware intrusion",
    "gas": "pipeline gas nordstream supply price winter storage terminal lng",
    "elections": "election ballot vote candidate campaign poll turnout fraud parliament",
    "vaccine": "vaccine dose pandemic virus hospital doctor jab immunity clinic",
}
COMMON = "russia west government official report people country week".split()


def corpus(themes, n_per_theme, seed):
    rng = np.random.default_rng(seed)
    docs, truth = [], []
    for theme in themes:
        words = THEMES[theme].split()
        for _ in range(n_per_theme):
            doc = list(rng.choice(words, 7)) + list(rng.choice(COMMON, 3))
            docs.append(" ".join(doc))
            truth.append(theme)
    return docs, truth


@pytest.fixture
def cfg():
    return dict(load_config()["narratives"], k_candidates=[4, 5, 6, 7, 8], min_df=2)


def test_discovery_recovers_generated_themes(cfg):
    docs, truth = corpus(list(THEMES)[:5], 60, seed=1)
    found = discover(docs, cfg)
    assert found.k == 5
    assign = found.weights(docs).argmax(axis=1)
    purity = pd.crosstab(assign, truth).max(axis=1).sum() / len(docs)
    assert purity > 0.95
    assert np.mean(found.topic_coherence) > 0.3


def test_ids_are_stable_on_a_growing_corpus(cfg):
    first, _ = corpus(list(THEMES)[:5], 60, seed=1)
    grown, _ = corpus(list(THEMES)[:7], 90, seed=2)  # more documents and two new themes
    store = NarrativeStore()
    a = discover(first, cfg)
    ids_a, _ = store.assign(a.terms, a.labels, "run-1", cfg["match_threshold"])
    b = discover(first + grown, cfg, store.stored_terms())
    ids_b, sims = store.assign(b.terms, b.labels, "run-2", cfg["match_threshold"])
    kept = set(ids_a) & set(ids_b)
    assert len(kept) / len(ids_a) >= 0.8
    new = set(ids_b) - set(ids_a)
    assert new and all(int(i.split("-")[1]) > 5 for i in new)  # ids are never reused
    # a kept id names the same theme: its top terms come from one generated theme
    for topic_id, terms in store.stored_terms():
        top = list(terms)[:3]
        assert any(all(t in THEMES[th].split() for t in top) for th in THEMES), topic_id


def test_store_round_trip_and_cosine(tmp_path):
    store = NarrativeStore()
    ids, _ = store.assign([{"a": 1.0}], ["a"], "r1", 0.3)
    store.save(tmp_path / "s.json")
    again = NarrativeStore.load(tmp_path / "s.json")
    ids2, sims = again.assign([{"a": 0.9, "b": 0.1}, {"z": 1.0}], ["a", "z"], "r2", 0.3)
    assert ids2[0] == ids[0] and ids2[1] == "N-2" and sims[0] > 0.9
    assert cosine({"a": 1.0}, {"b": 1.0}) == 0.0


def test_npmi_is_high_for_co_occurring_terms():
    import scipy.sparse as sp
    X = sp.csc_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1]], dtype=float))
    together, apart = npmi_coherence(X, [[0, 1], [0, 2]])
    assert together == pytest.approx(1.0) and apart == -1.0


def test_weekly_spikes_flag_a_burst_only():
    weeks = pd.date_range("2024-01-01", periods=20, freq="7D").strftime("%Y-%m-%d")
    counts = [2, 3, 2, 1, 2, 3, 2, 2, 2, 30, 3, 2, 2, 3, 2, 1, 2, 2, 3, 2]
    series = pd.DataFrame({"kind": "taxonomy", "key": "x", "period": weeks,
                           "documents": counts})
    spikes = weekly_spikes(series, window=8, alpha=0.001, min_count=5)
    assert spikes["week"].tolist() == [weeks[9]]
    assert spikes["baseline"].iloc[0] == pytest.approx(2.125)
