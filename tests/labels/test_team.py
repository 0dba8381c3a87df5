"""Labelling as a team, through the CLI, as the README's worked example does it: two
annotators label the same 100 texts (one in Label Studio, one in Prodigy), agreement is
printed, their disagreements are reviewed and adjudicated, an evaluation set of the team's
own labels is frozen, and a challenger is trained and promoted or refused with the reason."""
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline import load_config
from pipeline.cli import app
from pipeline.config import PROJECT_ROOT
from pipeline.labels.store import LabelStore
from pipeline.model.taxonomy import mechanism_ids
from pipeline.model.train import train

SEED = PROJECT_ROOT / "corpora" / "labelled" / "mechanisms.jsonl"
LABELS = mechanism_ids()
runner = CliRunner()


def label_studio_export(rows, who):
    return [{"id": i, "data": {"text": r["text"], "source": r.get("source")}, "annotations": [{
        "completed_by": {"email": who}, "updated_at": "2026-11-20T10:00:00Z",
        "result": [{"from_name": "mechanisms", "to_name": "text", "type": "choices",
                    "value": {"choices": r["labels"]}},
                   *([{"from_name": "direction", "to_name": "text", "type": "choices",
                       "value": {"choices": [r["direction"]]}}] if r.get("direction") else [])]
    }]} for i, r in enumerate(rows)]


def prodigy_export(rows, who):
    return [{"text": r["text"], "options": [{"id": l, "text": l} for l in LABELS],
             "accept": r["labels"], "answer": "accept", "_annotator_id": who,
             "meta": {"source": r.get("source"), "direction": r.get("direction")}}
            for r in rows]


@pytest.mark.slow
def test_two_annotators_agree_adjudicate_freeze_and_retrain(tmp_path):
    rows = [json.loads(line) for line in SEED.read_text().splitlines() if line.strip()]
    train_rows = [r for r in rows if r.get("split", "train") == "train"]
    order = np.random.default_rng(0).permutation(len(train_rows))
    first_model = [train_rows[i] for i in order[:200]]
    team = [train_rows[i] for i in order[200:300]]  # the 100 texts both annotators label
    # bob disagrees with the key on every seventh text (one label flipped)
    rng = np.random.default_rng(1)
    bob = []
    for i, r in enumerate(team):
        labels = list(r["labels"])
        if i % 7 == 0:
            flip = LABELS[rng.integers(len(LABELS))]
            labels = [l for l in labels if l != flip] if flip in labels else labels + [flip]
        bob.append({**r, "labels": labels})
    ann_file = tmp_path / "ann-label-studio.json"
    ann_file.write_text(json.dumps(label_studio_export(team, "ann@example.org")))
    bob_file = tmp_path / "bob-prodigy.jsonl"
    bob_file.write_text("".join(json.dumps(t) + "\n" for t in prodigy_export(bob, "bob")))

    models = tmp_path / "models"
    sets = [f"classify.model='{models / 'mechanisms'}'",
            f"labels.store='{tmp_path / 'labels.duckdb'}'",
            f"labels.registry='{models / 'registry.json'}'",
            f"labels.seed_data=['{tmp_path / 'first.jsonl'}']", "labels.second_eval_data=''",
            f"labels.eval_data='{SEED}'", "train.cv_folds=3", "labels.bootstrap=300"]
    opts = [arg for s in sets for arg in ("--set", s)]
    (tmp_path / "first.jsonl").write_text("".join(json.dumps(r) + "\n" for r in first_model))
    train(tmp_path / "first.jsonl", models / "mechanisms", load_config(overrides=sets))

    for path, fmt in ((ann_file, "label-studio"), (bob_file, "prodigy")):
        done = runner.invoke(app, ["labels", "import", str(path), "-f", fmt, *opts])
        assert done.exit_code == 0 and "imported 100 document(s)" in done.output, done.output

    agreement = json.loads(runner.invoke(app, ["labels", "agreement", "--json", *opts]).output)
    by_label = {r["label"]: r for r in agreement}
    assert all(by_label[l]["texts"] == 100 and by_label[l]["annotators"] == 2 for l in LABELS)
    assert 0.5 < min(by_label[l]["krippendorff_alpha"] for l in LABELS) < 1.0
    disagreeing = 100 - sum(r["labels"] == b["labels"] for r, b in zip(team, bob))

    review_file = tmp_path / "review.json"
    review = runner.invoke(app, ["labels", "review", "--out", str(review_file), *opts])
    assert f"{disagreeing} text(s) with disagreements ({disagreeing} tie(s)" in review.output
    tasks = json.loads(review_file.read_text())
    assert len(tasks) == disagreeing
    # the lead adjudicates with the answer key, in Label Studio
    key = {r["text"]: r for r in team}
    adjudicated = tmp_path / "adjudicated.json"
    adjudicated.write_text(json.dumps(label_studio_export(
        [key[t["data"]["text"]] for t in tasks], "lead@example.org")))
    done = runner.invoke(app, ["labels", "import", str(adjudicated), "-f", "label-studio",
                               "--adjudicate", *opts])
    assert done.exit_code == 0, done.output
    gold = LabelStore(tmp_path / "labels.duckdb").current(LABELS).set_index("text")
    assert len(gold) == 100 and gold[LABELS].notna().all().all()
    for text, r in key.items():
        assert [l for l in LABELS if gold.loc[text, l] == 1] == [l for l in LABELS
                                                                 if l in r["labels"]]

    frozen = runner.invoke(app, ["labels", "freeze-eval", "--size", "40", *opts])
    assert frozen.exit_code == 0 and "froze 40 text(s)" in frozen.output, frozen.output

    result = runner.invoke(app, ["retrain", "--by", "lead", *opts])
    assert result.exit_code == 0, result.output
    assert ("promoted:" in result.output) or ("refused:" in result.output)
    assert "95% interval" in result.output  # the reason names the interval
    registry = json.loads((models / "registry.json").read_text())
    challenger = list(registry["versions"])[-1]
    comparison = json.loads((models / "versions" / challenger / "comparison.json").read_text())
    assert comparison["evaluation"]["data"].endswith("(labels freeze-eval)")
    assert comparison["documents"] == 40 and comparison["counts"]["store_rows"] == 60
    assert [e["data"] for e in comparison["reported_evaluations"]] == [str(SEED)]
