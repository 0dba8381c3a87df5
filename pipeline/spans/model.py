"""Technique classification over given spans (SemEval-2020 Task 11, task TC).

The model is a scikit-learn Pipeline: `SpanParser` (spaCy) -> FeatureUnion (TF-IDF of the span's
words, characters and lemmas, of its sentence and neighbouring words, of its part-of-speech
sequence; standardised numbers: length, position, repetition in the article, lexicon hits)
-> LinearSVC, with C chosen by cross-validation grouped by article. A span annotated with k
techniques (k lines) gets the k best-ranked distinct techniques.
"""
from __future__ import annotations

import hashlib
import time
from collections import Counter
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from ..features.nlp import load_nlp, pipeline_id
from ..model.io import save_model
from ..model.train import package_versions
from ..store import utc_now
from .features import SpanField, SpanNumbers, SpanParser
from .ptc import SpanCorpus, read_ptc


def _tfidf(field: str, **kwargs: Any) -> tuple[str, Pipeline]:
    name = f"{field}_{kwargs.get('analyzer', 'word')}"
    return name, Pipeline([("field", SpanField(field)),
                           ("tfidf", TfidfVectorizer(sublinear_tf=True, **kwargs))])


def build_features() -> FeatureUnion:
    return FeatureUnion([
        _tfidf("text", ngram_range=(1, 2)),
        _tfidf("text", analyzer="char_wb", ngram_range=(2, 5), min_df=2),
        _tfidf("lemmas"),
        _tfidf("sentence", min_df=2),
        _tfidf("context", token_pattern=r"\S+", min_df=2),
        _tfidf("pos", token_pattern=r"\S+", ngram_range=(1, 3)),
        ("numbers", SpanNumbers()),
    ])


def span_frame(corpus: SpanCorpus) -> pd.DataFrame:
    frame = corpus.spans.reset_index(drop=True).copy()
    frame["article"] = frame["article_id"].map(corpus.articles)
    return frame


def assign(scores: np.ndarray, classes: np.ndarray, spans: pd.DataFrame) -> np.ndarray:
    """One technique per line; the lines of one span get distinct techniques in rank order."""
    order = np.argsort(-scores, axis=1)
    out = np.empty(len(spans), dtype=object)
    positions = spans.reset_index(drop=True).groupby(["article_id", "start", "end"]).indices
    for rows in positions.values():
        for k, i in enumerate(sorted(rows)):
            out[i] = classes[order[i, min(k, scores.shape[1] - 1)]]
    return out


def tc_scores(gold: pd.DataFrame, predicted: pd.DataFrame) -> dict[str, Any]:
    """The task's micro-F1: a predicted (article, start, end, technique) line is correct when a
    gold line matches it (each gold line matches once); per-technique F1 likewise."""
    key = ["article_id", "start", "end", "technique"]
    g = Counter(map(tuple, gold[key].astype(str).to_numpy()))
    p = Counter(map(tuple, predicted[key].astype(str).to_numpy()))
    correct = sum((g & p).values())
    precision = correct / max(sum(p.values()), 1)
    recall = correct / max(sum(g.values()), 1)
    per = {}
    for t in sorted(set(gold["technique"]) | set(predicted["technique"])):
        gt = sum(v for k, v in g.items() if k[3] == t)
        pt = sum(v for k, v in p.items() if k[3] == t)
        ct = sum(v for k, v in (g & p).items() if k[3] == t)
        pr, rc = ct / pt if pt else 0.0, ct / gt if gt else 0.0
        per[t] = {"precision": round(pr, 4), "recall": round(rc, 4),
                  "f1": round(2 * pr * rc / (pr + rc), 4) if pr + rc else 0.0, "support": gt}
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"micro_f1": round(f1, 4), "precision": round(precision, 4),
            "recall": round(recall, 4), "spans": int(len(gold)), "per_technique": per}


def corpus_hash(corpus: SpanCorpus) -> str:
    h = hashlib.sha256()
    for aid in sorted(corpus.articles):
        h.update(aid.encode())
        h.update(corpus.articles[aid].encode("utf-8"))
    h.update(corpus.spans[["article_id", "technique", "start", "end"]].to_csv(index=False)
             .encode())
    return "sha256:" + h.hexdigest()


def predict_spans(model: Pipeline, corpus: SpanCorpus) -> pd.DataFrame:
    """The corpus's spans with a `technique` predicted per line."""
    frame = span_frame(corpus)
    scores = model.decision_function(frame[["article_id", "start", "end", "article"]])
    out = frame[["article_id", "start", "end"]].copy()
    out["technique"] = assign(scores, model.classes_, frame)
    return out


def train_techniques(train: SpanCorpus, out: str | Path, config: Mapping[str, Any],
                     evaluation: SpanCorpus | None = None) -> dict[str, Any]:
    """Fit on `train` (C by grouped CV), save the model folder, score `evaluation` if given."""
    started = time.perf_counter()
    sc = config["spans"]
    parser = SpanParser(spacy_model=sc["spacy_model"], batch_size=sc["batch_size"],
                        n_process=sc["n_process"], context_words=sc["context_words"])
    frame = span_frame(train)
    described = parser.transform(frame)
    y = frame["technique"].to_numpy()
    groups = frame["article_id"].to_numpy()
    folds = GroupKFold(n_splits=sc["cv_folds"])
    cv = {}
    for c in sc["c_grid"]:
        correct = 0
        for a, b in folds.split(described, y, groups):
            feats = build_features()
            clf = LinearSVC(C=c, max_iter=5000, random_state=sc["seed"])
            clf.fit(feats.fit_transform([described[i] for i in a], y[a]), y[a])
            correct += int((clf.predict(feats.transform([described[i] for i in b])) == y[b]).sum())
        cv[float(c)] = round(correct / len(y), 4)
    best_c = max(cv, key=lambda c: (cv[c], -c))
    feats = build_features()
    clf = LinearSVC(C=best_c, max_iter=5000, random_state=sc["seed"])
    clf.fit(feats.fit_transform(described, y), y)
    model = Pipeline([("parse", parser), ("features", feats), ("clf", clf)])
    meta: dict[str, Any] = {
        "name": "techniques", "task": "techniques",
        "version": f"{utc_now()[:10]}-{corpus_hash(train)[7:15]}-s{sc['seed']}",
        "labels": sorted(map(str, clf.classes_)), "c": best_c, "cv_accuracy": cv,
        "spacy_pipeline": sc["spacy_model"],
        "spacy_pipeline_version": pipeline_id(load_nlp(sc["spacy_model"])),
        "packages": package_versions(), "seed": sc["seed"],
        "training_data": {"hash": corpus_hash(train), "articles": len(train.articles),
                          "spans": int(len(frame)), "problems": train.problems},
        "created_at": utc_now(),
    }
    meta["training_seconds"] = round(time.perf_counter() - started, 1)
    if evaluation is not None:
        meta["metrics"] = tc_scores(evaluation.spans, predict_spans(model, evaluation))
        meta["metrics"]["problems"] = evaluation.problems
    save_model(model, out, meta)
    return meta


def train_from_files(articles: str | Path, labels: str | Path, out: str | Path,
                     config: Mapping[str, Any], eval_articles: str | Path | None = None,
                     eval_labels: str | Path | None = None) -> dict[str, Any]:
    train = read_ptc(articles, labels)
    evaluation = read_ptc(eval_articles, eval_labels) if eval_articles and eval_labels else None
    return train_techniques(train, out, config, evaluation)
