"""scikit-learn transformers over ParsedDocs: text fields, cue counts, source metadata."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import DictVectorizer

from ..config import resolve_path
from ..features.registry import AFFILIATIONS, OutletRegistry


class DocField(BaseEstimator, TransformerMixin):
    """Select a text view of ParsedDocs: `lemmas` (lemmatised words) or `text` (lower case)."""

    def __init__(self, field: str = "lemmas"):
        self.field = field

    def fit(self, X, y=None):
        if self.field not in ("lemmas", "text"):
            raise ValueError(f"DocField.field must be 'lemmas' or 'text', got {self.field!r}")
        return self

    def transform(self, X):
        if self.field == "lemmas":
            return [doc.lemmas for doc in X]
        return [doc.text.lower() for doc in X]

    def get_feature_names_out(self, input_features=None):
        return np.asarray([self.field], dtype=object)


class CueVectorizer(BaseEstimator, TransformerMixin):
    """Cue hit counts per document as log(1 + count) features named `cue=<name>`.

    With `voice_cues`, the same cues are also read in the document's voice: when any voice
    cue fires (a refutation such as "no evidence", "conspiracy theory", a "recurring
    narrative"), every other cue is repeated as `refuting|<name>`, else as
    `asserting|<name>`. A linear model can then weigh "NATO is preparing an attack" in a
    claim differently from the same words named in its debunk.
    """

    def __init__(self, voice_cues: tuple[str, ...] = ()):
        self.voice_cues = voice_cues

    def fit(self, X, y=None):
        self.vectorizer_ = DictVectorizer(sparse=True).fit(self._dicts(X))
        return self

    def _dicts(self, X):
        out = []
        voice_cues = set(self.voice_cues)
        for doc in X:
            cues = doc.cues
            feats = {f"cue={k}": np.log1p(v) for k, v in cues.items()}
            if voice_cues:
                voice = "refuting" if voice_cues & set(cues) else "asserting"
                feats[f"voice={voice}"] = 1.0
                feats.update({f"{voice}|{k}": np.log1p(v) for k, v in cues.items()
                              if k not in voice_cues})
            out.append(feats)
        return out

    def transform(self, X):
        return self.vectorizer_.transform(self._dicts(X))

    def get_feature_names_out(self, input_features=None):
        return self.vectorizer_.get_feature_names_out()


class SourceFeatures(BaseEstimator, TransformerMixin):
    """One-hot affiliation of the outlets named in a document's `source` metadata.

    A missing source and a source not in the registry both give all zeros: the model must
    not learn "has no source" as evidence, since corpora differ in what metadata they carry.
    """

    def __init__(self, sources: str = "configs/sources.toml"):
        self.sources = sources

    def fit(self, X, y=None):
        self.names_ = [f"source={a}" for a in AFFILIATIONS]
        return self

    def transform(self, X):
        registry = OutletRegistry.load(resolve_path(self.sources))
        index = {name: i for i, name in enumerate(self.names_)}
        rows, cols = [], []
        for r, doc in enumerate(X):
            for h in sorted({f"source={m.outlet.affiliation}" for m in registry.match(doc.source)}):
                rows.append(r)
                cols.append(index[h])
        data = np.ones(len(rows))
        return sp.csr_matrix((data, (rows, cols)), shape=(len(X), len(self.names_)))

    def get_feature_names_out(self, input_features=None):
        return np.asarray(self.names_, dtype=object)
