"""`report.html`: one self-contained page (inline CSS, inline SVG charts, one inline script
for sorting and filtering tables), readable offline and printable.

Security: every value from the corpus, the run or the config is escaped with
`html.escape(quote=True)`; links are made only for http(s) URLs; the page carries a Content
Security Policy that allows no network access and only the page's own script and style (by
hash), so markup that slipped through could still not run.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
from html import escape
from typing import Any, Iterable
from urllib.parse import urlsplit

import pandas as pd

from . import charts
from .data import TEXT_EVIDENCE, ReportData

SECTIONS = [("summary", "Summary"), ("mechanisms", "Mechanisms"), ("sources", "Sources"),
            ("narratives", "Narratives"), ("accusations", "Accusations"),
            ("coordination", "Coordination"), ("evidence", "Evidence"),
            ("review", "Review queue"), ("methods", "Methods")]

STYLE = """
:root{--ink:#1f2328;--muted:#59636e;--line:#d0d7de;--bg:#f6f8fa;--accent:#3b6ea8}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);margin:0}
header{background:#16324f;color:#fff;padding:1.2em 2em}
header h1{margin:0 0 .2em;font-size:1.6em}header p{margin:0;opacity:.85}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:.5em 2em;
z-index:2}nav a{margin-right:1em;color:var(--accent);text-decoration:none}
main{max-width:1200px;margin:0 auto;padding:0 2em 3em}
section{margin-top:2.2em}h2{border-bottom:2px solid var(--accent);padding-bottom:.2em}
.cards{display:flex;flex-wrap:wrap;gap:1em}.card{background:var(--bg);border:1px solid var(--line);
border-radius:6px;padding:.7em 1em;min-width:150px}.card b{display:block;font-size:1.5em}
.muted{color:var(--muted);font-size:.9em}.tbl{overflow-x:auto;margin:.8em 0}
table{border-collapse:collapse;font-size:.88em;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
input.filter{padding:4px 8px;border:1px solid var(--line);border-radius:4px;width:260px}
mark{background:#ffe58f;padding:0 2px}.doc{border:1px solid var(--line);border-radius:6px;
padding:.6em 1em;margin:.8em 0}.doc h4{margin:0 0 .3em}.ctx{margin:.3em 0;color:#333}
svg.chart{max-width:100%;height:auto;font-size:11px;font-family:inherit}
svg.chart text{fill:#333}details{margin:.6em 0}pre{background:var(--bg);padding:1em;
overflow-x:auto;font-size:.8em}.note{background:#fff8e1;border-left:4px solid #c9a227;
padding:.5em 1em}
@media print{nav,input.filter{display:none}header{background:none;color:#000}
section{break-inside:auto}.doc,tr,svg{break-inside:avoid}a{color:inherit}}
"""

SCRIPT = """
(function(){
  function key(cell){var v=cell.getAttribute('data-v');if(v!==null&&v!==''){return parseFloat(v);}
    return cell.textContent.trim().toLowerCase();}
  document.querySelectorAll('table.data').forEach(function(table){
    var body=table.tBodies[0];
    table.querySelectorAll('th').forEach(function(th,col){
      th.setAttribute('tabindex','0');
      function sort(){var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
        table.querySelectorAll('th').forEach(function(o){o.removeAttribute('aria-sort');});
        th.setAttribute('aria-sort',dir===1?'ascending':'descending');
        var rows=Array.prototype.slice.call(body.rows);
        rows.sort(function(a,b){var x=key(a.cells[col]),y=key(b.cells[col]);
          if(typeof x==='number'&&typeof y==='number'){return dir*(x-y);}
          return dir*String(x).localeCompare(String(y));});
        rows.forEach(function(r){body.appendChild(r);});}
      th.addEventListener('click',sort);
      th.addEventListener('keydown',function(e){if(e.key==='Enter'){sort();}});
    });
    var input=table.parentNode.querySelector('input.filter');
    if(input){input.addEventListener('input',function(){var q=input.value.toLowerCase();
      Array.prototype.forEach.call(body.rows,function(r){
        r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});});}
  });
})();
"""


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def safe_link(url: Any, text: Any = None) -> str:
    """A link for http(s) URLs only; anything else (javascript:, data:, ...) is plain text."""
    if not url:
        return e(text or "")
    try:
        scheme = urlsplit(str(url).strip()).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https"):
        return e(text or url)
    return (f'<a href="{e(str(url).strip())}" rel="noopener noreferrer nofollow" '
            f'target="_blank">{e(text or url)}</a>')


def _cell(value: Any, column: str) -> str:
    if isinstance(value, (list, tuple)):
        value = ", ".join(map(str, value))
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return '<td class="num" data-v=""></td>'
        if isinstance(value, int):
            shown = f"{value:,}"
        elif column == "rate" or column.endswith("_rate"):
            shown = f"{100 * value:.1f}%"
        else:
            shown = f"{value:.4g}"
        return f'<td class="num" data-v="{value}">{e(shown)}</td>'
    if column == "url":
        return f"<td>{safe_link(value)}</td>"
    return f"<td>{e(value)}</td>"


def table(frame: pd.DataFrame | None, name: str, caption: str = "",
          columns: Iterable[str] | None = None) -> str:
    if frame is None or not len(frame):
        return f'<p class="muted">No rows{(" for " + e(caption)) if caption else ""}.</p>'
    cols = list(columns) if columns else list(frame.columns)
    head = "".join(f'<th scope="col">{e(c)}</th>' for c in cols)
    rows = []
    for rec in frame[cols].itertuples(index=False):
        cells = []
        for c, v in zip(cols, rec):
            if hasattr(v, "item"):
                v = v.item()
            if v is pd.NA or v is pd.NaT:
                v = None
            cells.append(_cell(v, c))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    filt = (f'<input class="filter" type="search" placeholder="Filter rows" '
            f'aria-label="Filter {e(caption or name)}">' if len(frame) > 8 else "")
    cap = f"<caption class='muted'>{e(caption)}</caption>" if caption else ""
    return (f'<div class="tbl">{filt}<table class="data" id="t-{e(name)}">{cap}<thead><tr>'
            f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _languages(by_language: pd.DataFrame, labels: list[str], s: dict) -> list[str]:
    """Mechanisms by language (shares of the scored documents), and what was not scored."""
    out = []
    scored = by_language[by_language["scored"] > 0]
    if len(scored) > 1:
        for label in labels:
            out.append(charts.bars(list(zip(scored["language"], scored[f"{label}_rate"])),
                                   title=f"{label}: share of scored documents per language"))
    skipped = by_language[by_language["not_scored"] > 0]
    if len(skipped):
        which = ", ".join(f"{r.language} ({r.not_scored:,})" for r in skipped.itertuples())
        out.append(f'<p class="note">{s["counts"]["not_scored"]:,} document(s) were not '
                   f'scored because the model does not cover their language: {e(which)}. '
                   f'Their mechanism columns are empty; <code>classify.languages</code> lists '
                   f'the scored languages.</p>')
    out.append(table(by_language, "by-language", "Documents per language: scored, not "
                                                 "scored, and mechanism counts and shares "
                                                 "of the scored documents"))
    return out


def _section(sid: str, title: str, body: str) -> str:
    return f'<section id="{sid}"><h2>{e(title)}</h2>{body}</section>'


def render(data: ReportData) -> str:
    s, t, labels = data.summary, data.tables, data.labels
    model = s["model"]
    acc = s["accounting"]
    coord = s.get("coordination")
    cards = [("Documents", f"{s['counts']['documents']:,}"),
             ("Period", f"{str(s['period']['first'] or '–')[:10]} – "
                        f"{str(s['period']['last'] or '–')[:10]}"),
             ("Quarantined", f"{acc['quarantined']:,}"),
             ("Not scored (language)", f"{s['counts'].get('not_scored', 0):,}"),
             ("Duplicates flagged", f"{acc['duplicates_flagged']:,}")]
    if coord and not coord["skipped"]:
        cards.append(("Coordinated clusters", f"{coord['clusters']:,}"))
    summary = ('<div class="cards">' + "".join(f'<div class="card"><b>{e(v)}</b>{e(k)}</div>'
                                               for k, v in cards) + "</div>"
               + "<h3>Top findings</h3><ul>" + "".join(f"<li>{e(f)}</li>"
                                                        for f in s["findings"]) + "</ul>")
    if not acc.get("balanced", True):
        summary += ('<p class="note">The run\'s accounting does not balance: input records '
                    '!= analysed + quarantined. See the manifest.</p>')

    prev = t["prevalence"]
    months = t["mechanisms_by_month"]
    mech = [charts.bars(list(zip(prev["mechanism"], prev["rate"])),
                        title="Share of documents per mechanism")]
    if len(months) > 1:
        span = pd.period_range(months["month"].min(), months["month"].max(), freq="M")
        full = months.set_index("month").reindex(span.strftime("%Y-%m"), fill_value=0)
        mech.append("<h3>Over time (documents per month)</h3>")
        mech.append(charts.lines(list(full.index), {l: list(full[l]) for l in labels},
                                 title="Documents per month and mechanism"))
    mech.append(table(prev, "prevalence", "Documents per mechanism, decision threshold and "
                                          "F1 on the model's held-out test split"))
    mech.append("<details><summary>Per month</summary>"
                + table(months, "by-month", "Documents per month") + "</details>")

    aff = t["by_affiliation"].copy()
    for l in labels:
        aff[f"{l}_rate"] = (aff[l] / aff["documents"]).round(4)
    sources = ["<h3>By outlet-registry affiliation</h3>",
               charts.bars(list(zip(aff["affiliation"], aff["documents"].astype(float))),
                           value_format="{:,.0f}", title="Documents per affiliation"),
               table(aff, "by-affiliation", "Documents and mechanism counts per affiliation of "
                                            "their sources (a document with sources of several "
                                            "affiliations counts under each; unregistered: "
                                            "source not in the registry)"),
               "<h3>Top sources</h3>", table(t["by_source"], "by-source", "Top sources"),
               "<h3>Languages</h3>", *_languages(t["by_language"], labels, s)]

    nar = []
    if "narratives_taxonomy" in t:
        trends = t.get("narrative_trends", pd.DataFrame(columns=["kind", "key", "period",
                                                                 "documents"]))
        tax = t["narratives_taxonomy"].copy()
        periods = sorted(trends["period"].unique()) if len(trends) else []
        spark = {}
        for key, g in trends[trends["kind"] == "taxonomy"].groupby("key"):
            series = g.set_index("period")["documents"].reindex(periods, fill_value=0)
            spark[key] = charts.sparkline(list(series))
        rows = "".join(f"<tr><td>{e(r.narrative)}</td><td class='num' data-v='{r.documents}'>"
                       f"{r.documents:,}</td><td>{spark.get(r.narrative, '')}</td></tr>"
                       for r in tax.itertuples())
        nar.append("<h3>Taxonomy narratives</h3><div class='tbl'><table class='data' "
                   "id='t-narratives-taxonomy'><thead><tr><th>narrative</th><th>documents</th>"
                   "<th>per month</th></tr></thead><tbody>" + rows + "</tbody></table></div>")
        nar.append("<h3>Discovered narratives</h3>"
                   + table(t.get("narratives_discovered"), "narratives-discovered",
                           "Topics found in this corpus (stable ids across runs with a store)"))
        nar.append("<h3>Spikes</h3>" + table(t.get("spikes", pd.DataFrame()).head(30),
                                             "spikes", "Weeks far above their baseline"))
    else:
        nar.append('<p class="muted">The narratives stage has not run.</p>')

    dirs = t["accusation_directions"]
    accuse = [charts.network([(r.accuser, r.accused, int(r.documents))
                              for r in dirs.itertuples() if r.accused],
                             title="Who accuses whom of propaganda"),
              table(dirs, "accusations", "Accusing documents per direction (accuser -> accused)")]

    if coord is None:
        co = ['<p class="muted">The coordination stage has not run.</p>']
    elif coord["skipped"]:
        co = [f'<p class="note">{e(n)}</p>' for n in coord["notes"]]
    else:
        co = [f'<p class="note">{e(n)}</p>' for n in coord["notes"]]
        co.append(table(t.get("coordination_clusters"), "coordination",
                        "Clusters of accounts posting the same or nearly the same content "
                        "together (edges and posts: coordination_edges.csv, "
                        "coordination.graphml)"))

    ev = []
    for label in labels:
        ev.append(f"<h3>{e(label)}</h3>")
        docs = data.examples.get(label, [])
        if not docs:
            ev.append('<p class="muted">No documents.</p>')
        for doc in docs:
            items = []
            for item in doc["evidence"]:
                if item["kind"] in TEXT_EVIDENCE:
                    items.append(f'<p class="ctx">{"… " if item.get("clipped_before") else ""}'
                                 f'{e(item["before"])}<mark>{e(item["text"])}</mark>'
                                 f'{e(item["after"])}{" …" if item.get("clipped_after") else ""}'
                                 f'</p>')
                else:
                    detail = ", ".join(f"{k}: {v}" for k, v in item["detail"].items()
                                       if k not in ("start", "end", "sentence"))
                    items.append(f'<p class="muted">{e(item["kind"])} — {e(detail)}</p>')
            title = doc.get("title") or doc["id"]
            ev.append(f'<div class="doc"><h4>{e(title)}</h4><p class="muted">id {e(doc["id"])}'
                      f' · {e(doc.get("source"))} · {e(doc.get("published_at"))} · score '
                      f'{doc["score"]:.3f} {safe_link(doc.get("url"), "link")}</p>'
                      f'{"".join(items)}</div>')

    review = [f'<p class="muted">Documents whose score lies within {e(s["review_queue"]["margin"])}'
              f' of a decision threshold, closest first: where a correction teaches the model '
              f'most.</p>', table(t["review_queue"], "review", "Low-confidence documents")]

    metrics = model.get("metrics", {})
    per_label = pd.DataFrame([{"mechanism": k, **v} for k, v in metrics.get("per_label", {}).items()])
    methods = [
        "<h3>Model card</h3><table><tbody>"
        + "".join(f"<tr><th scope='row'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in [
            ("model", model.get("name")), ("version", model.get("version")),
            ("created", model.get("created_at")), ("seed", model.get("seed")),
            ("training data hash", model.get("training_data_hash")),
            ("spaCy pipeline", model.get("spacy_pipeline_version")),
            ("thresholds", json.dumps(model.get("thresholds", {}))),
            ("evaluation set", metrics.get("data")),
            ("macro-F1 (state_media, sowing_doubt, mutual_accusation)",
             metrics.get("headline_macro_f1")),
            ("macro-F1 (all mechanisms)", metrics.get("macro_f1")),
            ("TF-IDF baseline macro-F1 (same three)",
             metrics.get("baselines", {}).get("tfidf", {}).get("headline_macro_f1")),
            ("micro-F1", metrics.get("micro_f1"))])
        + "</tbody></table>",
        table(per_label, "model-metrics", "Per-mechanism scores on the model's held-out "
              "evaluation set (real texts never trained on)"),
        "<h3>How labels are made</h3><p>Each document is parsed with spaCy; a calibrated "
        "logistic-regression head per mechanism scores word and character n-grams, cue "
        "features (attribution, accusation patterns with accuser and accused, NATO frames, "
        "questions, the voice of the text: asserting or refuting a claim), sentence "
        "embeddings and source metadata; long documents are also scored passage by passage. A "
        "mechanism is assigned when its score reaches the threshold above. Metadata paths "
        "(an outlet the registry lists as state media; membership of a coordinated cluster) "
        "also assign labels and are shown as evidence. Every positive label carries its "
        "evidence: sentences with offsets or the metadata that fired.</p>",
        "<h3>Quarantine</h3>", table(t["quarantine_reasons"], "quarantine", "Quarantine reasons"),
        "<details><summary>Configuration of the run</summary><pre>"
        + e(json.dumps(s.get("config", {}), indent=2, default=str)) + "</pre></details>",
        "<details><summary>Package versions</summary><pre>"
        + e(json.dumps(s.get("versions", {}), indent=2, default=str)) + "</pre></details>"]

    bodies = {"summary": summary, "mechanisms": "".join(mech), "sources": "".join(sources),
              "narratives": "".join(nar), "accusations": "".join(accuse),
              "coordination": "".join(co), "evidence": "".join(ev), "review": "".join(review),
              "methods": "".join(methods)}
    csp = (f"default-src 'none'; img-src data:; style-src '{_sha256(STYLE)}'; "
           f"script-src '{_sha256(SCRIPT)}'; base-uri 'none'; form-action 'none'")
    nav = "".join(f'<a href="#{sid}">{e(title)}</a>' for sid, title in SECTIONS)
    return "".join([
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>Disinformation narratives report</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<header><h1>Disinformation narratives report</h1><p>Run {e(s['run'])} · generated "
        f"{e(s['generated_at'])} · model {e(model.get('version'))}</p></header>",
        f"<nav aria-label='Sections'>{nav}</nav><main>",
        "".join(_section(sid, title, bodies[sid]) for sid, title in SECTIONS),
        f"</main><script>{SCRIPT}</script></body></html>"])
