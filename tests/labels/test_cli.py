"""The loop's commands: labels import/stats, suggest, models list/show/promote/rollback."""
import json
import shutil

import pytest

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import PROJECT_ROOT
from tests.conftest import write
from tests.labels.test_registry import fake_version
from tests.labels.conftest import LABELS, THRESHOLDS

runner = CliRunner()


def test_labels_import_reports_rows_it_did_not_import(tmp_path):
    store = tmp_path / "labels.duckdb"
    path = write(tmp_path / "d.jsonl", "\n".join([
        json.dumps({"text": "Copy-paste network.", "label": ["coordinated_campaign"]}),
        json.dumps({"text": "Odd.", "label": ["trolling"]})]))
    result = runner.invoke(app, ["labels", "import", str(path), "--format", "doccano",
                                 "--annotator", "ann", "--set", f"labels.store='{store}'"])
    assert result.exit_code == 0, result.output
    assert "imported 1 document(s), 4 label(s) from 2 row(s)" in result.output
    assert "unknown_label" in result.output and "trolling" in result.output
    stats = runner.invoke(app, ["labels", "stats", "--set", f"labels.store='{store}'"])
    assert "coordinated_campaign: 1 positive, 0 negative" in stats.output
    bad = runner.invoke(app, ["labels", "import", str(path), "--format", "brat"])
    assert bad.exit_code == 2 and "unknown label format" in bad.output


def test_suggest_writes_tasks(run, tmp_path):
    run.update_manifest(model={"labels": LABELS, "thresholds": THRESHOLDS, "version": "v1"})
    out = tmp_path / "tasks.jsonl"
    result = runner.invoke(app, ["suggest", str(run.path), "--n", "7", "--strategy",
                                 "uncertainty", "--format", "doccano", "--out", str(out),
                                 "--set", f"labels.store='{tmp_path / 's.duckdb'}'"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(l) for l in out.read_text().splitlines()]
    assert len(lines) == 7 and all(set(l["label"]) <= set(LABELS) for l in lines)


def test_models_commands(tmp_path):
    champion = tmp_path / "models" / "mechanisms"
    shutil.copytree(PROJECT_ROOT / "models" / "mechanisms", champion)
    opts = ["--set", f"classify.model='{champion}'",
            "--set", f"labels.registry='{tmp_path / 'models' / 'registry.json'}'"]
    listed = runner.invoke(app, ["models", "list", *opts])
    assert listed.exit_code == 0 and "champion" in listed.output
    from pipeline.labels.registry import ModelRegistry
    ModelRegistry(tmp_path / "models" / "registry.json", champion).register(
        fake_version(tmp_path, "v2"))
    promoted = runner.invoke(app, ["models", "promote", "v2", "--by", "ann", *opts])
    assert promoted.exit_code == 0, promoted.output
    shown = json.loads(runner.invoke(app, ["models", "show", "v2", *opts]).output)
    assert shown["status"] == "champion" and shown["forced"] is True
    assert shown["promoted_by"] == "ann"
    back = runner.invoke(app, ["models", "rollback", "--by", "bob", *opts])
    assert back.exit_code == 0 and "champion:" in back.output
    missing = runner.invoke(app, ["models", "promote", "v9", *opts])
    assert missing.exit_code == 2 and "no model version" in missing.output


def test_two_annotators_import_agreement_and_undo(tmp_path):
    store = ["--set", f"labels.store='{tmp_path / 'labels.duckdb'}'"]
    texts = [f"Report {i} on NATO troops in Poland." for i in range(6)]
    ann = write(tmp_path / "ann.jsonl", "\n".join(
        json.dumps({"text": t, "label": ["sowing_doubt"] if i % 2 else []})
        for i, t in enumerate(texts)))
    bob = write(tmp_path / "bob.jsonl", "\n".join(
        json.dumps({"text": t, "label": ["sowing_doubt"] if i in (1, 3, 4) else []})
        for i, t in enumerate(texts)))
    first = runner.invoke(app, ["labels", "import", str(ann), "-f", "doccano",
                                "--annotator", "ann", *store])
    assert first.exit_code == 0 and "imported 6 document(s)" in first.output
    again = runner.invoke(app, ["labels", "import", str(ann), "-f", "doccano",
                                "--annotator", "ann", *store])
    assert again.exit_code == 0 and "already imported" in again.output
    import_id = again.output.split("disinfo labels undo ")[-1].split()[0]
    assert runner.invoke(app, ["labels", "import", str(bob), "-f", "doccano",
                               "--annotator", "bob", *store]).exit_code == 0
    table = json.loads(runner.invoke(app, ["labels", "agreement", "--json", *store]).output)
    sowing = next(r for r in table if r["label"] == "sowing_doubt")
    assert sowing["texts"] == 6 and sowing["annotators"] == 2
    assert sowing["observed"] == round(4 / 6, 4)
    assert "Agreement" in runner.invoke(app, ["labels", "agreement", *store]).output
    undo = runner.invoke(app, ["labels", "undo", import_id, *store])
    assert undo.exit_code == 0 and "24 label decision(s) withdrawn" in undo.output
    table = json.loads(runner.invoke(app, ["labels", "agreement", "--json", *store]).output,
                       parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert next(r for r in table if r["label"] == "sowing_doubt")["texts"] == 0
    assert next(r for r in table if r["label"] == "sowing_doubt")["observed"] is None
    stats = runner.invoke(app, ["labels", "stats", *store]).output
    assert "undone" in stats
    missing = runner.invoke(app, ["labels", "undo", import_id, *store])
    assert missing.exit_code == 2 and "already undone" in missing.output


def test_review_writes_disagreements_and_an_adjudicated_import_settles_them(tmp_path):
    store = ["--set", f"labels.store='{tmp_path / 'labels.duckdb'}'"]
    texts = ["NATO tanks are coming to Riga.", "The weather in Riga is fine.",
             "Western media lie about Russia."]
    for who, positives in (("ann", [["sowing_doubt"], [], ["mutual_accusation"]]),
                           ("bob", [[], [], ["mutual_accusation"]])):
        path = write(tmp_path / f"{who}.jsonl", "\n".join(
            json.dumps({"text": t, "label": p}) for t, p in zip(texts, positives)))
        assert runner.invoke(app, ["labels", "import", str(path), "-f", "doccano",
                                   "--annotator", who, *store]).exit_code == 0
    tasks = tmp_path / "review.jsonl"
    review = runner.invoke(app, ["labels", "review", "--out", str(tasks), "-f", "doccano",
                                 *store])
    assert review.exit_code == 0, review.output
    assert "1 text(s) with disagreements (1 tie(s)" in review.output
    written = [json.loads(line) for line in tasks.read_text().splitlines()]
    assert [t["text"] for t in written] == [texts[0]] and written[0]["label"] == []
    stats = runner.invoke(app, ["labels", "stats", *store]).output
    assert "sowing_doubt: 0 positive, 2 negative" in stats  # the tie has no gold label
    decided = write(tmp_path / "adjudicated.jsonl", json.dumps(
        {"text": texts[0], "label": ["sowing_doubt"]}))
    done = runner.invoke(app, ["labels", "import", str(decided), "-f", "doccano",
                               "--annotator", "lead", "--adjudicate", *store])
    assert done.exit_code == 0, done.output
    stats = runner.invoke(app, ["labels", "stats", *store]).output
    assert "sowing_doubt: 1 positive, 2 negative" in stats
    again = runner.invoke(app, ["labels", "review", *store]).output
    # a label list decides all four labels of the text, each now adjudicated
    assert "0 text(s) with disagreements" in again and "4 label(s) adjudicated" in again


def test_labels_export_writes_what_import_reads_and_says_what_it_left_out(tmp_path):
    store = ["--set", f"labels.store='{tmp_path / 'labels.duckdb'}'"]
    data = write(tmp_path / "l.csv", "text,state_media,sowing_doubt\n"
                                     "RT says NATO lies.,1,0\nHalf decided.,,1\n")
    assert runner.invoke(app, ["labels", "import", str(data), "-f", "csv", "--annotator",
                               "ann", *store]).exit_code == 0
    out = tmp_path / "tasks.json"
    done = runner.invoke(app, ["labels", "export", str(out), "-f", "label-studio", *store])
    assert done.exit_code == 0, done.output
    assert "wrote 0 text(s)" in done.output and "2 text(s) with undecided labels" in done.output
    full = runner.invoke(app, ["labels", "export", str(tmp_path / "l.jsonl"), "-f", "jsonl",
                               *store])
    assert "wrote 2 text(s)" in full.output
    bad = runner.invoke(app, ["labels", "export", str(out), "-f", "brat", *store])
    assert bad.exit_code == 2 and "unknown label format" in bad.output


def test_freeze_eval_command(tmp_path):
    store = ["--set", f"labels.store='{tmp_path / 'labels.duckdb'}'"]
    data = write(tmp_path / "l.jsonl", "\n".join(
        json.dumps({"text": f"Post {i}.", "labels": ["sowing_doubt"] if i % 3 == 0 else []})
        for i in range(30)))
    assert runner.invoke(app, ["labels", "import", str(data), "-f", "jsonl", "--annotator",
                               "ann", *store]).exit_code == 0
    done = runner.invoke(app, ["labels", "freeze-eval", "--size", "9", *store])
    assert done.exit_code == 0, done.output
    assert "froze 9 text(s) (state_media 0, coordinated_campaign 0, sowing_doubt 3, " \
           "mutual_accusation 0 positive)" in done.output
    too_many = runner.invoke(app, ["labels", "freeze-eval", "--size", "30", *store])
    assert too_many.exit_code == 2 and "cannot freeze 30" in too_many.output
    at_random = runner.invoke(app, ["labels", "freeze-eval", "--size", "5", "--stratify",
                                    "none", *store])
    assert at_random.exit_code == 0 and "now holds 14 text(s)" in at_random.output
    assert runner.invoke(app, ["labels", "freeze-eval", "--size", "5", "--stratify", "topic",
                               *store]).exit_code == 2


def test_a_doccano_file_without_times_does_not_beat_an_annotators_older_prodigy_labels(
        tmp_path):
    """Issue #14: doccano rows carry no timestamp, so they got the import time and won over
    older Prodigy labels. Decisions of different annotators are now votes, not a race."""
    store = ["--set", f"labels.store='{tmp_path / 'labels.duckdb'}'"]
    text = "NATO is preparing an attack on Russia."
    prodigy = write(tmp_path / "p.jsonl", json.dumps({
        "text": text, "options": [{"id": "sowing_doubt"}], "accept": ["sowing_doubt"],
        "answer": "accept", "_annotator_id": "ann", "_timestamp": 1700000000}))
    doccano = write(tmp_path / "d.jsonl", json.dumps({"text": text, "label": []}))
    for path, fmt in ((prodigy, "prodigy"), (doccano, "doccano")):
        assert runner.invoke(app, ["labels", "import", str(path), "-f", fmt,
                                   *store]).exit_code == 0
    stats = runner.invoke(app, ["labels", "stats", *store]).output
    assert "sowing_doubt: 0 positive, 0 negative, 1 undecided" in stats  # a tie, not a race
    import getpass

    from pipeline.labels.store import LabelStore
    history = LabelStore(tmp_path / "labels.duckdb").history(text)
    assert set(history["annotator"]) == {"ann", getpass.getuser()}  # the login name, unnamed
    review = runner.invoke(app, ["labels", "review", *store]).output
    assert "1 tie(s)" in review
    # named annotators who disagree on every text are flagged as a low-agreement label
    for who, labels in (("ann", ["sowing_doubt"]), ("bob", [])):
        rows = [json.dumps({"text": f"Text {i}.", "label": labels if i % 2 else ["state_media"]})
                for i in range(6)]
        path = write(tmp_path / f"{who}.jsonl", "\n".join(rows))
        runner.invoke(app, ["labels", "import", str(path), "-f", "doccano", "--annotator", who,
                            *store])
    review = runner.invoke(app, ["labels", "review", *store]).output
    assert "low agreement: sowing_doubt" in review
