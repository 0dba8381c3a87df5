"""Which documents of a run to label next.

- `uncertainty`: the documents whose score lies closest to a mechanism's threshold
  (closeness 1 at the threshold, 0 at 0 or 1, the largest over mechanisms);
- `diversity`: one document per cluster (k-means over TF-IDF, k = n), the one nearest its
  cluster's centre, so the batch covers the corpus;
- `mixed`: the `pool_factor * n` most uncertain documents, clustered into n groups, the most
  uncertain of each group.

Never suggested: duplicates the clean stage marked (the original stays eligible), texts the
label store already holds, and a document too similar (TF-IDF cosine >= `max_similarity`) to
one already picked.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

from ..store import Run
from .store import text_hash

STRATEGIES = ("uncertainty", "diversity", "mixed")


def closeness(scores: pd.DataFrame, thresholds: Mapping[str, float]) -> np.ndarray:
    out = np.zeros(len(scores))
    for label, t in thresholds.items():
        s = scores[f"{label}_score"].to_numpy(dtype=float)
        room = np.where(s < t, t, 1 - t)
        out = np.maximum(out, 1 - np.abs(s - t) / np.maximum(room, 1e-9))
    return out


def candidates(run: Run, labels: list[str], exclude: set[str]) -> pd.DataFrame:
    cols = ["id", "source", "is_duplicate", *labels, *[f"{l}_score" for l in labels]]
    pred = pd.concat(run.iter_table("predictions", columns=cols), ignore_index=True)
    text = pd.concat(run.iter_table("cleaned", columns=["id", "text"]), ignore_index=True)
    frame = pred.merge(text.drop_duplicates("id"), on="id", how="left")
    frame = frame[~frame["is_duplicate"].fillna(False).astype(bool) & frame["text"].notna()]
    # documents in a language the model does not score have no scores to rank them by
    frame = frame[frame[[f"{l}_score" for l in labels]].notna().all(axis=1)]
    if exclude:
        frame = frame[~frame["text"].map(text_hash).isin(exclude)]
    return frame.reset_index(drop=True)


def _pick(order: np.ndarray, vectors, n: int, max_similarity: float) -> list[int]:
    """Walk `order`, keeping a row unless it is too similar to a kept one."""
    kept: list[int] = []
    for i in order:
        if len(kept) == n:
            break
        if kept and (vectors[kept] @ vectors[i].T).max() >= max_similarity:
            continue
        kept.append(int(i))
    return kept


def suggest(run: Run, labels: list[str], thresholds: Mapping[str, float], n: int,
            strategy: str = "mixed", exclude: set[str] | None = None, seed: int = 13,
            pool_factor: int = 5, max_similarity: float = 0.8) -> pd.DataFrame:
    """The n documents to label next, with the model's predictions and scores."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy '{strategy}'; choose from {', '.join(STRATEGIES)}.")
    frame = candidates(run, labels, exclude or set())
    if frame.empty:
        return frame.assign(uncertainty=[])
    frame["uncertainty"] = closeness(frame, thresholds).round(4)
    vectors = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True).fit_transform(
        frame["text"])
    by_uncertainty = np.lexsort((frame["id"].to_numpy(), -frame["uncertainty"].to_numpy()))
    if strategy == "uncertainty":
        picked = _pick(by_uncertainty, vectors, n, max_similarity)
    else:
        pool = (np.arange(len(frame)) if strategy == "diversity"
                else by_uncertainty[:max(n * pool_factor, n)])
        k = min(n, len(pool))
        km = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(vectors[pool])
        frame["cluster"] = -1
        frame.loc[pool, "cluster"] = km.labels_
        if strategy == "diversity":
            dist = km.transform(vectors[pool])[np.arange(len(pool)), km.labels_]
            rank = np.lexsort((dist, km.labels_))  # nearest to its centre first, per cluster
        else:
            rank = np.lexsort((-frame["uncertainty"].to_numpy()[pool], km.labels_))
        firsts = pool[rank][np.r_[True, np.diff(km.labels_[rank]) != 0]]
        rest = pool[rank][~np.isin(pool[rank], firsts)]
        picked = _pick(np.r_[firsts, rest], vectors, n, max_similarity)
    return frame.iloc[picked].reset_index(drop=True)


def suggestion_summary(picked: pd.DataFrame, strategy: str) -> dict[str, Any]:
    return {"strategy": strategy, "documents": int(len(picked)),
            "mean_uncertainty": float(picked["uncertainty"].mean()) if len(picked) else None}
