"""Applying a mechanism model: scores, decisions, evidence and accusation direction.

The text path is the fitted Pipeline. A document longer than `passage_sentences` sentences is
also scored passage by passage (windows of that many sentences, half overlapping) and each
label's text score is the highest of the document's and its passages': a long article that
makes the claim in one paragraph is not averaged away by the rest. Two metadata paths
combine with the text path by noisy-OR, p = 1 - (1 - p_text)(1 - p_meta): for `state_media`
the outlet registry matched on `source` (p_meta = classify.state_source_confidence); for
`coordinated_campaign` membership of a coordination cluster, when a coordination stage has
written `coordination_posts` (id, cluster_id, score; p_meta = the cluster's score in [0, 1]).
Evidence for a positive text decision is the sentences that score highest for the label
when scored on their own by the same linear model (with character offsets).

The outlet registry and the language files are the model folder's own copies (saved and
hashed at training time), unless the configuration names other ones than the defaults
(`features.sources`, `features.languages`); `meta["inputs"]` says which were used.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..config import load_config, resolve_path
from ..features.langid import is_sure
from ..features.parse import ParsedDoc, direction_of
from ..features.registry import OutletRegistry
from .data import data_hash
from .io import LANGUAGES_DIR, SOURCES_FILE, ModelError, load_model

STATE_LABEL = "state_media"
COORDINATION_LABEL = "coordinated_campaign"
ACCUSATION_LABEL = "mutual_accusation"


@dataclass
class Predictions:
    labels: list[str]
    scores: np.ndarray       # (n, L) final probabilities
    decisions: np.ndarray    # (n, L) 0/1
    evidence: list[dict[str, Any]]  # per document: {label: [evidence items]}
    directions: list[str | None]
    docs: list[ParsedDoc]
    not_scored: list[str | None]  # per document: why it was not scored, or None


class MechanismPredictor:
    """A loaded model plus the metadata paths; `predict` works on a DataFrame of records."""

    def __init__(self, model, meta: Mapping[str, Any], *, sources: str,
                 state_confidence: float, state_affiliations: tuple[str, ...],
                 evidence_sentences: int = 2, spacy_model: str | None = None,
                 batch_size: int = 64, n_process: int = 1, passage_sentences: int = 0,
                 languages: str | None = None, scored_languages: tuple[str, ...] = (),
                 batch_chars: int | None = None):
        self.model = model
        self.meta = dict(meta)
        self.parser = model.named_steps["parse"]
        if not hasattr(self.parser, "languages"):  # saved before the parameter existed
            self.parser.languages = ""
        if spacy_model and spacy_model != "model":
            self.parser.set_params(spacy_model=spacy_model)
        self.parser.set_params(sources=sources, batch_size=batch_size, n_process=n_process)
        if batch_chars is not None:
            self.parser.set_params(batch_chars=batch_chars)
        if languages is not None:
            self.parser.set_params(languages=languages)
        self.scored_languages = tuple(scored_languages) or tuple(self.meta.get("languages") or ())
        self.features = model.named_steps["features"]
        self.features.set_params(source__sources=sources)
        self.head = model.named_steps["head"]
        self.labels = list(self.head.labels_)
        self.registry = OutletRegistry.load(resolve_path(sources))
        self.state_confidence = state_confidence
        self.state_affiliations = tuple(state_affiliations)
        self.k = evidence_sentences
        self.passage_sentences = passage_sentences

    @classmethod
    def from_config(cls, config: Mapping[str, Any], model_dir: str | None = None):
        folder = resolve_path(model_dir or config["classify"]["model"])
        model, meta = load_model(folder)
        meta["path"] = str(folder)
        sources, sources_from = _model_input(config, "sources", folder / SOURCES_FILE)
        if not (sources and Path(sources).is_file()):
            fix = ("retrain the model" if sources_from == "model"
                   else "set features.sources to an existing registry file")
            raise ModelError(f"outlet registry {sources!r} does not exist; {fix}.")
        languages, languages_from = _model_input(config, "languages", folder / LANGUAGES_DIR)
        meta["inputs"] = {
            "sources": {"path": sources, "sha256": data_hash(sources), "from": sources_from},
            "languages": {"path": languages, "from": languages_from}}
        cc = config["classify"]
        return cls(model, meta, sources=sources,
                   state_confidence=cc["state_source_confidence"],
                   state_affiliations=tuple(cc["state_affiliations"]),
                   evidence_sentences=cc["evidence_sentences"],
                   spacy_model=config["features"]["spacy_model"],
                   batch_size=config["features"]["batch_size"],
                   batch_chars=config["features"]["batch_chars"],
                   n_process=config["features"]["n_process"],
                   passage_sentences=cc["passage_sentences"],
                   languages=languages,
                   scored_languages=tuple(cc["languages"]))

    def feature_names(self) -> np.ndarray:
        return self.features.get_feature_names_out()

    def predict(self, records: pd.DataFrame,
                coordination: Mapping[str, tuple[str, float]] | None = None) -> Predictions:
        """Score records (columns `text`, optional `source`, `lang`, `lang_detected`,
        `lang_confidence` and `id`, as the clean stage writes them). `coordination` maps a
        record id to (cluster id, cluster score) for posts in a coordination cluster. Records
        in a language the model does not score are parsed (later stages read their
        sentences) but get no scores and a `not_scored` reason. A language the clean stage
        identified with low confidence counts as unknown; one the input gave is trusted."""
        frame = records[[c for c in ("text", "source", "lang") if c in records]].copy()
        if {"lang", "lang_detected", "lang_confidence"} <= set(records):
            # the clean stage's probability where the language is its identification
            # (lang == lang_detected); a language the input gave is trusted (no probability)
            own = (records["lang"] == records["lang_detected"]).fillna(False).to_numpy(bool)
            frame["lang_confidence"] = records["lang_confidence"].where(own, None)
        docs = self.parser.transform(frame)
        return self.predict_docs(docs, records, coordination)

    def reason_not_scored(self, doc: ParsedDoc) -> str | None:
        """Why a document is not scored (None: it is scored): its language is not one the
        model scores, and the input gave it or it was identified with at least
        SURE_CONFIDENCE. A document of unknown or unsure language is scored; with no scored
        languages known, all are."""
        lang = doc.lang
        if (lang is None or not self.scored_languages or lang in self.scored_languages
                or not is_sure(doc.lang_confidence)):
            return None
        return (f"unsupported_language: '{lang}' is not scored by this model (scored: "
                f"{', '.join(self.scored_languages)}; classify.languages)")

    def predict_docs(self, docs: list[ParsedDoc], records: pd.DataFrame,
                     coordination: Mapping[str, tuple[str, float]] | None = None
                     ) -> Predictions:
        """Score documents that are already parsed (e.g. rebuilt from a run's `parsed`
        table); `records` supplies the ids for the coordination path."""
        X = self.features.transform(docs)
        doc_p = self.head.predict_proba(X)
        passage_p, passages = self._passage_scores(docs)
        text_p = np.maximum(doc_p, passage_p)
        scores = text_p.copy()
        thresholds = np.asarray(self.head.thresholds_)
        meta_hits: list[dict[str, list[dict[str, Any]]]] = [{} for _ in docs]

        def combine(i: int, label: str, p_meta: float, items: list[dict[str, Any]]) -> None:
            j = self.labels.index(label)
            scores[i, j] = 1 - (1 - text_p[i, j]) * (1 - p_meta)
            meta_hits[i][label] = items

        if STATE_LABEL in self.labels:
            for i, doc in enumerate(docs):
                hits = self.registry.by_affiliation(doc.source, self.state_affiliations)
                if hits:
                    combine(i, STATE_LABEL, self.state_confidence, [
                        {"kind": "metadata", "field": "source", "value": doc.source,
                         "outlet": h.outlet.name, "matched": h.matched,
                         "country": h.outlet.country, "affiliation": h.outlet.affiliation}
                        for h in hits])
        if coordination and COORDINATION_LABEL in self.labels and "id" in records:
            for i, doc_id in enumerate(records["id"]):
                if doc_id in coordination:
                    cluster, score = coordination[doc_id]
                    combine(i, COORDINATION_LABEL, float(score), [
                        {"kind": "metadata", "field": "coordination_cluster", "value": cluster,
                         "score": round(float(score), 4)}])
        not_scored = [self.reason_not_scored(doc) for doc in docs]
        skipped = np.asarray([r is not None for r in not_scored], dtype=bool)
        scores[skipped] = np.nan
        decisions = (np.nan_to_num(scores, nan=-1.0) >= thresholds).astype(int)
        directions = self._directions(X, docs, decisions)
        by_passage = {key: span for key, span in passages.items()
                      if passage_p[key] > doc_p[key]}  # the passage made the text score
        evidence = self._evidence(docs, decisions, text_p, thresholds, meta_hits, directions,
                                  by_passage)
        return Predictions(self.labels, scores, decisions, evidence, directions, docs,
                           not_scored)

    def _passage_scores(self, docs: list[ParsedDoc]
                        ) -> tuple[np.ndarray, dict[tuple[int, int], tuple[int, int]]]:
        """Per document and label the highest probability of any of its passages (0 for
        documents not longer than `passage_sentences`), and the character span of that
        passage, keyed by (document, label)."""
        best = np.zeros((len(docs), len(self.labels)))
        where: dict[tuple[int, int], tuple[int, int]] = {}
        n = self.passage_sentences
        passages, owners = [], []
        for i, doc in enumerate(docs):
            if n and len(doc.sents) > n:
                for first in range(0, len(doc.sents) - n // 2, max(1, n // 2)):
                    last = min(first + n, len(doc.sents))
                    passages.append(doc.passage(first, last))
                    owners.append((i, doc.sents[first][0], doc.sents[last - 1][1]))
        if passages:
            proba = self.head.predict_proba(self.features.transform(passages))
            for row, (i, start, end) in enumerate(owners):
                for j in np.flatnonzero(proba[row] > best[i]):
                    best[i, j] = proba[row, j]
                    where[(i, int(j))] = (start, end)
        return best, where

    def _directions(self, X, docs, decisions) -> list[str | None]:
        """Accusation direction of the documents that are mutual_accusation."""
        out: list[str | None] = [None] * len(docs)
        if ACCUSATION_LABEL not in self.labels:
            return out
        positive = np.flatnonzero(decisions[:, self.labels.index(ACCUSATION_LABEL)])
        if len(positive):
            values = self._direction_values(X[positive], [docs[i] for i in positive])
            for i, value in zip(positive, values):
                out[i] = value
        return out

    def _direction_values(self, X, docs) -> list[str]:
        """The head's learnt direction when the model has one, else the parse's
        accuser/accused reading (`other` when it reads none)."""
        learnt = self.head.predict_direction(X)
        if learnt is not None:
            return learnt
        return [direction_of(doc) or "other" for doc in docs]

    def directions(self, docs: list[ParsedDoc], rows: list[int]) -> dict[int, str]:
        """The accusation direction of documents `rows` (indices into `docs`), whatever
        their decision: for evaluating direction on every gold positive."""
        if not rows:
            return {}
        chosen = [docs[i] for i in rows]
        values = self._direction_values(self.features.transform(chosen), chosen)
        return dict(zip(rows, values))

    def _evidence(self, docs, decisions, text_p, thresholds, meta_hits, directions,
                  by_passage: Mapping[tuple[int, int], tuple[int, int]]
                  ) -> list[dict[str, Any]]:
        """Per positive label: the metadata that fired, and the sentences that point to the
        label on their own (scored alone, their probability reaches the label's threshold),
        best first. When none does and no metadata fired, the passage whose score made the
        decision, or for a decision on the whole document its best sentence (the decision
        needs a reason shown). `score` is a sentence's linear score, `probability` its
        calibrated probability."""
        wanted: list[tuple[int, int]] = []  # (doc, sentence) pairs to score
        for i, doc in enumerate(docs):
            if decisions[i].any():
                wanted.extend((i, s) for s in range(len(doc.sents)))
        sentence_scores: dict[tuple[int, int], np.ndarray] = {}
        sentence_p: dict[tuple[int, int], np.ndarray] = {}
        if wanted:
            sub = self.features.transform([docs[i].sentence(s) for i, s in wanted])
            scores, proba = self.head.decision_function(sub), self.head.predict_proba(sub)
            sentence_scores = {key: scores[n] for n, key in enumerate(wanted)}
            sentence_p = {key: proba[n] for n, key in enumerate(wanted)}
        out = []
        for i, doc in enumerate(docs):
            ev: dict[str, Any] = {}
            for j, label in enumerate(self.labels):
                if not decisions[i, j]:
                    continue
                items: list[dict[str, Any]] = []
                items.extend(meta_hits[i].get(label, []))
                text_positive = text_p[i, j] >= thresholds[j]
                if text_positive or not items:
                    ranked = sorted(range(len(doc.sents)),
                                    key=lambda s: -sentence_scores[(i, s)][j])[:self.k]
                    pointing = [s for s in ranked
                                if sentence_p[(i, s)][j] >= thresholds[j]]
                    if not pointing and not items and (i, j) in by_passage:
                        start, end = by_passage[(i, j)]
                        items.append({"kind": "passage", "text": doc.text[start:end],
                                      "start": start, "end": end,
                                      "probability": round(float(text_p[i, j]), 4)})
                    for s in pointing or ([] if items else ranked[:1]):
                        start, end = doc.sents[s]
                        items.append({"kind": "sentence", "text": doc.text[start:end],
                                      "start": start, "end": end,
                                      "score": round(float(sentence_scores[(i, s)][j]), 4),
                                      "probability": round(float(sentence_p[(i, s)][j]), 4),
                                      "cues": sorted(doc.sent_cues[s])})
                if label == ACCUSATION_LABEL:
                    items.append({"kind": "direction", "direction": directions[i]})
                    for acc in doc.accusations:
                        items.append({"kind": "accusation", **acc})
                ev[label] = items
            out.append(ev)
        return out

    def strongest_features(self, doc: ParsedDoc, label: str, k: int = 10) -> list[dict]:
        """The features that contribute most to a label's linear score for one document; the
        dimensions of the sentence embedding count as one feature, `sentence embedding`."""
        j = self.labels.index(label)
        x = sp.csr_matrix(self.features.transform([doc]))
        coef = self.head.coef(j)
        names = self.feature_names()
        contrib: dict[str, float] = {}
        for c, v in zip(x.indices, x.data):
            name = "sentence embedding" if names[c].startswith("embeddings__") else names[c]
            contrib[name] = contrib.get(name, 0.0) + float(v * coef[c])
        ranked = sorted(contrib.items(), key=lambda t: -abs(t[1]))
        return [{"feature": n, "description": describe_feature(n), "contribution": round(v, 4)}
                for n, v in ranked[:k]]


def describe_feature(name: str) -> str:
    """A feature name as a reader would say it: `cues__asserting|acc_lies` -> `cue acc_lies,
    in the text's own voice`; `words__they have` -> `words "they have"`."""
    block, _, value = name.partition("__")
    if block == "cues":
        if value.startswith("cue="):
            return f"cue {value[4:]}"
        if value.startswith("voice="):
            return f"the text's voice: {value[6:]}"
        voice, _, cue = value.partition("|")
        return f"cue {cue}, in the {voice} voice" if cue else f"cue {value}"
    if block == "words":
        return f'word{"s" if " " in value else ""} "{value}"'
    if block == "chars":
        return f'characters "{value}"'
    if block == "source":
        return f"source metadata: {value}"
    return name


def _model_input(config: Mapping[str, Any], key: str, own: Path) -> tuple[str, str]:
    """The file or folder `features.<key>` that prediction reads, and where it comes from:
    the model folder's copy `own` ("model") unless the configuration names another one than
    the default ("config"; "" names none, as `features.languages = ""` does)."""
    value = config["features"][key]
    default = load_config()["features"][key]
    if not value:
        return "", "config"
    if resolve_path(value).resolve() != resolve_path(default).resolve():
        return str(resolve_path(value)), "config"
    return str(own), "model"
