"""Stage `narratives`: taxonomy tags, discovered narratives with stable ids, trends, spikes.

Reads `parsed` (the lemmas of the classify stage's spaCy pass), `cleaned` (texts) and
`predictions` (mechanisms, dates, sources). Writes:
- `narratives/part-*.parquet`: id, taxonomy tags, tag evidence (cues and sentences with
  character offsets; tags from the optional narrative classifier, `narratives.classifier`,
  carry its best sentences), discovered narrative id and its share of the topic weight;
- `clusters.parquet`: per discovered narrative: id, label, top terms, coherence, size,
  first/last date, share of each mechanism, top sources, representative documents, mapped
  taxonomy narratives, and the similarity to the stored narrative whose id it kept;
- `trends.parquet`: documents per narrative (taxonomy and discovered) and per mechanism by
  week and month; `trends_by_source.parquet`, `trends_by_lang.parquet`;
- `spikes.parquet`: weeks with a significant rise, with the documents that make them;
- `narrative_store.json`: the narratives' term vectors (also written to `narratives.store`
  when set, so the next run keeps the ids).
"""
from __future__ import annotations

import json
import math
import time
from typing import Any, Mapping

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from .. import progress
from ..config import resolve_path
from ..duckdb_paths import duckdb_path
from ..engines import LocalEngine, held, portable_config
from ..features.parse import ParsedDoc
from ..model.predict import MechanismPredictor
from ..store import Run, read_part, utc_now, write_parquet
from .discovery import discover
from .store import NarrativeStore
from .tagging import TaxonomyTagger, load_narratives
from .trends import weekly_spikes

__all__ = ["narratives"]

CLUSTER_COLUMNS = {"narrative_id": "string", "label": "string", "top_terms": "object",
                   "coherence_npmi": "float64", "size": "int64", "first_date": "string",
                   "last_date": "string", "top_sources": "string", "representatives": "string",
                   "taxonomy": "object", "matched_similarity": "float64"}


def _texts_and_tags(parsed: pd.DataFrame, cleaned: pd.DataFrame, tagger: TaxonomyTagger,
                    classifier=None):
    """The ids, lemma texts, tags and tag evidence (offsets and sentence text) of one part.
    With a narrative classifier, its positive narratives join the cue tags (evidence: the
    sentences that score highest for the narrative, `"by": "classifier"`)."""
    if not (parsed["id"].to_numpy() == cleaned["id"].to_numpy()).all():
        raise RuntimeError("parsed and cleaned tables are out of step; re-run classify.")
    ids, texts, tags, evidence = [], [], [], []
    found_all = []
    for row, text in zip(parsed.itertuples(index=False), cleaned["text"]):
        found = {nid: {"by": "cues", "cues": info["cues"], "sentences": [
            {"start": int(row.sents[i][0]), "end": int(row.sents[i][1]),
             "text": text[int(row.sents[i][0]):int(row.sents[i][1])]}
            for i in info["sentences"]]}
            for nid, info in tagger.tag(list(row.sent_lemmas)).items()}
        found_all.append(found)
        ids.append(row.id)
        texts.append(" ".join(row.sent_lemmas))
    if classifier is not None:
        docs = [ParsedDoc(text, None if pd.isna(source) else source,
                          sents=[(int(a), int(b)) for a, b in row.sents],
                          sent_lemmas=list(row.sent_lemmas),
                          sent_cues=json.loads(row.sent_cues))
                for row, text, source in zip(parsed.itertuples(index=False),
                                             cleaned["text"], cleaned["source"])]
        pred = classifier.predict_docs(docs, cleaned)
        for found, ev in zip(found_all, pred.evidence):
            for nid, items in ev.items():
                sentences = [{k: i.get(k) for k in ("start", "end", "text", "score")}
                             for i in items if i["kind"] in ("sentence", "passage")]
                if nid in found:
                    found[nid]["by"] = "cues+classifier"
                else:
                    found[nid] = {"by": "classifier", "cues": [], "sentences": sentences}
    for found in found_all:
        tags.append(sorted(found))
        evidence.append(json.dumps(dict(sorted(found.items())), ensure_ascii=False))
    return ids, texts, tags, evidence


NARRATIVES_SCHEMA = pa.schema([("id", pa.string()), ("taxonomy", pa.list_(pa.string())),
                               ("taxonomy_evidence", pa.string()),
                               ("narrative_id", pa.string()),
                               ("narrative_share", pa.float64())])


def tag_part(item: tuple[int, tuple[str, str]], run_path: str, config: Mapping[str, Any],
             found, cluster_ids: list[str], tagger: TaxonomyTagger | None = None,
             classifier=None) -> int:
    """The part task of `narratives`: tag the documents of one (parsed, cleaned) part pair
    with the taxonomy and the discovered narratives `found`, and write its `narratives`
    part. Without `tagger` (in a Dask worker), the tagger and the optional narrative
    classifier are made from `config` once per process. Returns the documents tagged."""
    index, (parsed_path, cleaned_path) = item
    cfg = config["narratives"]
    if tagger is None:
        key = json.dumps([cfg, config["features"], config["classify"]], sort_keys=True)
        tagger, classifier = held("narratives", key, lambda: _taggers(config))
    ids, texts, tags, evidence = _texts_and_tags(
        read_part(parsed_path), read_part(cleaned_path, ["id", "text", "source"]), tagger,
        classifier)
    W = found.weights(texts) if found else np.zeros((len(texts), 1))
    sums = W.sum(axis=1)
    top = W.argmax(axis=1)
    share = np.divide(W[np.arange(len(W)), top], sums, out=np.zeros(len(W)), where=sums > 0)
    keep = share >= cfg["min_share"]
    df = pd.DataFrame({
        "id": pd.Series(ids, dtype="string"),
        "taxonomy": pd.Series(tags, dtype=object),
        "taxonomy_evidence": pd.Series(evidence, dtype="string"),
        "narrative_id": pd.Series([cluster_ids[t] if k else None for t, k in zip(top, keep)],
                                  dtype="string"),
        "narrative_share": np.round(np.where(keep, share, 0.0), 4)})
    # an explicit schema: an empty part still has list<string> tags
    Run(run_path).write_part("narratives", index, pa.Table.from_pandas(
        df, schema=NARRATIVES_SCHEMA, preserve_index=False))
    return len(ids)


def _taggers(config: Mapping[str, Any]) -> tuple[TaxonomyTagger, Any]:
    """The taxonomy tagger and the optional narrative classifier a config names."""
    cfg = config["narratives"]
    return (TaxonomyTagger(load_narratives(resolve_path(cfg["taxonomy"]))),
            MechanismPredictor.from_config(config, cfg["classifier"])
            if cfg["classifier"] else None)


def narratives(run: Run, config: Mapping[str, Any], engine=None) -> dict[str, Any]:
    """Discover narratives over the whole run, then tag and assign every document part by
    part (`tag_part`, on `engine`: by default in this process)."""
    started = time.perf_counter()
    engine = engine or LocalEngine()
    cfg = config["narratives"]
    if not run.has_table("parsed"):
        raise FileNotFoundError(f"{run.path} has no parsed table; run `disinfo classify "
                                f"{run.path}` first (narratives reuse its spaCy pass).")
    local = engine.name == "local"
    tagger, classifier = _taggers(config) if local else (None, None)
    total = run.count_rows("parsed")
    stride = max(1, math.ceil(total / cfg["max_fit_docs"]))
    fit_texts: list[str] = []
    n = 0
    with progress.task("narratives: read", total) as advance:
        for parsed in run.iter_table("parsed", columns=["sent_lemmas"]):
            for lemmas in parsed["sent_lemmas"]:
                if n % stride == 0:
                    fit_texts.append(" ".join(lemmas))
                n += 1
            advance(len(parsed))
    store_path = resolve_path(cfg["store"]) if cfg["store"] else None
    store = NarrativeStore.load(store_path)
    note = None
    try:
        found = discover(fit_texts, cfg, store.stored_terms())
    except ValueError as exc:  # a corpus too small to factorise: tags and trends still run
        found, note = None, f"discovery skipped: {exc}"
    cluster_ids, similarity = store.assign(found.terms, found.labels, run.path.name,
                                           cfg["match_threshold"]) if found else ([], [])
    run.reset_table("narratives")
    parts = list(enumerate(zip(map(str, run.parts("parsed")), map(str, run.parts("cleaned")))))
    with progress.task("narratives: tag and assign", total) as advance:
        for tagged in engine.map(tag_part, parts, str(run.path.resolve()),
                                 config if local else portable_config(config), found,
                                 cluster_ids, *((tagger, classifier) if local else ())):
            advance(tagged)
    clusters = _clusters(run, config, found, cluster_ids, similarity) if found else \
        pd.DataFrame({c: pd.Series(dtype=t) for c, t in CLUSTER_COLUMNS.items()})
    write_parquet(run.path / "clusters.parquet", clusters)
    trends, by_source, by_lang = _trends(run, config)
    write_parquet(run.path / "trends.parquet", trends)
    write_parquet(run.path / "trends_by_source.parquet", by_source)
    write_parquet(run.path / "trends_by_lang.parquet", by_lang)
    spikes = weekly_spikes(trends[trends["period_type"] == "week"], cfg["spike_window"],
                           cfg["spike_alpha"], cfg["spike_min_count"])
    spikes["documents_ids"] = _spike_documents(run, config, spikes)
    write_parquet(run.path / "spikes.parquet", spikes)
    store.save(run.path / "narrative_store.json")
    if store_path is not None and found:
        store.save(store_path)
    result = {"started_at": utc_now(), "seconds": round(time.perf_counter() - started, 3),
              "counts": {"documents": n, "fit_documents": len(fit_texts),
                         "discovered": len(cluster_ids), "k": found.k if found else 0,
                         "warm_started": found.warm_started if found else 0,
                         "kept_ids": int(sum(s > 0 for s in similarity)),
                         "spikes": int(len(spikes))},
              "coherence": {"npmi_by_k": found.coherence,
                            "npmi_chosen": round(float(np.mean(found.topic_coherence)), 4)}
              if found else None,
              "store": str(store_path) if store_path else None, "note": note}
    run.record_stage("narratives", result)
    return result


def _connect(run: Run, config: Mapping[str, Any]) -> duckdb.DuckDBPyConnection:
    con = run.duckdb(config)
    for table in ("narratives", "predictions"):
        con.read_parquet([duckdb_path(p) for p in run.parts(table)],
                         union_by_name=True).create_view(table)
    return con


def _clusters(run: Run, config, found, cluster_ids, similarity) -> pd.DataFrame:
    cfg = config["narratives"]
    con = _connect(run, config)
    labels = run.manifest.get("model", {}).get("labels") or []
    shares = ", ".join(f"avg(p.{l})::double as share_{l}" for l in labels)
    stats = con.execute(f"""
        select n.narrative_id, count(*)::int as size, min(p.published_at) as first_date,
               max(p.published_at) as last_date {', ' + shares if shares else ''}
        from narratives n join predictions p using (id)
        where n.narrative_id is not null group by 1""").df().set_index("narrative_id")
    rows = []
    for i, nid in enumerate(cluster_ids):
        reps = con.execute("""select n.id, p.title, p.source, n.narrative_share from narratives n
                              join predictions p using (id) where n.narrative_id = ?
                              order by n.narrative_share desc, n.id limit ?""",
                           [nid, cfg["representatives"]]).df()
        sources = con.execute("""select coalesce(p.source, '(none)') as source, count(*) as n
                                 from narratives n join predictions p using (id)
                                 where n.narrative_id = ? group by 1 order by 2 desc, 1
                                 limit 5""", [nid]).df()
        tags = con.execute("""select t as tag, count(*) as n from
                              (select unnest(taxonomy) as t from narratives
                               where narrative_id = ?) group by 1""", [nid]).df()
        size = int(stats.loc[nid, "size"]) if nid in stats.index else 0
        mapped = sorted(t for t, c in zip(tags["tag"], tags["n"])
                        if size and c / size >= cfg["taxonomy_overlap"])
        row = {"narrative_id": nid, "label": found.labels[i],
               "top_terms": list(found.terms[i])[:cfg["top_terms"]],
               "coherence_npmi": round(found.topic_coherence[i], 4), "size": size,
               "first_date": stats.loc[nid, "first_date"] if size else None,
               "last_date": stats.loc[nid, "last_date"] if size else None,
               "top_sources": json.dumps(dict(zip(sources["source"], map(int, sources["n"])))),
               "representatives": json.dumps(  # a missing title as null, not NaN
                   reps.astype(object).where(reps.notna(), None).to_dict("records"),
                   default=str),
               "taxonomy": mapped, "matched_similarity": round(similarity[i], 4)}
        for label in labels:
            row[f"share_{label}"] = round(float(stats.loc[nid, f"share_{label}"]), 4) \
                if size else 0.0
        rows.append(row)
    return pd.DataFrame(rows)


def _trends(run: Run, config) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    con = _connect(run, config)
    labels = run.manifest.get("model", {}).get("labels") or []
    sep = config["ingest"]["multi_value_separator"].replace("'", "''")
    mech = " union all ".join(
        f"select id, 'mechanism' as kind, '{l}' as key from predictions where {l} = 1"
        for l in labels)
    con.execute(f"""create view items as
        select id, 'taxonomy' as kind, unnest(taxonomy) as key from narratives
        union all select id, 'discovered', narrative_id from narratives
                  where narrative_id is not null
        {('union all ' + mech) if mech else ''}""")
    trends = con.execute("""
        select kind, key, period_type, period, count(*)::int as documents from (
          select i.kind, i.key, 'week' as period_type,
                 strftime(date_trunc('week', p.published_at::timestamp), '%Y-%m-%d') as period
          from items i join predictions p using (id) where p.published_at is not null
          union all
          select i.kind, i.key, 'month', strftime(p.published_at::timestamp, '%Y-%m')
          from items i join predictions p using (id) where p.published_at is not null)
        group by all order by kind, key, period_type, period""").df()
    by_source = con.execute(f"""
        select kind, key, source, count(*)::int as documents from (
          select i.kind, i.key,
                 trim(unnest(string_split(coalesce(p.source, '(none)'), '{sep}'))) as source
          from items i join predictions p using (id))
        group by all order by kind, key, documents desc, source""").df()
    by_lang = con.execute("""
        select kind, key, coalesce(p.lang, '(unknown)') as lang, count(*)::int as documents
        from items i join predictions p using (id) group by all
        order by kind, key, documents desc, lang""").df()
    return trends, by_source, by_lang


def _spike_documents(run: Run, config, spikes: pd.DataFrame,
                     limit: int = 20) -> list[list[str]]:
    if spikes.empty:
        return []
    con = _connect(run, config)
    out = []
    for kind, key, week in spikes[["kind", "key", "week"]].itertuples(index=False):
        if kind == "taxonomy":
            cond = "list_contains(n.taxonomy, ?)"
        elif kind == "discovered":
            cond = "n.narrative_id = ?"
        else:
            cond = f"p.\"{key}\" = 1 and ? is not null"
        ids = con.execute(f"""select p.id from narratives n join predictions p using (id)
            where {cond} and p.published_at is not null
              and strftime(date_trunc('week', p.published_at::timestamp), '%Y-%m-%d') = ?
            order by p.id limit {limit}""", [key, week]).fetchall()
        out.append([i[0] for i in ids])
    return out
