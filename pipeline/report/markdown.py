"""`report.md`: the report's findings and main tables as Markdown, for wikis and git."""
from __future__ import annotations

import json

import pandas as pd

from .data import TEXT_EVIDENCE, ReportData


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        value = f"{value:.4g}"
    # keep table structure and neutralise markup in corpus text (a backslash-escaped `<`
    # opens no HTML tag; `>` inside a line is plain text, so RU->WEST reads as written)
    return (str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
            .replace("<", "\\<"))


def md_table(frame: pd.DataFrame | None, limit: int = 25) -> str:
    if frame is None or not len(frame):
        return "_No rows._\n"
    frame = frame.head(limit)
    cols = list(frame.columns)
    lines = ["| " + " | ".join(map(_cell, cols)) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |"
              for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def render(data: ReportData) -> str:
    s, t = data.summary, data.tables
    model = s["model"]
    out = ["# Disinformation narratives report", "",
           f"Run `{s['run']}`, generated {s['generated_at']}, model {model.get('version')}.", "",
           "## Top findings", ""]
    out += [f"- {_cell(f)}" for f in s["findings"]]
    out += ["", "## Mechanisms", "", md_table(t["prevalence"]),
            "## Sources by registry affiliation", "", md_table(t["by_affiliation"]),
            "## Top sources", "", md_table(t["by_source"], 15),
            "## Languages", "", md_table(t["by_language"]),
            "## Accusation directions", "", md_table(t["accusation_directions"])]
    if "narratives_taxonomy" in t:
        out += ["## Narratives", "", md_table(t["narratives_taxonomy"]),
                "### Discovered", "",
                md_table(t.get("narratives_discovered", pd.DataFrame()).drop(
                    columns=["representatives"], errors="ignore")),
                "### Spikes", "", md_table(t.get("spikes"), 15)]
    coord = s.get("coordination")
    if coord is not None:
        out += ["## Coordination", ""] + [f"> {_cell(n)}" for n in coord["notes"]] + [""]
        if not coord["skipped"]:
            out.append(md_table(t.get("coordination_clusters", pd.DataFrame()).drop(
                columns=["accounts"], errors="ignore"), 15))
    out += ["## Evidence", ""]
    for label in data.labels:
        out += [f"### {label}", ""]
        for doc in data.examples.get(label, []):
            out.append(f"- **{_cell(doc.get('title') or doc['id'])}** ({_cell(doc.get('source'))}, "
                       f"{_cell(doc.get('published_at'))}, score {doc['score']:.3f})")
            for item in doc["evidence"]:
                if item["kind"] in TEXT_EVIDENCE:
                    out.append(f"  - > {_cell(item['text'])}")
                else:
                    out.append(f"  - {item['kind']}: {_cell(json.dumps(item['detail']))}")
        out.append("")
    out += ["## Review queue", "", md_table(t["review_queue"], 20),
            "## Model", "",
            f"- version: {model.get('version')}",
            f"- training data hash: {model.get('training_data_hash')}",
            f"- thresholds: {json.dumps(model.get('thresholds', {}))}",
            f"- evaluation set: {model.get('metrics', {}).get('data')}",
            f"- macro-F1 (state_media, sowing_doubt, mutual_accusation): "
            f"{model.get('metrics', {}).get('headline_macro_f1')}",
            f"- macro-F1 (all mechanisms): {model.get('metrics', {}).get('macro_f1')}", ""]
    return "\n".join(out)
