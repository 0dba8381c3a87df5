"""Report outputs: every table in CSV and Parquet, run.duckdb, Markdown, formats, and figures
that agree with the predictions they summarise."""
import json

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline import Run, report
from pipeline.cli import app
from pipeline.report.markdown import md_table


def test_every_table_is_written_as_csv_and_parquet(sample_run):
    run, _ = sample_run
    tables = run.path / "tables"
    names = {p.stem for p in tables.glob("*.parquet")}
    assert {"prevalence", "mechanisms_by_month", "by_source", "by_affiliation", "by_language",
            "accusation_directions", "narratives_taxonomy", "narratives_discovered", "spikes",
            "coordination_clusters", "review_queue", "quarantine_reasons"} <= names
    for name in names:
        parquet = pd.read_parquet(tables / f"{name}.parquet")
        csv = pd.read_csv(tables / f"{name}.csv")
        assert list(parquet.columns) == list(csv.columns) and len(parquet) == len(csv), name


def test_figures_agree_with_the_predictions(sample_run):
    run, config = sample_run
    pred = pd.read_parquet(run.path / "predictions.parquet")
    summary = json.loads((run.path / "summary.json").read_text())
    labels = run.manifest["model"]["labels"]
    for label in labels:
        assert summary["prevalence"][label]["documents"] == int(pred[label].sum())
    months = pd.read_parquet(run.path / "tables" / "mechanisms_by_month.parquet")
    assert months["documents"].sum() == pred["published_at"].notna().sum()
    dirs = pd.read_parquet(run.path / "tables" / "accusation_directions.parquet")
    accusing = pred[(pred["mutual_accusation"] == 1).fillna(False)
                    & pred["mutual_accusation_direction"].notna()]
    assert dirs["documents"].sum() == len(accusing)
    queue = pd.read_parquet(run.path / "tables" / "review_queue.parquet")
    assert len(queue) and (queue["distance"] <= config["report"]["review_margin"]).all()
    assert queue["id"].is_unique and queue["distance"].is_monotonic_increasing
    aff = pd.read_parquet(run.path / "tables" / "by_affiliation.parquet")
    assert "state" in set(aff["affiliation"]) and "unregistered" in set(aff["affiliation"])
    assert summary["coordination"]["clusters"] >= 1
    assert summary["model"]["training_data_hash"].startswith("sha256:")
    assert summary["findings"][0].startswith(f"{len(pred):,} of ")  # the sentences, as data


def test_documents_in_languages_the_model_does_not_score_are_counted_not_scored(sample_run):
    """The sample has 27 translated texts (ru, de, uk) and two Hungarian ones in
    multilingual.jsonl, and an Estonian post in social.jsonl: the model scores ru, de and uk,
    not hu or et."""
    run, _ = sample_run
    pred = pd.read_parquet(run.path / "predictions.parquet")
    unscored = pred[pred["lang"].isin(["hu", "et"])]
    assert sorted(unscored["lang"]) == ["et", "hu", "hu"]
    assert unscored["not_scored"].str.startswith("unsupported_language: '").all()
    assert unscored["state_media"].isna().all() and unscored["state_media_score"].isna().all()
    translated = pred[pred["id"].str.endswith(("-ru", "-de", "-uk"))]
    assert len(translated) == 27 and translated["not_scored"].isna().all()
    assert translated["mutual_accusation"].sum() >= 1 and translated["state_media"].sum() >= 1
    counts = run.manifest["stages"]["classify"]["counts"]
    assert counts["not_scored"] == 3
    assert counts["languages"]["hu"] == {"scored": 0, "not_scored": 2}
    assert counts["languages"]["ru"]["not_scored"] == 0
    assert counts["languages"]["ru"]["scored"] == int((pred["lang"] == "ru").sum())
    by_language = pd.read_parquet(run.path / "tables" / "by_language.parquet")
    by_language = by_language.set_index("language")
    assert by_language.loc["hu", "not_scored"] == 2 and by_language.loc["et", "not_scored"] == 1
    assert by_language.loc["de", "scored"] == int((pred["lang"] == "de").sum())
    assert pd.isna(by_language.loc["hu", "state_media_rate"])
    summary = json.loads((run.path / "summary.json").read_text())
    assert summary["counts"]["not_scored"] == 3
    assert summary["counts"]["scored"] == len(pred) - 3
    assert any("3 documents were not scored" in f and "hu 2" in f for f in summary["findings"])
    # shares are over the scored documents
    label = run.manifest["model"]["labels"][0]
    assert summary["prevalence"][label]["rate"] == round(
        int(pred[label].sum()) / (len(pred) - 3), 4)
    html = (run.path / "report.html").read_text(encoding="utf-8")
    assert "were not scored because the model does not cover their language: hu (2), " \
           "et (1)" in html


def test_run_duckdb_answers_sql_from_inside_the_run_folder(sample_run, monkeypatch):
    run, _ = sample_run
    monkeypatch.chdir(run.path)
    con = duckdb.connect("run.duckdb", read_only=True)
    n = con.execute("select count(*) from predictions").fetchone()[0]
    assert n == run.manifest["accounting"]["analysed"]
    joined = con.execute("""select count(*) from evidence e join predictions p using (id)
                            where e.label = 'state_media'""").fetchone()[0]
    assert joined > 0
    assert con.execute("select count(*) from report_prevalence").fetchone()[0] == 4
    con.close()


def test_markdown_report_has_the_findings_and_escapes_tables(sample_run):
    run, _ = sample_run
    md = (run.path / "report.md").read_text()
    assert md.startswith("# Disinformation narratives report")
    for heading in ("## Top findings", "## Mechanisms", "## Narratives", "## Coordination",
                    "## Evidence", "## Review queue", "## Model"):
        assert heading in md
    table = md_table(pd.DataFrame({"a": ["x | y <b>z</b>"]}))
    assert "x \\| y &lt;b&gt;z&lt;/b&gt;" in table


def test_formats_choose_what_is_rewritten(sample_run):
    run, config = sample_run
    (run.path / "report.html").unlink()
    report(Run.open(run.path), config, formats=["md"])
    assert not (run.path / "report.html").exists() and (run.path / "report.md").exists()
    with pytest.raises(ValueError, match="unknown report format"):
        report(Run.open(run.path), config, formats=["pdf"])
    result = CliRunner().invoke(app, ["report", str(run.path), "--format", "html,json"])
    assert result.exit_code == 0, result.output
    assert (run.path / "report.html").exists()
    assert run.manifest["stages"]["report"]["files"].keys() >= {"report.html", "summary.json"}
