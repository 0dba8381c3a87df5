"""Hostile account handles (control characters, formulas) cannot break the coordination
outputs: the GraphML is written and parses, the edge CSV is spreadsheet-safe, and the raw
handles stay in the Parquet outputs."""
import csv

import networkx as nx
import numpy as np
import pandas as pd

from pipeline import coordination
from tests.coordination.test_detect import campaign, organic
from tests.coordination.test_stage import export, prepared_run

# the second and third become "bot" without their control characters, like the first
HANDLES = ["bot", "bot\x00", "b\x1bot", "=cmd|' /C calc'!A0\x07", "sock\ufffe"]


def test_control_characters_in_handles_do_not_break_graphml_or_csv(tmp_path, config):
    rng = np.random.default_rng(7)
    puppets = campaign(rng, n_puppets=len(HANDLES), prefix="puppet")
    rows = organic(rng, n_posts=300) + [(HANDLES[int(a.removeprefix("puppet"))], t, x)
                                         for a, t, x in puppets]
    run = prepared_run(tmp_path, export(tmp_path, rows), config)
    result = coordination(run, config)
    assert result["skipped"] is False

    clusters = pd.read_parquet(run.path / "coordination.parquet")
    assert sorted(a for accounts in clusters["accounts"] for a in accounts) == sorted(HANDLES)
    graph = nx.read_graphml(run.path / "coordination.graphml")
    assert sorted(graph.nodes) == ["=cmd|' /C calc'!A0", "bot", "bot#2", "bot#3", "sock"]
    n = len(HANDLES)
    assert graph.number_of_edges() == n * (n - 1) // 2
    post_ids = {i for _, _, d in graph.edges(data=True) for i in d["post_ids"].split()}
    assert len(post_ids) == len(puppets)

    with open(run.path / "coordination_edges.csv", newline="", encoding="utf-8") as fh:
        edges = list(csv.DictReader(fh))
    accounts = {row[side] for row in edges for side in ("account_a", "account_b")}
    assert accounts == {"bot", "'=cmd|' /C calc'!A0", "sock\ufffe"}
    raw = pd.read_parquet(run.path / "coordination_edges.parquet")
    assert set(raw["account_a"]) | set(raw["account_b"]) == set(HANDLES)
