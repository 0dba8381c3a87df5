"""Stage `report`: tables and summaries from the run folder (DuckDB over the Parquet parts).

Writes `predictions.parquet`, `predictions.csv`, `summary.json` and `report.html`. It reads
only the run folder, so it can be regenerated without re-running the analysis.
"""
from __future__ import annotations

import html
import json
import time
from typing import Any, Mapping

import duckdb

from . import progress
from .clean import accounting
from .store import Run, utc_now, write_json, write_text, write_with


def _connect(run: Run) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for table in ("predictions", "evidence", "quarantine", "cleaned", "narratives"):
        if run.has_table(table):
            con.execute(f"create view {table} as select * from "
                        f"read_parquet('{run.glob(table)}', union_by_name=true)")
    return con


def _rows(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def summarise(run: Run, con, labels: list[str], config: Mapping[str, Any]) -> dict[str, Any]:
    sep = config["ingest"]["multi_value_separator"].replace("'", "''")
    positives = ", ".join(f"sum({l})::int as {l}" for l in labels)
    total = _rows(con, f"select count(*)::int as documents, {positives}, "
                       f"min(published_at) as first_date, max(published_at) as last_date, "
                       f"sum(case when published_at is null then 1 else 0 end)::int as undated "
                       f"from predictions")[0]
    n = total["documents"] or 1
    prevalence = {l: {"documents": total[l], "rate": round(total[l] / n, 4)} for l in labels}
    per_month = _rows(con, f"select substr(published_at, 1, 7) as month, count(*)::int as "
                           f"documents, {positives} from predictions where published_at is not "
                           f"null group by 1 order by 1")
    per_source = _rows(con, f"""
        with s as (select trim(unnest(string_split(coalesce(source, '(none)'), '{sep}')))
                   as source, {', '.join(labels)} from predictions)
        select source, count(*)::int as documents, {positives} from s
        group by 1 order by documents desc, source limit {int(config['report']['top_sources'])}""")
    directions = _rows(con, "select mutual_accusation_direction as direction, count(*)::int as "
                            "documents from predictions where mutual_accusation_direction is "
                            "not null group by 1 order by 2 desc") \
        if "mutual_accusation" in labels else []
    languages = _rows(con, "select coalesce(lang, '(unknown)') as lang, count(*)::int as "
                           "documents from predictions group by 1 order by 2 desc limit 20")
    reasons = _rows(con, "select reason, count(*)::int as records from quarantine group by 1 "
                         "order by 2 desc") if run.has_table("quarantine") else []
    manifest = run.manifest
    acc = accounting(run)
    narratives = _narrative_summary(run, con)
    return {
        "generated_at": utc_now(),
        "accounting": acc,
        "counts": {"documents": total["documents"], "undated": total["undated"],
                   "duplicates_flagged": acc["duplicates_flagged"]},
        "period": {"first": total["first_date"], "last": total["last_date"]},
        "prevalence": prevalence,
        "per_month": per_month,
        "per_source": per_source,
        "accusation_directions": directions,
        "languages": languages,
        "quarantine_reasons": reasons,
        "model": manifest.get("model", {}),
        "narratives": narratives,
    }


def _narrative_summary(run: Run, con) -> dict[str, Any] | None:
    """Taxonomy tag counts, discovered narratives and spikes, when the stage has run."""
    if not run.has_table("narratives"):
        return None
    tags = _rows(con, "select t as narrative, count(*)::int as documents from (select "
                      "unnest(taxonomy) as t from narratives) group by 1 order by 2 desc, 1")
    clusters = []
    if (run.path / "clusters.parquet").exists():
        clusters = _rows(con, f"select narrative_id, label, size, coherence_npmi, taxonomy, "
                              f"first_date, last_date from read_parquet("
                              f"'{run.path / 'clusters.parquet'}') order by size desc")
    spikes = []
    if (run.path / "spikes.parquet").exists():
        spikes = _rows(con, f"select kind, key, week, documents, baseline, p_value from "
                            f"read_parquet('{run.path / 'spikes.parquet'}') "
                            f"order by p_value, week limit 50")
    stage = run.manifest.get("stages", {}).get("narratives", {})
    return {"taxonomy": tags, "discovered": clusters, "spikes": spikes,
            "coherence": stage.get("coherence"), "note": stage.get("note")}


def _examples(con, labels: list[str], k: int) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for label in labels:
        out[label] = _rows(con, f"select id, title, source, published_at, {label}_score as score,"
                                f" evidence from predictions where {label} = 1 "
                                f"order by {label}_score desc, id limit {int(k)}")
    return out


def _bar(value: float, width: int = 160) -> str:
    w = max(0, min(width, round(value * width)))
    return (f'<svg width="{width}" height="12" role="img" aria-label="{value:.1%}">'
            f'<rect width="{width}" height="12" fill="#eee"/>'
            f'<rect width="{w}" height="12" fill="#3b6ea8"/></svg>')


def render_html(summary: dict[str, Any], examples: dict[str, list[dict]], labels: list[str]) -> str:
    e = lambda v: html.escape("" if v is None else str(v), quote=True)
    acc = summary["accounting"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>Disinformation mechanisms report</title><style>",
        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
        "color:#222}table{border-collapse:collapse;margin:1em 0;font-size:14px}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
        "th{background:#f3f3f3}.ev{background:#fff5c2}.muted{color:#666;font-size:13px}",
        "</style></head><body>",
        "<h1>Disinformation mechanisms report</h1>",
        f"<p class='muted'>Generated {e(summary['generated_at'])}; model "
        f"{e(summary['model'].get('version'))}.</p>",
        "<h2>Corpus</h2><table>",
        f"<tr><th>Input records</th><td>{e(acc['input_records'])}</td></tr>",
        f"<tr><th>Analysed</th><td>{e(acc['analysed'])}</td></tr>",
        f"<tr><th>Quarantined</th><td>{e(acc['quarantined'])}</td></tr>",
        f"<tr><th>Duplicates flagged</th><td>{e(acc['duplicates_flagged'])}</td></tr>",
        f"<tr><th>Period</th><td>{e(summary['period']['first'])} – "
        f"{e(summary['period']['last'])}</td></tr></table>",
        "<h2>Mechanisms</h2><table><tr><th>Mechanism</th><th>Documents</th><th>Share</th>"
        "<th></th></tr>",
    ]
    for label in labels:
        p = summary["prevalence"][label]
        parts.append(f"<tr><td>{e(label)}</td><td>{p['documents']}</td><td>{p['rate']:.1%}</td>"
                     f"<td>{_bar(p['rate'])}</td></tr>")
    parts.append("</table>")
    if summary["accusation_directions"]:
        parts.append("<h3>Accusation directions</h3><table><tr><th>Direction</th>"
                     "<th>Documents</th></tr>")
        parts += [f"<tr><td>{e(d['direction'])}</td><td>{d['documents']}</td></tr>"
                  for d in summary["accusation_directions"]]
        parts.append("</table>")
    head = "".join(f"<th>{e(l)}</th>" for l in labels)
    parts.append(f"<h2>By month</h2><table><tr><th>Month</th><th>Documents</th>{head}</tr>")
    for row in summary["per_month"]:
        cells = "".join(f"<td>{row[l]}</td>" for l in labels)
        parts.append(f"<tr><td>{e(row['month'])}</td><td>{row['documents']}</td>{cells}</tr>")
    parts.append(f"</table><h2>By source</h2><table><tr><th>Source</th><th>Documents</th>"
                 f"{head}</tr>")
    for row in summary["per_source"]:
        cells = "".join(f"<td>{row[l]}</td>" for l in labels)
        parts.append(f"<tr><td>{e(row['source'])}</td><td>{row['documents']}</td>{cells}</tr>")
    parts.append("</table><h2>Evidence: highest-scoring documents</h2>")
    for label in labels:
        parts.append(f"<h3>{e(label)}</h3>")
        if not examples[label]:
            parts.append("<p class='muted'>No documents.</p>")
            continue
        parts.append("<table><tr><th>Score</th><th>Document</th><th>Evidence</th></tr>")
        for ex in examples[label]:
            items = json.loads(ex["evidence"]).get(label, [])
            ev = "<br>".join(
                f"<span class='ev'>{e(i.get('text'))}</span>" if i["kind"] == "sentence" else
                f"{e(i['kind'])}: {e(i.get('outlet') or i.get('direction') or i.get('trigger'))}"
                for i in items)
            parts.append(f"<tr><td>{ex['score']:.3f}</td><td>{e(ex['title'] or ex['id'])}<br>"
                         f"<span class='muted'>{e(ex['source'])} {e(ex['published_at'])}"
                         f"</span></td><td>{ev}</td></tr>")
        parts.append("</table>")
    nar = summary.get("narratives")
    if nar:
        parts.append("<h2>Narratives</h2><h3>Taxonomy</h3><table><tr><th>Narrative</th>"
                     "<th>Documents</th></tr>")
        parts += [f"<tr><td>{e(t['narrative'])}</td><td>{t['documents']}</td></tr>"
                  for t in nar["taxonomy"]]
        parts.append("</table><h3>Discovered</h3><table><tr><th>Id</th><th>Label</th>"
                     "<th>Documents</th><th>NPMI</th><th>Taxonomy</th><th>Period</th></tr>")
        parts += [f"<tr><td>{e(c['narrative_id'])}</td><td>{e(c['label'])}</td>"
                  f"<td>{c['size']}</td><td>{c['coherence_npmi']}</td>"
                  f"<td>{e(', '.join(c['taxonomy'] or []))}</td>"
                  f"<td>{e(c['first_date'])} – {e(c['last_date'])}</td></tr>"
                  for c in nar["discovered"]]
        parts.append("</table>")
        if nar["spikes"]:
            parts.append("<h3>Spikes</h3><table><tr><th>Kind</th><th>Key</th><th>Week</th>"
                         "<th>Documents</th><th>Baseline</th></tr>")
            parts += [f"<tr><td>{e(s['kind'])}</td><td>{e(s['key'])}</td>"
                      f"<td>{e(s['week'])}</td><td>{s['documents']}</td>"
                      f"<td>{s['baseline']}</td></tr>" for s in nar["spikes"][:20]]
            parts.append("</table>")
    if summary["quarantine_reasons"]:
        parts.append("<h2>Quarantine</h2><table><tr><th>Reason</th><th>Records</th></tr>")
        parts += [f"<tr><td>{e(r['reason'])}</td><td>{r['records']}</td></tr>"
                  for r in summary["quarantine_reasons"]]
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def report(run: Run, config: Mapping[str, Any]) -> dict[str, Any]:
    """Write predictions.parquet/.csv, summary.json and report.html; return the paths."""
    started = time.perf_counter()
    if not run.has_table("predictions"):
        raise FileNotFoundError(f"{run.path} has no predictions yet; run `disinfo classify "
                                f"{run.path}` first.")
    labels = run.manifest.get("model", {}).get("labels") or []
    con = _connect(run)
    with progress.task("report", 4) as advance:
        for name, fmt in (("predictions.parquet", "(format parquet)"),
                          ("predictions.csv", "(format csv, header true)")):
            write_with(run.path / name, lambda tmp, fmt=fmt: con.execute(
                f"copy (select * from predictions order by id) to '{tmp}' {fmt}"))
            advance(1)
        summary = summarise(run, con, labels, config)
        write_json(run.path / "summary.json", summary)
        advance(1)
        examples = _examples(con, labels, config["report"]["examples_per_label"])
        write_text(run.path / "report.html", render_html(summary, examples, labels))
        advance(1)
    files = {n: str(run.path / n) for n in ("predictions.parquet", "predictions.csv",
                                            "summary.json", "report.html")}
    result = {"started_at": utc_now(), "seconds": round(time.perf_counter() - started, 3),
              "counts": {"documents": summary["counts"]["documents"]}, "files": files}
    run.record_stage("report", result)
    run.update_manifest(accounting=summary["accounting"])
    return result


__all__ = ["report", "summarise", "render_html"]
