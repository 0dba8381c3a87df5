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
from .config import resolve_path
from .engines import LocalEngine, held, portable_config
from .features.parse import char_batches
from .model.predict import MechanismPredictor
from .store import Run, read_part, utc_now

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


def classify_part(item: tuple[int, str], run_path: str, config: Mapping[str, Any],
                  predictor: MechanismPredictor | None = None,
                  members: Mapping[str, tuple[str, float]] | None = None
                  ) -> tuple[int, dict[str, int], dict[str, dict[str, int]]]:
    """The part task of `classify`: score cleaned part `item` = (index, path) and write its
    `predictions`, `evidence` and `parsed` parts under that index. Returns the records
    scored, positives per label and scored / not scored per language. Without `predictor`
    and `members` (in a Dask worker), the model `config` names and the run's coordination
    membership are loaded once per process."""
    index, path = item
    if predictor is None:
        predictor = held("predictor", _model_key(config),
                         lambda: MechanismPredictor.from_config(config))
    run = Run(run_path)
    if members is None:
        members = held("coordination", (run_path, _table_stamp(run, COORDINATION_TABLE)),
                       lambda: coordination_membership(run))
    chunk = read_part(path).reset_index(drop=True)
    out, evidence, docs, not_scored = score_chunk(chunk, predictor, members,
                                                  config["features"]["batch_chars"])
    run.write_part("predictions", index, out)
    run.write_part("evidence", index, evidence)
    run.write_part("parsed", index, parsed_frame(chunk["id"], docs))
    languages: dict[str, dict[str, int]] = {}
    for doc, reason in zip(docs, not_scored):
        counts = languages.setdefault(doc.lang or "unknown", {"scored": 0, "not_scored": 0})
        counts["scored" if reason is None else "not_scored"] += 1
    return len(out), {label: int(out[label].sum()) for label in predictor.labels}, languages


def _model_key(config: Mapping[str, Any]) -> str:
    """What the predictor a config makes depends on: its settings and the model file."""
    model = resolve_path(config["classify"]["model"]) / "model.skops"
    stamp = model.stat().st_mtime_ns if model.exists() else None
    return json.dumps([config["classify"], config["features"], str(model), stamp],
                      sort_keys=True, default=str)


def _table_stamp(run: Run, name: str) -> list[tuple[str, int, int]]:
    return [(p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in run.parts(name)]


def classify(run: Run, config: Mapping[str, Any],
             predictor: MechanismPredictor | None = None, engine=None) -> dict[str, Any]:
    """Score every cleaned record; return the stage's counts. Posts that a coordination stage
    placed in a cluster (table `coordination_posts`) get the coordination metadata path.
    `predictor` is used as it is; when not given, one is made from `config`. Each cleaned
    part is scored by a part task (`classify_part`) on `engine` (by default in this process;
    a Dask worker loads the model from `config` once)."""
    started = time.perf_counter()
    engine = engine or LocalEngine()
    if predictor is None:
        predictor = MechanismPredictor.from_config(config)
    members = coordination_membership(run)
    run.reset_table("predictions")
    run.reset_table("evidence")
    run.reset_table("parsed")
    parts = list(enumerate(str(p) for p in run.parts("cleaned")))
    total = run.count_rows("cleaned") if parts else 0
    positives = {label: 0 for label in predictor.labels}
    languages: dict[str, dict[str, int]] = {}
    n = 0
    local = engine.name == "local"
    with progress.task("classify", total) as advance:
        for scored, part_positives, part_languages in engine.map(
                classify_part, parts if total else [], str(run.path.resolve()),
                *((config, predictor, members) if local else (portable_config(config),))):
            for label, count in part_positives.items():
                positives[label] += count
            for lang, counts in part_languages.items():
                mine = languages.setdefault(lang, {"scored": 0, "not_scored": 0})
                for key, count in counts.items():
                    mine[key] += count
            n += scored
            advance(scored)
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
