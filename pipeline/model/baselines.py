"""Baselines that every evaluation reports beside the model, so a figure shows what the
spaCy features, cues and registry add:

- `keyword`: one regular expression per mechanism over the text and the `source` string,
  the kind of rule an analyst would write in ten lines;
- `tfidf`: a plain TF-IDF (word 1-2-grams) + logistic regression per mechanism, trained on
  the same rows as the model, text only (no parse, no cues, no registry, no source).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

KEYWORDS = {
    "state_media": r"\b(?:RT|Russia Today|Sputnik|TASS|RIA|Rossiya|Zvezda|Channel One|Pervyi|"
                   r"NTV|state(?:-run|-controlled)? (?:TV|media|television|broadcaster))\b",
    "coordinated_campaign": r"\b(?:bots?|trolls?|troll factory|fake accounts|botnet|"
                            r"coordinated|copy-paste)\b",
    "sowing_doubt": r"\bNATO\b.*\b(?:aggress\w*|threat\w*|attack\w*|provocat\w*|encircl\w*|"
                    r"war|invad\w*|occup\w*)\b",
    "mutual_accusation": r"\b(?:propaganda|disinformation|li(?:e|es|ar|ars|ing)|fakes?|"
                         r"russophob\w*|information war|anti-russian)\b",
}


def keyword_predict(frame: pd.DataFrame, labels: list[str]) -> np.ndarray:
    """0/1 decisions of the keyword baseline (labels without a rule are all 0)."""
    source = frame["source"].fillna("").astype(str) if "source" in frame else ""
    text = frame["text"].fillna("").astype(str) + " " + source
    out = np.zeros((len(frame), len(labels)), dtype=int)
    for j, label in enumerate(labels):
        if label in KEYWORDS:
            rx = re.compile(KEYWORDS[label], re.IGNORECASE if label != "state_media" else 0)
            out[:, j] = [int(bool(rx.search(t))) for t in text]
    return out


class TfidfBaseline(BaseEstimator, ClassifierMixin):
    """Per label: TF-IDF word 1-2-grams + a class-balanced logistic regression (threshold
    0.5). Fitted state: `labels_`, `vectorizer_`, `estimators_` (None for a label with one
    class only in training, which then predicts that class)."""

    def __init__(self, labels: tuple[str, ...] = (), seed: int = 13):
        self.labels = labels
        self.seed = seed

    def fit(self, texts, Y):
        Y = np.asarray(Y)
        self.labels_ = list(self.labels)
        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        X = self.vectorizer_.fit_transform(list(texts))
        self.estimators_ = []
        for j in range(Y.shape[1]):
            y = Y[:, j]
            if len(set(y)) < 2:
                self.estimators_.append(int(y[0]) if len(y) else 0)
                continue
            self.estimators_.append(LogisticRegression(
                class_weight="balanced", max_iter=5000, random_state=self.seed).fit(X, y))
        return self

    def predict(self, texts) -> np.ndarray:
        X = self.vectorizer_.transform(list(texts))
        cols = [np.full(X.shape[0], est) if isinstance(est, int) else est.predict(X)
                for est in self.estimators_]
        return np.column_stack(cols).astype(int)


__all__ = ["KEYWORDS", "keyword_predict", "TfidfBaseline"]
