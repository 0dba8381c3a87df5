"""Stage `coordination`: clusters of accounts that post the same or nearly the same content
together, from who posted what and when (see :mod:`pipeline.coordination.detect`).

Reads `cleaned` (`id`, `author`, `published_at`, `text`) and writes, in the run folder:

| file                              | content                                                  |
|-----------------------------------|----------------------------------------------------------|
| `coordination.parquet`            | one row per cluster: accounts, posts, bursts, first/last |
|                                   | time, representative message, score and its parts        |
| `coordination_edges.parquet/.csv` | account pairs with weight, events, overlap, channel and  |
|                                   | the ids of the posts behind the edge                     |
| `coordination.graphml`            | the account network (nodes carry their cluster id)       |
| `coordination_posts/`             | cluster posts (`id`, `cluster_id`, `score`, `account`,   |
|                                   | `burst`): the classifier's metadata path for             |
|                                   | `coordinated_campaign` reads it                          |

Records without an author or a parsable time take no part (counted in the manifest, with a
note); they are still classified. Without any such records the stage is skipped with a note.
"""
from __future__ import annotations

import csv
import json
import re
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

import networkx as nx
import numpy as np
import pandas as pd

from ..config import resolve_path
from ..safe_csv import write_csv
from ..store import Run, utc_now, write_parquet, write_with
from .detect import CoordinationDetector
from .normalise import load_resolution_table

POSTS_TABLE = "coordination_posts"
COLUMNS = ["id", "author", "published_at", "text", "meta"]
# Columns of platform exports that list a post's links apart from its text (kept in `meta`):
# coordination-network-toolkit's `urls`, Twitter's `expanded_urls`/`entities.urls`.
LINK_KEYS = ("urls", "links", "expanded_urls", "entities")
# Columns that name the post a post reposts (kept in `meta`): coordination-network-toolkit's
# `repost_id`, Twitter's `retweeted_status_id` / `retweeted_status.id_str`, and others'.
REPOST_KEYS = ("repost_of", "repost_id", "retweet_id", "retweeted_status_id",
               "retweeted_status", "reposted_id", "shared_post_id")
# what XML 1.0 cannot hold: C0 controls but TAB/LF/CR, surrogates, U+FFFE and U+FFFF
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def load_posts(run: Run) -> tuple[pd.DataFrame, int]:
    """The posts of the `cleaned` table with an author and a time (UTC seconds), and the
    number of records without one. Read part by part, keeping only the usable rows: a corpus
    without authors or times costs one part in memory, not every text."""
    frames, excluded = [], 0
    for part in run.iter_table("cleaned", columns=COLUMNS) if run.has_table("cleaned") else []:
        when = pd.to_datetime(part["published_at"], utc=True, errors="coerce", format="ISO8601")
        author = part["author"].astype("string").str.strip()
        usable = (author.notna() & (author != "") & when.notna()).to_numpy(dtype=bool)
        excluded += int((~usable).sum())
        if usable.any():
            fields = [meta_fields(m) for m in part.loc[usable, "meta"]]
            frames.append(pd.DataFrame({
                "id": part.loc[usable, "id"].astype(str),
                "author": author[usable].astype(str),
                "time": when[usable].dt.as_unit("s").astype(np.int64),
                "text": part.loc[usable, "text"].fillna("").astype(str),
                "links": [links for links, _ in fields],
                "repost_of": [repost for _, repost in fields]}))
    out = (pd.concat(frames, ignore_index=True) if frames else
           pd.DataFrame({"id": pd.Series(dtype=str), "author": pd.Series(dtype=str),
                         "time": pd.Series(dtype=np.int64), "text": pd.Series(dtype=str),
                         "links": pd.Series(dtype=str), "repost_of": pd.Series(dtype=str)}))
    return out, excluded


def _meta_object(meta: Any, keys: tuple[str, ...]) -> dict | None:
    """A record's `meta` JSON as a dict, when it may hold one of `keys` (parsed only then)."""
    if not isinstance(meta, str) or not any(key in meta for key in keys):
        return None
    try:
        data = json.loads(meta)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _links_in(data: dict | None) -> str:
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.extend(u for u in re.split(r"[\s,|]+", value) if "." in u)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for key in ("expanded_url", "unwound_url", "url", "urls"):
                if key in value:
                    walk(value[key])
                    break
    for key in LINK_KEYS:
        if data and key in data:
            walk(data[key])
    return " ".join(found)


def _repost_in(data: dict | None) -> str:
    for key in REPOST_KEYS if data else ():
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get("id_str") or value.get("id")
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value).strip()
        if value and value.lower() not in ("nan", "none", "null"):
            return value
    return ""


def meta_fields(meta: Any) -> tuple[str, str]:
    """What a record's export says apart from its text, its `meta` parsed once: the links it
    lists (LINK_KEYS: strings split on space, comma or pipe, lists, objects with a URL),
    joined by spaces, and the id of the post it reposts (REPOST_KEYS; an object gives its
    `id_str` or `id`); "" for either when absent."""
    data = _meta_object(meta, LINK_KEYS + REPOST_KEYS)
    return _links_in(data), _repost_in(data)


def _resolution(section: Mapping[str, Any]) -> dict[str, str] | None:
    if not section["url_resolution"]:
        return None
    path = resolve_path(section["url_resolution"])
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [(r[0], r[1]) for r in csv.reader(fh) if len(r) >= 2 and r[0] != "short"]
    return load_resolution_table(rows)


def _iso(seconds: pd.Series) -> pd.Series:
    return pd.to_datetime(seconds, unit="s", utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _xml_ids(accounts: Iterable[str]) -> dict[str, str]:
    """Each account's GraphML node id: its name without the characters XML 1.0 cannot hold,
    with `#2`, `#3`, ... appended where that would make two accounts one."""
    unique = sorted(dict.fromkeys(accounts), key=lambda a: _xml_text(a) != a)  # clean first
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for account in unique:
        base = candidate = _xml_text(account)
        n = 1
        while candidate in taken:
            n += 1
            candidate = f"{base}#{n}"
        ids[account] = candidate
        taken.add(candidate)
    return ids


def write_graphml(path: Path, edges: pd.DataFrame, clusters: pd.DataFrame) -> None:
    """The account network as GraphML. Characters XML 1.0 cannot hold (control characters,
    lone surrogates) are removed from account names and attributes, so hostile handles cannot
    break the export; the raw names stay in the Parquet outputs."""
    ids = _xml_ids([*(a for accounts in clusters["accounts"] for a in accounts),
                    *edges["account_a"], *edges["account_b"]])
    graph = nx.Graph()
    for cluster_id, accounts in zip(clusters["cluster_id"], clusters["accounts"]):
        for account in accounts:
            graph.add_node(ids[account], cluster_id=cluster_id)
    for row in edges.itertuples(index=False):
        graph.add_edge(ids[row.account_a], ids[row.account_b], weight=float(row.weight),
                       events=int(row.events), overlap=float(row.overlap), channel=row.channel,
                       post_ids=_xml_text(" ".join(row.post_ids)))
    write_with(path, lambda tmp: nx.write_graphml(graph, tmp))


def coordination(run: Run, config: Mapping[str, Any]) -> dict[str, Any]:
    """Find coordinated clusters in the run's cleaned records; return the stage's record."""
    started = time.perf_counter()
    section = config["coordination"]
    run.reset_table(POSTS_TABLE)
    posts, excluded = load_posts(run)
    notes = []
    if excluded:
        notes.append(f"{excluded} record(s) without an author or a parsable published_at "
                     f"took no part in coordination detection (they are still classified).")
    result: dict[str, Any] = {"started_at": utc_now(), "counts": {
        "input": len(posts) + excluded, "analysed": len(posts), "no_author_or_time": excluded}}
    if len(posts) < 2 or posts["author"].nunique() < 2:
        notes.append("skipped: coordination needs posts by at least two accounts with "
                     "`author` and `published_at` (map them with --map author=COLUMN "
                     "--map published_at=COLUMN).")
        result.update(skipped=True, notes=notes,
                      seconds=round(time.perf_counter() - started, 3))
        run.record_stage("coordination", result)
        return result
    detector = CoordinationDetector.from_config(section, url_resolution=_resolution(section))
    detector.fit(posts)
    clusters = detector.clusters_.copy()
    clusters["first_seen"] = _iso(clusters["first_seen"])
    clusters["last_seen"] = _iso(clusters["last_seen"])
    write_parquet(run.path / "coordination.parquet", clusters)
    edges = detector.edges_
    write_parquet(run.path / "coordination_edges.parquet", edges)
    flat = edges.assign(post_ids=[" ".join(ids) for ids in edges["post_ids"]])
    write_with(run.path / "coordination_edges.csv", lambda tmp: write_csv(tmp, flat))
    write_graphml(run.path / "coordination.graphml", edges, detector.clusters_)
    run.write_part(POSTS_TABLE, 0, detector.posts_)
    result.update(skipped=False, notes=notes, detector=detector.stats_,
                  seconds=round(time.perf_counter() - started, 3))
    run.record_stage("coordination", result)
    return result
