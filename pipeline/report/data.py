"""Every figure of the report, computed from the run folder with DuckDB.

`build(run, config)` returns the report's tables (pandas frames, also written as CSV and
Parquet under `tables/`) and `summary` (the machine-readable `summary.json`). Nothing here
re-runs an analysis stage: a report can be regenerated from any run folder.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

import duckdb
import pandas as pd

from ..clean import accounting
from ..config import resolve_path
from ..duckdb_paths import duckdb_path, sql_string
from ..features.registry import OutletRegistry
from ..store import Run, utc_now
from .findings import findings

# evidence items that are a span of the document's text (shown in context)
TEXT_EVIDENCE = ("sentence", "passage")

PART_TABLES = ("predictions", "evidence", "quarantine", "cleaned", "narratives",
               "coordination_posts")
FILE_TABLES = {"narrative_clusters": "clusters.parquet", "trends": "trends.parquet",
               "spikes": "spikes.parquet", "coordination_clusters": "coordination.parquet",
               "coordination_edges": "coordination_edges.parquet"}


@dataclass
class ReportData:
    labels: list[str]
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def connect(run: Run, config: Mapping[str, Any]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB (memory bounded by `tables.duckdb_memory_mb`) with one view per
    table of the run."""
    con = run.duckdb(config)
    for name, sql in view_sql(run).items():
        con.execute(sql)
    return con


def view_sql(run: Run, globs: bool = False) -> dict[str, str]:
    """`create view` statements over the run's Parquet files: the part files by name (a glob
    would read `[`, `*` or `?` in a user-named run folder as patterns) or, with `globs`,
    `<table>/part-*.parquet` globs under the run folder's absolute path, escaped (for
    `run.duckdb`: it answers from any working directory and reads the parts of a later
    re-run; after moving the folder, `disinfo report RUN --format csv` writes it again)."""
    folder = duckdb_path(run.path.resolve())
    out = {}
    for table in PART_TABLES:
        parts = run.parts(table)
        if parts:
            files = ([f"{folder}/{table}/part-*.parquet"] if globs
                     else [duckdb_path(p) for p in parts])
            out[table] = (f"create or replace view {table} as select * from read_parquet("
                          f"[{', '.join(map(sql_string, files))}], union_by_name=true)")
    for name, filename in FILE_TABLES.items():
        if (run.path / filename).exists():
            path = f"{folder}/{filename}" if globs else duckdb_path(run.path / filename)
            out[name] = (f"create or replace view {name} as select * from "
                         f"read_parquet({sql_string(path)})")
    return out


def _df(con, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def _model_card(run: Run) -> dict[str, Any]:
    model = dict(run.manifest.get("model", {}))
    meta_path = resolve_path(model["path"]) / "meta.json" if model.get("path") else None
    if meta_path is not None and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        model["metrics"] = meta.get("metrics", {})
        model["training_data"] = meta.get("training_data", {})
        model["seed"] = meta.get("seed")
        model["created_at"] = meta.get("created_at")
    return model


def build(run: Run, config: Mapping[str, Any],
          con: duckdb.DuckDBPyConnection | None = None) -> ReportData:
    """The report's tables, summary (with the findings as sentences) and evidence examples;
    `con` is a connection from `connect(run, config)`, made here when not given."""
    labels = list(run.manifest.get("model", {}).get("labels") or [])
    con = con or connect(run, config)
    pos = ", ".join(f"coalesce(sum({l}), 0)::int as {l}" for l in labels)
    sep = config["ingest"]["multi_value_separator"].replace("'", "''")
    tables: dict[str, pd.DataFrame] = {}
    total = con.execute(
        "select count(*)::int, min(published_at), max(published_at), "
        "count(*) filter (where published_at is null)::int from predictions").fetchone()
    n_docs, first, last, undated = total
    columns = set(_df(con, "describe predictions")["column_name"])
    scored_if = ("not_scored is null" if "not_scored" in columns else "true")
    n_scored = con.execute(f"select count(*) filter (where {scored_if})::int "
                           f"from predictions").fetchone()[0]
    model = _model_card(run)
    thresholds = model.get("thresholds", {})
    per_label = model.get("metrics", {}).get("per_label", {})
    prevalence = _df(con, f"select {pos} from predictions").T.reset_index()
    prevalence.columns = ["mechanism", "documents"]
    prevalence["rate"] = (prevalence["documents"] / max(n_scored, 1)).round(4)
    prevalence["threshold"] = prevalence["mechanism"].map(thresholds)
    prevalence["test_f1"] = prevalence["mechanism"].map(
        lambda l: (per_label.get(l) or {}).get("f1"))
    tables["prevalence"] = prevalence
    tables["mechanisms_by_month"] = _df(con, f"""
        select substr(published_at, 1, 7) as month, count(*)::int as documents, {pos}
        from predictions where published_at is not null group by 1 order by 1""")
    registry = OutletRegistry.load(resolve_path(config["features"]["sources"]))
    con.execute(f"""create temp table doc_sources as select distinct id,
        trim(unnest(string_split(coalesce(source, '(none)'), '{sep}'))) as source
        from predictions""")
    sources = _df(con, "select distinct source from doc_sources")
    matches = [registry.match(x) if x != "(none)" else [] for x in sources["source"]]
    sources["affiliation"] = [m[0].outlet.affiliation if m else "unregistered" for m in matches]
    sources["country"] = [m[0].outlet.country if m else "" for m in matches]
    con.register("source_registry", sources)
    per_doc = ", ".join(f"count(distinct s.id) filter (where p.{l} = 1)::int as {l}"
                        for l in labels)
    per_doc = (", " + per_doc) if per_doc else ""
    tables["by_source"] = _df(con, f"""
        select s.source, r.affiliation, r.country, count(distinct s.id)::int as documents
        {per_doc} from doc_sources s join predictions p on p.id = s.id
        join source_registry r on r.source = s.source group by 1, 2, 3
        order by documents desc, source limit {int(config['report']['top_sources'])}""")
    # a document counts once per affiliation of its sources (so once or more in total)
    tables["by_affiliation"] = _df(con, f"""
        select r.affiliation, count(distinct s.id)::int as documents {per_doc}
        from doc_sources s join predictions p on p.id = s.id join source_registry r on r.source = s.source
        group by 1 order by documents desc, 1""")
    state_share = None
    if "state_media" in labels:
        state_share = con.execute("""
            select count(distinct s.id) filter (where r.affiliation in ('state',
            'state-affiliated'))::double / nullif(count(distinct s.id), 0)
            from doc_sources s join predictions p on p.id = s.id
            join source_registry r on r.source = s.source where p.state_media = 1""").fetchone()[0]
    rates = "".join(f", round(coalesce(sum({l}), 0) / nullif(count(*) filter (where "
                    f"{scored_if}), 0), 4) as {l}_rate" for l in labels)
    tables["by_language"] = _df(con, f"""
        select coalesce(lang, '(unknown)') as language, count(*)::int as documents,
        count(*) filter (where {scored_if})::int as scored,
        count(*) filter (where not ({scored_if}))::int as not_scored, {pos} {rates}
        from predictions group by 1 order by 2 desc, 1""")
    tables["accusation_directions"] = _directions(con) if "mutual_accusation" in labels \
        else pd.DataFrame(columns=["accuser", "accused", "documents"])
    tables["quarantine_reasons"] = (_df(con, "select reason, count(*)::int as records from "
                                             "quarantine group by 1 order by 2 desc, 1")
                                    if run.has_table("quarantine")
                                    else pd.DataFrame(columns=["reason", "records"]))
    tables.update(_narrative_tables(run, con))
    tables.update(_coordination_tables(run, con))
    margin = float(config["report"]["review_margin"])
    tables["review_queue"] = _review_queue(con, labels, thresholds, margin,
                                           int(config["report"]["review_size"]))
    examples = _examples(con, labels, int(config["report"]["examples_per_label"]),
                         int(config["report"]["context_chars"]), run.has_table("cleaned"))
    acc = accounting(run)
    stages = run.manifest.get("stages", {})
    summary = {
        "generated_at": utc_now(),
        "run": str(run.path),
        "accounting": acc,
        "counts": {"documents": n_docs, "scored": n_scored, "not_scored": n_docs - n_scored,
                   "undated": undated,
                   "duplicates_flagged": acc["duplicates_flagged"]},
        "period": {"first": first, "last": last},
        "prevalence": {r["mechanism"]: {"documents": r["documents"], "rate": r["rate"]}
                       for r in _records(prevalence)},
        "per_month": _records(tables["mechanisms_by_month"]),
        "per_source": _records(tables["by_source"]),
        "per_affiliation": _records(tables["by_affiliation"]),
        "state_media_from_state_outlets": state_share,
        "languages": _records(tables["by_language"]),
        "accusation_directions": _records(tables["accusation_directions"]),
        "quarantine_reasons": _records(tables["quarantine_reasons"]),
        "narratives": _narrative_summary(tables, stages.get("narratives", {})),
        "coordination": _coordination_summary(tables, stages.get("coordination")),
        "review_queue": {"margin": margin, "documents": len(tables["review_queue"])},
        "model": model,
        "config": run.manifest.get("config", {}),
        "versions": run.manifest.get("versions", {}),
    }
    data = ReportData(labels, summary, tables, examples)
    summary["findings"] = findings(data)
    return data


def _directions(con) -> pd.DataFrame:
    frame = _df(con, """select mutual_accusation_direction as direction, count(*)::int as
        documents from predictions where mutual_accusation = 1 and mutual_accusation_direction
        is not null group by 1 order by 2 desc, 1""")
    # "other": an accusation whose sides are not both RU / WEST actors
    sides = [d.split("->", 1) if "->" in d else [d, ""] for d in frame["direction"]]
    return pd.DataFrame({"accuser": [s[0] for s in sides], "accused": [s[1] for s in sides],
                         "direction": frame["direction"], "documents": frame["documents"]},
                        columns=["accuser", "accused", "direction", "documents"])


def _narrative_tables(run: Run, con) -> dict[str, pd.DataFrame]:
    out = {}
    if run.has_table("narratives"):
        out["narratives_taxonomy"] = _df(con, """
            select t as narrative, count(*)::int as documents from (select unnest(taxonomy)
            as t from narratives) group by 1 order by 2 desc, 1""")
    if (run.path / "clusters.parquet").exists():
        found = _df(con, """
            select narrative_id, label, size, coherence_npmi, array_to_string(taxonomy, ', ')
            as taxonomy, substr(first_date, 1, 10) as first_date,
            substr(last_date, 1, 10) as last_date, top_sources, representatives
            from narrative_clusters order by size desc, narrative_id""")
        found["top_sources"] = [", ".join(f"{k} {v}" for k, v in json.loads(x or "{}").items())
                                for x in found["top_sources"]]
        found["representatives"] = [" | ".join(_title(r) for r in json.loads(x or "[]"))
                                    for x in found["representatives"]]
        out["narratives_discovered"] = found
    if (run.path / "trends.parquet").exists():
        out["narrative_trends"] = _df(con, """
            select kind, key, period, documents from trends where period_type = 'month'
            order by kind, key, period""")
    if (run.path / "spikes.parquet").exists():
        out["spikes"] = _df(con, """select kind, key, week, documents, baseline, p_value
            from spikes order by p_value, week, kind, key""")
    return out


def _title(doc: Mapping[str, Any]) -> str:
    """A document's title, else its id (runs written before narratives stored a missing title
    as null hold NaN there)."""
    title = doc.get("title")
    return title if isinstance(title, str) and title else doc["id"]


def _narrative_summary(tables, stage) -> dict[str, Any] | None:
    if "narratives_taxonomy" not in tables:
        return None
    return {"taxonomy": _records(tables["narratives_taxonomy"]),
            "discovered": _records(tables.get("narratives_discovered", pd.DataFrame())),
            "spikes": _records(tables.get("spikes", pd.DataFrame()).head(50)),
            "coherence": stage.get("coherence"), "note": stage.get("note")}


def _coordination_tables(run: Run, con) -> dict[str, pd.DataFrame]:
    if not (run.path / "coordination.parquet").exists():
        return {}
    clusters = _df(con, """select cluster_id, n_accounts, n_posts, n_bursts, first_seen,
        last_seen, score, synchrony, similarity, activity_share, representative,
        array_to_string(accounts, ', ') as accounts from coordination_clusters
        order by score desc, cluster_id""")
    return {"coordination_clusters": clusters}


def _coordination_summary(tables, stage) -> dict[str, Any] | None:
    if stage is None:
        return None
    clusters = tables.get("coordination_clusters", pd.DataFrame())
    return {"skipped": stage.get("skipped", False), "notes": stage.get("notes", []),
            "counts": stage.get("counts", {}), "clusters": len(clusters),
            "accounts": int(clusters["n_accounts"].sum()) if len(clusters) else 0,
            "posts": int(clusters["n_posts"].sum()) if len(clusters) else 0,
            "top": _records(clusters.drop(columns="accounts").head(10)) if len(clusters) else []}


def _review_queue(con, labels, thresholds, margin, size) -> pd.DataFrame:
    """Documents with a score within `margin` of a threshold, closest first: where the model
    is least sure, and where a correction teaches it most."""
    if not labels:
        return pd.DataFrame(columns=["id", "title", "mechanism", "score", "threshold",
                                     "distance"])
    parts = [f"select id, title, source, published_at, '{l}' as mechanism, {l}_score as score, "
             f"{float(thresholds.get(l, 0.5))} as threshold, abs({l}_score - "
             f"{float(thresholds.get(l, 0.5))}) as distance from predictions"
             for l in labels]
    return _df(con, f"""select * from ({' union all '.join(parts)}) where distance <= ?
                        qualify row_number() over (partition by id order by distance) = 1
                        order by distance, id limit {int(size)}""", [margin])


def _examples(con, labels, k, context, with_text) -> dict[str, list[dict[str, Any]]]:
    """Per mechanism the highest-scoring documents, each evidence sentence with
    `context` characters of its document on either side."""
    out = {}
    for label in labels:
        text = ("(select text from cleaned c where c.id = p.id limit 1)" if with_text
                else "null")
        rows = _records(_df(con, f"""select id, title, source, published_at, url,
            {label}_score as score, evidence, {text} as text from predictions p
            where {label} = 1 order by {label}_score desc, id limit {int(k)}"""))
        for row in rows:
            items = json.loads(row.pop("evidence")).get(label, [])
            body = row.pop("text") or ""
            row["evidence"] = []
            for item in items:
                entry = {"kind": item["kind"]}
                if item["kind"] in TEXT_EVIDENCE and item.get("start") is not None and body:
                    s, e = int(item["start"]), int(item["end"])
                    entry.update(before=body[max(0, s - context):s], text=body[s:e],
                                 after=body[e:e + context], clipped_before=s > context,
                                 clipped_after=e + context < len(body))
                elif item["kind"] in TEXT_EVIDENCE:
                    entry.update(before="", text=item.get("text", ""), after="")
                else:
                    entry["detail"] = {k: v for k, v in item.items() if k != "kind"}
                row["evidence"].append(entry)
        out[label] = rows
    return out
