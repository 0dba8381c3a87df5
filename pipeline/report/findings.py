"""The executive summary: the report's top findings written as sentences from its figures."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .data import ReportData


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def findings(data: "ReportData") -> list[str]:
    s, t = data.summary, data.tables
    acc = s["accounting"]
    out = []
    period = (f" dated {str(s['period']['first'])[:10]} to {str(s['period']['last'])[:10]}"
              if s["period"]["first"] else "")
    out.append(f"{acc['analysed']:,} of {acc['input_records']:,} input records were analysed"
               f"{period}; {acc['quarantined']:,} were quarantined with a reason and "
               f"{acc['duplicates_flagged']:,} are flagged as duplicates.")
    skipped = t["by_language"][t["by_language"]["not_scored"] > 0]
    if len(skipped):
        which = ", ".join(f"{r.language} {r.not_scored:,}" for r in skipped.itertuples())
        out.append(f"{int(skipped['not_scored'].sum()):,} documents were not scored: the model "
                   f"does not cover their language ({which}).")
    prev = t["prevalence"].sort_values("documents", ascending=False)
    if len(prev) and s["counts"]["documents"]:
        parts = [f"{r.mechanism} {r.documents:,} ({_pct(r.rate)})" for r in prev.itertuples()]
        out.append("Documents per mechanism: " + ", ".join(parts) + ".")
    months = t["mechanisms_by_month"]
    for label in prev["mechanism"]:
        if len(months) >= 3 and months[label].max() > 0:
            peak = months.loc[months[label].idxmax()]
            out.append(f"{label} peaks in {peak['month']} with {int(peak[label]):,} documents.")
            break  # the peak of the most prevalent mechanism only
    share = s.get("state_media_from_state_outlets")
    if share is not None:
        out.append(f"{_pct(share)} of state_media documents name among their sources an outlet "
                   f"the registry lists as state or state-affiliated.")
    src = t["by_source"]
    src = src[src["source"] != "(none)"]
    if len(src):
        top = src.iloc[0]
        out.append(f"The most frequent source is {top['source']} ({int(top['documents']):,} "
                   f"documents, registry affiliation: {top['affiliation']}).")
    dirs = t["accusation_directions"]
    if len(dirs):
        top = dirs.iloc[0]
        out.append(f"Accusations of propaganda run mostly {top['accuser']} → {top['accused']} "
                   f"({int(top['documents']):,} of {int(dirs['documents'].sum()):,} accusing "
                   f"documents with a direction).")
    nar = t.get("narratives_taxonomy")
    if nar is not None and len(nar):
        out.append(f"The most frequent taxonomy narrative is {nar.iloc[0]['narrative']} "
                   f"({int(nar.iloc[0]['documents']):,} documents).")
    spikes = t.get("spikes")
    if spikes is not None and len(spikes):
        sp = spikes.iloc[0]
        out.append(f"The strongest spike: {sp['kind']} {sp['key']} in week {sp['week']} with "
                   f"{int(sp['documents'])} documents against a baseline of "
                   f"{float(sp['baseline']):.1f}.")
    coord = s.get("coordination")
    if coord and not coord["skipped"]:
        if coord["clusters"]:
            top = coord["top"][0]
            out.append(f"Coordination: {coord['clusters']} cluster(s) of {coord['accounts']} "
                       f"accounts posted {coord['posts']} posts together; the strongest "
                       f"({top['cluster_id']}, score {top['score']:.2f}) has {top['n_accounts']} "
                       f"accounts and {top['n_posts']} posts in {top['n_bursts']} bursts.")
        else:
            out.append("Coordination: no cluster of accounts posting together was found.")
    review = len(t["review_queue"])
    if review:
        out.append(f"{review} document(s) score within {s['review_queue']['margin']} of a "
                   f"threshold and are listed in the review queue.")
    return out
