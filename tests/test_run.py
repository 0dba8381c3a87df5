"""End to end: a mixed corpus through every stage; accounting; outputs; re-running stages."""
import json

import pandas as pd
import pytest

from pipeline import Run, load_config, report, run_pipeline
from pipeline.store import RunExistsError
from tests.conftest import write


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    news = write(root / "news.csv",
                 "headline,body,outlet,date\n"
                 "Drills,NATO began its annual Baltops exercise in the Baltic Sea.,Reuters,2019-06-01\n"
                 "War plans,NATO is preparing an attack on Russia from Poland.,RT,2020-02-03\n"
                 "Empty, ,BBC,2020-02-04\n"
                 "Bad date,Lavrov said Western media spread Russophobic lies.,TASS,someday\n")
    posts = write(root / "posts.jsonl", "\n".join([
        json.dumps({"message": "Hundreds of bot accounts posted the identical message.",
                    "account": "osint", "created_at": "2021-05-05T10:00:00Z"}),
        "{broken json",
        json.dumps({"message": "Hundreds of bot accounts posted the identical message.",
                    "account": "copycat", "created_at": "2021-05-05T10:01:00Z"}),
    ]))
    write(root / "pages/a.html", "<html><body><article><p>The Kremlin's disinformation "
          "machine is working at full speed, the EU's foreign policy chief said on "
          "Monday.</p></article></body></html>")
    out = root / "run"
    config = load_config()
    run = run_pipeline([str(news), str(posts), str(root / "pages")], str(out), config)
    return run, config


def test_accounting_adds_up(mixed_run):
    run, _ = mixed_run
    acc = run.manifest["accounting"]
    assert acc == {"input_records": 8, "analysed": 6, "quarantined": 2,
                   "duplicates_flagged": 1, "balanced": True}
    reasons = pd.read_parquet(run.path / "quarantine")["reason"].tolist()
    assert sorted(reasons) == ["empty_text", "malformed_record"]


def test_manifest_records_what_the_run_was(mixed_run):
    manifest = mixed_run[0].manifest
    assert set(manifest["stages"]) == {"ingest", "clean", "coordination", "classify",
                                       "narratives", "report"}
    assert all(s["seconds"] >= 0 for s in manifest["stages"].values())
    assert manifest["stages"]["ingest"]["counts"]["unparseable_dates"] == 1
    assert all("sha256" in i for i in manifest["inputs"])
    assert manifest["model"]["version"] and manifest["versions"]["spacy"]
    assert manifest["config"]["clean"]["max_chars"] == 100000


def test_predictions_have_one_row_per_analysed_record_and_evidence(mixed_run):
    run, _ = mixed_run
    pred = pd.read_parquet(run.path / "predictions.parquet")
    csv = pd.read_csv(run.path / "predictions.csv")
    assert len(pred) == len(csv) == run.manifest["accounting"]["analysed"]
    labels = run.manifest["model"]["labels"]
    for label in labels:
        assert {label, f"{label}_score"} <= set(pred.columns)
    for _, row in pred.iterrows():
        evidence = json.loads(row["evidence"])
        for label in labels:
            if row[label]:
                assert evidence[label], (row["id"], label)
    by_text = pred.set_index("title")
    assert by_text.loc["War plans", "state_media"] == 1
    assert by_text.loc["War plans", "sowing_doubt"] == 1
    assert by_text.loc["Bad date", "mutual_accusation_direction"] == "RU->WEST"
    assert pd.isna(by_text.loc["Bad date", "published_at"])


def test_summary_and_report(mixed_run):
    run, _ = mixed_run
    summary = json.loads((run.path / "summary.json").read_text())
    assert summary["counts"]["documents"] == 6
    assert summary["accounting"]["balanced"]
    assert {m["month"] for m in summary["per_month"]} >= {"2019-06", "2020-02", "2021-05"}
    assert any(s["source"] == "RT" for s in summary["per_source"])
    html = (run.path / "report.html").read_text()
    assert html.count("<script") == 1 and "Mechanisms" in html  # the page's own script only


def test_report_can_be_regenerated_alone(mixed_run):
    run, config = mixed_run
    before = (run.path / "predictions.csv").read_text()
    report(Run.open(run.path), config)
    assert (run.path / "predictions.csv").read_text() == before


def test_rerun_needs_overwrite(mixed_run):
    run, config = mixed_run
    with pytest.raises(RunExistsError):
        run_pipeline(["x.csv"], str(run.path), config)


def test_report_escapes_corpus_text(tmp_path):
    payload = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'
    data = write(tmp_path / "xss.csv", "title,text,source\n"
                 f"\"{payload}\",\"NATO is preparing for war. {payload}\",\"{payload}\"\n")
    run = run_pipeline([str(data)], str(tmp_path / "run"), load_config())
    html = (run.path / "report.html").read_text()
    assert "<script>document" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_coordination_clusters_feed_the_metadata_path(tmp_path):
    from pipeline import classify, clean, ingest, start_run
    data = write(tmp_path / "posts.jsonl", "\n".join(json.dumps(r) for r in [
        {"id": "p1", "text": "Good morning from Riga, the sun is out.", "author": "a"},
        {"id": "p2", "text": "Good morning from Vilnius, lovely day.", "author": "b"}]))
    config = load_config()
    run = start_run(str(tmp_path / "run"), config)
    ingest(run, config, [str(data)])
    clean(run, config)
    run.write_part("coordination_posts", 0, pd.DataFrame(
        {"id": ["p1"], "cluster_id": ["C-1"], "score": [0.95]}))
    result = classify(run, config)
    assert result["counts"]["coordination_members"] == 1
    pred = pd.concat(run.iter_table("predictions")).set_index("id")
    assert pred.loc["p1", "coordinated_campaign"] == 1 and pred.loc["p2", "coordinated_campaign"] == 0
    evidence = json.loads(pred.loc["p1", "evidence"])["coordinated_campaign"]
    assert evidence[0] == {"kind": "metadata", "field": "coordination_cluster", "value": "C-1",
                           "score": 0.95}


def test_narratives_stage_outputs_in_the_run(mixed_run):
    run, _ = mixed_run
    stage = run.manifest["stages"]["narratives"]
    assert "discovery skipped" in stage["note"]  # six documents cannot be factorised
    tags = pd.read_parquet(run.path / "narratives").set_index("id")
    pred = pd.read_parquet(run.path / "predictions.parquet").set_index("title")
    war_plans = tags.loc[pred.loc["War plans", "id"]]
    assert "military_provocation" in war_plans["taxonomy"]
    evidence = json.loads(war_plans["taxonomy_evidence"])["military_provocation"]
    assert evidence["sentences"][0]["text"].startswith("NATO is preparing an attack")
    trends = pd.read_parquet(run.path / "trends.parquet")
    assert {"taxonomy", "mechanism"} <= set(trends["kind"])
    assert {"week", "month"} == set(trends["period_type"])
    summary = json.loads((run.path / "summary.json").read_text())
    assert summary["narratives"]["taxonomy"]


def test_a_corpus_with_nothing_to_analyse_still_gets_a_report(tmp_path):
    data = write(tmp_path / "empty.csv", "id,text\n1, \n2,\n")
    run = run_pipeline([str(data)], str(tmp_path / "run"), load_config())
    assert run.manifest["accounting"] == {"input_records": 2, "analysed": 0, "quarantined": 2,
                                          "duplicates_flagged": 0, "balanced": True}
    summary = json.loads((run.path / "summary.json").read_text())
    assert summary["counts"]["documents"] == 0
    assert "0 of 2 input records were analysed" in (run.path / "report.html").read_text()
