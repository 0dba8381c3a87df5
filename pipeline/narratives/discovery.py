"""Narrative discovery: TF-IDF over lemmas + NMF, the number of topics chosen by NPMI
coherence; warm-started from a narrative store so that known narratives keep their shape."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer

from .coherence import npmi_coherence

TOKEN_PATTERN = r"(?u)\b[a-z][a-z\-]{2,}\b"
EXTRA_STOP = {"say", "said", "claim", "according", "also", "would", "could", "year", "new",
              "url", "mention", "num", "one", "two", "make", "take", "tell", "want", "use"}


@dataclass
class Discovery:
    vectorizer: TfidfVectorizer
    model: NMF
    k: int
    coherence: dict[int, float]          # mean NPMI per candidate k
    topic_coherence: list[float]         # NPMI of each chosen topic
    terms: list[dict[str, float]]        # top term weights per topic (unit length)
    labels: list[str]
    warm_started: int                    # topics initialised from the store

    def weights(self, texts: list[str]) -> np.ndarray:
        return self.model.transform(self.vectorizer.transform(texts))


def _vectorizer(cfg: Mapping[str, Any], n_docs: int) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    return TfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, 2),
                           stop_words=sorted(ENGLISH_STOP_WORDS | EXTRA_STOP),
                           min_df=min(cfg["min_df"], max(1, n_docs // 10)),
                           max_df=cfg["max_df"], max_features=cfg["max_features"],
                           sublinear_tf=True)


def _top(H_row: np.ndarray, vocab: np.ndarray, n: int) -> dict[str, float]:
    idx = np.argsort(H_row)[::-1][:n]
    vec = {str(vocab[i]): float(H_row[i]) for i in idx if H_row[i] > 0}
    norm = np.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: round(v / norm, 6) for t, v in vec.items()}


def discover(texts: list[str], cfg: Mapping[str, Any],
             stored: list[tuple[str, dict[str, float]]] = ()) -> Discovery:
    """Fit topics on `texts` (lemma strings). `stored` topics (id, term weights) seed the
    factorisation so that narratives seen before are found again where the data has them."""
    seed = cfg["seed"]
    vectorizer = _vectorizer(cfg, len(texts))
    X = vectorizer.fit_transform(texts)
    vocab = vectorizer.get_feature_names_out()
    binary = sp.csc_matrix((X > 0).astype(np.float32))
    n_top = cfg["top_terms"]
    candidates = sorted({k for k in cfg["k_candidates"] if 2 <= k < min(X.shape)})
    if not candidates:
        raise ValueError(f"too few documents ({X.shape[0]}) or terms ({X.shape[1]}) to "
                         f"discover narratives with k in {cfg['k_candidates']}.")
    index = {t: i for i, t in enumerate(vocab)}
    seeds = []
    for _, terms in stored:
        row = np.zeros(len(vocab))
        for t, w in terms.items():
            if t in index:
                row[index[t]] = w
        if row.any():
            seeds.append(row)
    coherence: dict[int, float] = {}
    fitted: dict[int, tuple[NMF, np.ndarray, int]] = {}
    for k in candidates:
        model, warm = _fit(X, k, seeds, seed)
        H = model.components_
        tops = [list(np.argsort(h)[::-1][:n_top]) for h in H]
        coherence[k] = float(np.mean(npmi_coherence(binary, tops)))
        fitted[k] = (model, H, warm)
    best = max(candidates, key=lambda k: (round(coherence[k], 3), -k))
    model, H, warm = fitted[best]
    tops = [list(np.argsort(h)[::-1][:n_top]) for h in H]
    terms = [_top(h, vocab, cfg["stored_terms"]) for h in H]
    labels = [" / ".join(str(vocab[i]) for i in t[:3]) for t in tops]
    return Discovery(vectorizer, model, best, coherence, npmi_coherence(binary, tops), terms,
                     labels, warm)


def _fit(X, k: int, seeds: list[np.ndarray], seed: int) -> tuple[NMF, int]:
    """NMF with k topics (at least one per stored topic); stored topics' term vectors
    initialise their rows of H, nndsvda the others."""
    if not seeds:
        model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
        model.fit(X)
        return model, 0
    n = max(k, len(seeds))
    with warnings.catch_warnings():  # one iteration: only nndsvda's starting rows are wanted
        warnings.simplefilter("ignore", ConvergenceWarning)
        base = NMF(n_components=n, init="nndsvda", random_state=seed, max_iter=1).fit(X)
    size = float(np.mean(np.linalg.norm(base.components_, axis=1))) or 1.0
    rows = [s / (np.linalg.norm(s) or 1.0) * size for s in seeds]
    H0 = np.vstack(rows + list(base.components_[len(rows):n]))
    H0 = np.maximum(H0, 1e-9)
    # per-topic least squares, ignoring overlap between topics: w_t = X h_t / |h_t|^2
    W0 = np.maximum(np.asarray(X @ H0.T) / (H0 * H0).sum(axis=1), 1e-9)
    model = NMF(n_components=n, init="custom", random_state=seed, max_iter=500)
    model.fit_transform(X, W=W0, H=H0)
    return model, len(rows)
