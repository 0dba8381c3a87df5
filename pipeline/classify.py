"""Stage `classify`: apply the mechanism model to every cleaned record.

Writes `predictions/part-*.parquet`: the record's metadata, per mechanism `<label>_score`
(probability) and `<label>` (0/1 from the model's thresholds; both empty for a record in a
language the model does not score, whose `not_scored` column says why),
`mutual_accusation_direction` and `evidence` (JSON); `evidence/part-*.parquet`, one row per
evidence item; and `parsed/part-*.parquet`, the sentences (character offsets) and lemmas of
the spaCy pass, so later stages (narratives) reuse it instead of parsing again.
"""
from __future__ import annotations

import json
import time
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import progress
from .features.parse import char_batches
from .model.predict import MechanismPredictor
from .store import Run, utc_now

META_COLUMNS = ["id", "title", "source", "author", "published_at", "lang", "url",
                "is_duplicate", "dup_of", "near_dup_of"]


def predictions_frame(chunk: pd.DataFrame, pred) -> tuple[pd.DataFrame, pd.DataFrame]:
    out = chunk[[c for c in META_COLUMNS if c in chunk]].reset_index(drop=True).copy()
    skipped = np.asarray([r is not None for r in pred.not_scored], dtype=bool)
    for j, label in enumerate(pred.labels):
        out[f"{label}_score"] = pred.scores[:, j].round(6)
        out[label] = pd.array(pred.decisions[:, j], dtype="Int8")
        out.loc[skipped, label] = pd.NA
    out["not_scored"] = pd.Series(pred.not_scored, dtype="string")
    out["mutual_accusation_direction"] = pd.Series(pred.directions, dtype="string")
    out["evidence"] = [json.dumps(ev, ensure_ascii=False) for ev in pred.evidence]
    rows = []
    for doc_id, ev in zip(out["id"], pred.evidence):
        for label, items in ev.items():
            for item in items:
                rows.append({"id": doc_id, "label": label, "kind": item["kind"],
                             "text": item.get("text") or item.get("value") or item.get("trigger"),
                             "start": item.get("start"), "end": item.get("end"),
                             "score": item.get("score"),
                             "detail": json.dumps(item, ensure_ascii=False)})
    evidence = pd.DataFrame(rows, columns=list(EVIDENCE_TYPES)).astype(EVIDENCE_TYPES)
    return out, evidence


EVIDENCE_TYPES = {"id": "string", "label": "string", "kind": "string", "text": "string",
                  "start": "Int64", "end": "Int64", "score": "float64", "detail": "string"}


def empty_tables(labels: list[str]) -> dict[str, pd.DataFrame]:
    """The classify tables with no rows, for a run whose records were all quarantined, so
    that the later stages and the report still run (and say so)."""
    pred = {c: pd.Series(dtype="bool" if c == "is_duplicate" else "string")
            for c in META_COLUMNS}
    for label in labels:
        pred[f"{label}_score"] = pd.Series(dtype="float64")
        pred[label] = pd.Series(dtype="Int8")
    pred["mutual_accusation_direction"] = pd.Series(dtype="string")
    pred["evidence"] = pd.Series(dtype="string")
    pred["not_scored"] = pd.Series(dtype="string")
    parsed = {"id": pd.Series(dtype="string"), "sents": pd.Series(dtype=object),
              "sent_lemmas": pd.Series(dtype=object), "sent_cues": pd.Series(dtype="string")}
    return {"predictions": pd.DataFrame(pred),
            "evidence": pd.DataFrame(columns=list(EVIDENCE_TYPES)).astype(EVIDENCE_TYPES),
            "parsed": pd.DataFrame(parsed)}


COORDINATION_TABLE = "coordination_posts"


def coordination_membership(run: Run) -> dict[str, tuple[str, float]]:
    """{record id: (cluster id, cluster score)} from a coordination stage's output, if any."""
    if not run.has_table(COORDINATION_TABLE):
        return {}
    members: dict[str, tuple[str, float]] = {}
    for part in run.iter_table(COORDINATION_TABLE, columns=["id", "cluster_id", "score"]):
        for doc_id, cluster, score in part.itertuples(index=False):
            if doc_id not in members or score > members[doc_id][1]:
                members[doc_id] = (str(cluster), float(score))
    return members


def parsed_frame(ids: pd.Series, docs) -> pd.DataFrame:
    return pd.DataFrame({"id": ids.astype("string").to_numpy(),
                         "sents": [[list(se) for se in d.sents] for d in docs],
                         "sent_lemmas": [list(d.sent_lemmas) for d in docs],
                         "sent_cues": [json.dumps(d.sent_cues) for d in docs]})


def score_chunk(chunk: pd.DataFrame, predictor: MechanismPredictor,
                members: Mapping[str, tuple[str, float]], max_chars: int
                ) -> tuple[pd.DataFrame, pd.DataFrame, list, list[str | None]]:
    """Predictions and evidence frames, parsed documents and `not_scored` reasons of a chunk,
    scored in slices of at most `max_chars` characters (a longer record alone): the sentence
    features of passages and evidence grow with the characters scored at once."""
    outs, evidence, docs, not_scored = [], [], [], []
    lengths = chunk["text"].fillna("").str.len().tolist()
    for rows in char_batches(lengths, max(1, len(chunk)), max_chars):
        part = chunk.iloc[rows.start:rows.stop].reset_index(drop=True)
        pred = predictor.predict(part, members)
        out, ev = predictions_frame(part, pred)
        outs.append(out)
        evidence.append(ev)
        docs.extend(pred.docs)
        not_scored.extend(pred.not_scored)
    return (pd.concat(outs, ignore_index=True), pd.concat(evidence, ignore_index=True), docs,
            not_scored)


def classify(run: Run, config: Mapping[str, Any],
             predictor: MechanismPredictor | None = None) -> dict[str, Any]:
    """Score every cleaned record; return the stage's counts. Posts that a coordination stage
    placed in a cluster (table `coordination_posts`) get the coordination metadata path.
    `predictor` is used as it is; when not given, one is made from `config`."""
    started = time.perf_counter()
    if predictor is None:
        predictor = MechanismPredictor.from_config(config)
    members = coordination_membership(run)
    run.reset_table("predictions")
    run.reset_table("evidence")
    run.reset_table("parsed")
    total = run.count_rows("cleaned") if run.has_table("cleaned") else 0
    positives = {label: 0 for label in predictor.labels}
    languages: dict[str, dict[str, int]] = {}
    n = 0
    with progress.task("classify", total) as advance:
        for index, chunk in enumerate(run.iter_table("cleaned") if total else []):
            out, evidence, docs, not_scored = score_chunk(
                chunk.reset_index(drop=True), predictor, members,
                config["features"]["batch_chars"])
            run.write_part("predictions", index, out)
            run.write_part("evidence", index, evidence)
            run.write_part("parsed", index, parsed_frame(chunk["id"], docs))
            for label in predictor.labels:
                positives[label] += int(out[label].sum())
            for doc, reason in zip(docs, not_scored):
                counts = languages.setdefault(doc.lang or "unknown",
                                              {"scored": 0, "not_scored": 0})
                counts["scored" if reason is None else "not_scored"] += 1
            n += len(out)
            advance(len(chunk))
    if n == 0:
        for name, frame in empty_tables(predictor.labels).items():
            run.write_part(name, 0, frame)
    model = {k: predictor.meta.get(k) for k in ("name", "version", "path", "labels",
                                                "thresholds", "spacy_pipeline",
                                                "spacy_pipeline_version", "inputs")}
    model["training_data_hash"] = predictor.meta.get("training_data", {}).get("hash")
    model["test_macro_f1"] = predictor.meta.get("metrics", {}).get("macro_f1")
    run.update_manifest(model=model)
    result = {"started_at": utc_now(), "seconds": round(time.perf_counter() - started, 3),
              "counts": {"classified": n, "positives": positives,
                         "not_scored": sum(c["not_scored"] for c in languages.values()),
                         "languages": dict(sorted(languages.items())),
                         "coordination_members": len(members)},
              "scored_languages": list(predictor.scored_languages)}
    run.record_stage("classify", result)
    return result
