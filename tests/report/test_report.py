"""Report outputs: every table in CSV and Parquet, run.duckdb, Markdown, formats, and figures
that agree with the predictions they summarise."""
import json

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline import Run, load_config, report, run_pipeline
from pipeline.cli import app
from pipeline.report.data import connect, view_sql
from pipeline.report.markdown import md_table
from tests.conftest import write


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


def test_run_duckdb_answers_sql_from_any_directory(sample_run, monkeypatch, tmp_path):
    run, _ = sample_run
    monkeypatch.chdir(tmp_path)  # not the run folder (issue #13)
    con = duckdb.connect(str(run.path / "run.duckdb"), read_only=True)
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
    assert "x \\| y \\<b>z\\</b>" in table  # no tag opens
    assert "RU->WEST" in md_table(pd.DataFrame({"direction": ["RU->WEST"]}))


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


@pytest.fixture(scope="module")
def awkward_folder_run(tmp_path_factory):
    """News and a copy-paste network run into a folder named with a quote and glob characters
    (issue #16), beside a decoy folder that a glob over the run folder's name would match."""
    root = tmp_path_factory.mktemp("folders")
    rows = [{"id": f"n{i}", "title": f"Report {i}", "source": "RT" if i % 2 else "BBC",
             "published_at": f"2024-0{1 + i % 6}-1{i % 9}T10:00:00Z",
             "text": f"NATO is preparing an attack on Russia, RT reports ({i}). Western media "
                     f"spread Russophobic lies about the Baltic exercise, Lavrov said."}
            for i in range(8)]
    rows += [{"id": f"s{burst}-{a}", "author": f"account{a}",
              "published_at": f"2024-03-0{1 + burst}T12:0{a}:00Z",
              "text": f"Share now: NATO lies about the Baltic exercise number {burst}"}
             for burst in range(3) for a in range(4)]
    data = write(root / "posts.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    news = write(root / "news.jsonl", "\n".join(json.dumps(r) for r in rows[:8]) + "\n")
    config = load_config()
    run_pipeline([str(news)], str(root / "it's x decoy"), config)
    return run_pipeline([str(data)], str(root / "it's [x] *"), config)


def test_a_run_folder_named_with_a_quote_and_glob_characters_reports(awkward_folder_run,
                                                                      monkeypatch):
    run = awkward_folder_run
    summary = json.loads((run.path / "summary.json").read_text())
    assert summary["counts"]["documents"] == run.manifest["accounting"]["input_records"] == 20
    assert summary["coordination"]["clusters"] >= 1
    assert len(pd.read_parquet(run.path / "predictions.parquet")) == 20
    assert (run.path / "report.html").exists() and (run.path / "report.md").exists()
    # the views read this run's parts, not those of the decoy that the name matches as a glob
    con = connect(run, load_config())
    assert con.execute("select count(*) from predictions").fetchone()[0] == 20
    monkeypatch.chdir(run.path)
    con = duckdb.connect("run.duckdb", read_only=True)
    assert con.execute("select count(*) from predictions").fetchone()[0] == 20
    assert con.execute("select count(*) from evidence e join predictions p using (id)"
                       ).fetchone()[0] > 0
    assert con.execute("select count(*) from coordination_posts").fetchone()[0] > 0
    con.close()


def test_view_sql_names_the_part_files_or_escaped_globs(awkward_folder_run):
    run = awkward_folder_run
    absolute = view_sql(run)
    # the quote doubled, the glob characters as one-character classes
    assert "/it''s [[]x] [*]/predictions/part-00000.parquet'" in absolute["predictions"]
    assert "part-*" not in absolute["predictions"]
    globs = view_sql(run, globs=True)
    assert "/it''s [[]x] [*]/predictions/part-*.parquet'" in globs["predictions"]
    assert "/it''s [[]x] [*]/clusters.parquet'" in globs["narrative_clusters"]


def test_a_corpus_with_empty_titles_reports(tmp_path):
    """80 rows, 30 of them with an empty title (issue #16): discovered narratives list the
    untitled representatives by id."""
    rows = ["id,title,source,published_at,text"]
    topics = ["NATO troops arrive at the Baltic border for a military exercise",
              "RT says Western media spread Russophobic lies about Russia",
              "Sputnik claims the alliance is preparing an attack on Belarus",
              "Officials in Tallinn deny reports of a coming invasion"]
    for i in range(80):
        title = "" if i % 8 < 3 else f"Headline {i}"
        rows.append(f'r{i},{title},{"RT" if i % 3 else "BBC"},2024-0{1 + i % 9}-1{i % 9},'
                    f'"{topics[i % 4]}, article {i} says. {topics[(i + 1) % 4]} as well."')
    data = write(tmp_path / "titles.csv", "\n".join(rows) + "\n")
    run = run_pipeline([str(data)], str(tmp_path / "run"), load_config())
    pred = pd.read_parquet(run.path / "predictions.parquet")
    assert len(pred) == 80 and pred["title"].isna().sum() == 30
    clusters = pd.read_parquet(run.path / "clusters.parquet")
    reps = [r for x in clusters["representatives"] for r in json.loads(x)]
    untitled = [r["id"] for r in reps if r["title"] is None]
    assert untitled  # stored as null, so the report falls back to the id
    shown = pd.read_parquet(run.path / "tables" / "narratives_discovered.parquet")
    listed = " | ".join(shown["representatives"]).split(" | ")
    assert set(untitled) <= set(listed)
