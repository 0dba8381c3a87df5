"""The coordination stage over a run folder: outputs, notes for posts it cannot use, and the
classifier's coordinated_campaign evidence for cluster posts."""
import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from pipeline import Run, clean, coordination, ingest, load_config, run_pipeline
from tests.coordination.test_detect import T0, campaign, organic
from tests.conftest import write


def export(tmp_path, rows, extra=()):
    records = [{"post_id": f"p{i}", "user": a,
                "created_at": pd.Timestamp(t, unit="s", tz="UTC").isoformat(), "message": x}
               for i, (a, t, x) in enumerate(rows)]
    records += list(extra)
    return write(tmp_path / "posts.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")


MAPPING = {"id": "post_id", "author": "user", "published_at": "created_at", "text": "message"}


def prepared_run(tmp_path, path, config):
    run = Run.create(tmp_path / "run")
    ingest(run, config, [str(path)], MAPPING)
    clean(run, config)
    return run


def test_stage_writes_clusters_edges_graph_and_posts(tmp_path, config):
    rng = np.random.default_rng(5)
    rows = organic(rng, n_posts=600) + campaign(rng, n_puppets=6, edit=True)
    no_author = [{"post_id": "anon", "user": "", "created_at": "2023-11-14T22:13:20Z",
                  "message": "A post whose author the export lost."},
                 {"post_id": "undated", "user": "someone", "created_at": "",
                  "message": "A post whose time the export lost."}]
    run = prepared_run(tmp_path, export(tmp_path, rows, no_author), config)
    result = coordination(run, config)
    assert result["counts"] == {"input": len(rows) + 2, "analysed": len(rows),
                                "no_author_or_time": 2}
    assert any("2 record(s) without an author" in note for note in result["notes"])
    clusters = pd.read_parquet(run.path / "coordination.parquet")
    assert len(clusters) == 1 and sorted(clusters["accounts"][0]) == [f"sock{i}" for i in range(6)]
    first = pd.Timestamp(clusters["first_seen"][0]).timestamp()
    assert T0 + 7200 <= first < T0 + 7290  # the first burst, in UTC
    edges = pd.read_csv(run.path / "coordination_edges.csv")
    assert len(edges) == 15 and edges["post_ids"].str.split().str.len().min() >= 4
    graph = nx.read_graphml(run.path / "coordination.graphml")
    assert graph.number_of_nodes() == 6 and graph.number_of_edges() == 15
    assert {d["cluster_id"] for _, d in graph.nodes(data=True)} == {clusters["cluster_id"][0]}
    posts = pd.concat(run.iter_table("coordination_posts"))
    assert len(posts) == 24 and posts["id"].str.startswith("p").all()


def test_stage_without_authors_is_skipped_with_a_note(tmp_path, config):
    path = write(tmp_path / "news.csv", "id,text\n1,NATO troops arrived in Tapa.\n"
                                        "2,The ministry denied the report.\n")
    run = Run.create(tmp_path / "run")
    ingest(run, config, [str(path)])
    clean(run, config)
    result = coordination(run, config)
    assert result["skipped"] is True and result["counts"]["no_author_or_time"] == 2
    assert any("--map author=" in note for note in result["notes"])
    assert not run.has_table("coordination_posts")


@pytest.mark.slow
def test_pipeline_gives_cluster_posts_coordination_evidence(tmp_path):
    rng = np.random.default_rng(6)
    rows = organic(rng, n_posts=150) + campaign(rng, n_puppets=5, n_bursts=3)
    config = load_config(overrides=["narratives.enabled=false"])
    run = run_pipeline([str(export(tmp_path, rows))], str(tmp_path / "run"), config, MAPPING)
    pred = pd.read_parquet(run.path / "predictions.parquet")
    members = pd.concat(run.iter_table("coordination_posts"))
    flagged = pred[pred["id"].isin(members["id"])]
    assert len(flagged) == 15 and (flagged["coordinated_campaign"] == 1).all()
    evidence = [json.loads(e)["coordinated_campaign"] for e in flagged["evidence"]]
    assert all(any(item.get("field") == "coordination_cluster" for item in ev)
               for ev in evidence)
    others = pred[~pred["id"].isin(members["id"])]
    assert others["coordinated_campaign"].mean() < 0.05


TOOLKIT_HEADER = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls"


def toolkit_export_run(tmp_path, config, rows):
    """A run folder ingested and cleaned from coordination-network-toolkit CSV rows."""
    data = write(tmp_path / "export.csv", "\n".join([TOOLKIT_HEADER, *rows]) + "\n")
    run = Run.create(tmp_path / "run")
    ingest(run, config, [str(data)], {"author": "username", "published_at": "timestamp"})
    clean(run, config)
    return run


def test_links_listed_in_an_urls_column_are_link_events(tmp_path, config):
    """coordination-network-toolkit's CSV format: `message_id` is the id and a post's links
    are in `urls`, not in its text (issue #13)."""
    rows = []
    for burst in range(3):
        t0 = T0 + burst * 86400
        link = f"https://example-news.ru/story-{burst}"
        for k in range(4):
            rows.append(f"m{burst}-{k},{k},acct{k},,,Read this now ({burst}-{k}),"
                        f"{t0 + 20 * k},{link}")
    rng = np.random.default_rng(3)
    for i in range(200):
        rows.append(f"o{i},{100 + i},user{i},,,An ordinary post number {i},"
                    f"{T0 + int(rng.integers(0, 3 * 86400))},https://site{i}.org/page")
    run = toolkit_export_run(tmp_path, config, rows)
    assert set(pd.concat(run.iter_table("cleaned"))["id"]) >= {"m0-0", "o0"}
    result = coordination(run, config)
    assert result["detector"]["events"]["link"] == 3
    clusters = pd.read_parquet(run.path / "coordination.parquet")
    assert [sorted(a) for a in clusters["accounts"]] == [[f"acct{k}" for k in range(4)]]


def test_reposts_of_the_same_post_are_repost_events(tmp_path, config):
    """Accounts that repost the same post within minutes, each with words of their own (a
    toolkit-format `repost_id`), coordinate in the repost channel, which no text or link
    channel would see (issue #13)."""
    rows = []
    rng = np.random.default_rng(4)
    for burst in range(3):
        t0 = T0 + burst * 86400
        for k in range(5):
            words = " ".join(rng.choice(["wow", "look", "true", "finally", "read", "share",
                                         "see", "this", "now", "people"], size=4))
            rows.append(f"r{burst}-{k},{k},acct{k},target{burst},,{words} {burst}{k},"
                        f"{t0 + 30 * k},")
    for i in range(200):  # organic reposts of many posts, hours apart
        rows.append(f"o{i},{100 + i},user{i},post{i % 40},,My own words number {i},"
                    f"{T0 + int(rng.integers(0, 3 * 86400))},")
    run = toolkit_export_run(tmp_path, config, rows)
    result = coordination(run, config)
    assert result["detector"]["events"]["repost"] == 3
    clusters = pd.read_parquet(run.path / "coordination.parquet")
    assert [sorted(a) for a in clusters["accounts"]] == [[f"acct{k}" for k in range(5)]]
    no_repost = dict(config, coordination=dict(config["coordination"],
                                               channels=["text", "link", "hashtags"]))
    coordination(run, no_repost)
    assert pd.read_parquet(run.path / "coordination.parquet").empty


def test_repost_ids_are_read_from_the_shapes_exports_use():
    from pipeline.coordination import meta_fields
    assert meta_fields('{"repost_id": "123"}') == ("", "123")
    assert meta_fields('{"retweeted_status": {"id_str": "99", "id": 99}}')[1] == "99"
    assert meta_fields('{"retweet_id": 1.0e3}')[1] == "1000"
    assert meta_fields('{"repost_id": "", "retweet_id": null}')[1] == ""
    assert meta_fields('{"other": 1}') == ("", "") and meta_fields(None) == ("", "")
    assert meta_fields('{"urls": "https://a.example/x, https://b.example/y", '
                       '"retweet_id": 7}') == ("https://a.example/x https://b.example/y", "7")
