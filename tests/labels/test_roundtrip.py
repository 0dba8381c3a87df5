"""The retraining loop end to end: run -> suggest -> an annotator (a held labelled file) ->
import -> retrain -> compare -> promote; then a challenger trained on noisy labels is refused
and the champion stays; rollback and promotion by hand are recorded."""
import json

import numpy as np
import pandas as pd
import pytest

from pipeline import load_config, run_pipeline
from pipeline.config import PROJECT_ROOT
from pipeline.labels.formats import read_labels, write_tasks
from pipeline.labels.registry import ModelRegistry
from pipeline.labels.retrain import retrain
from pipeline.labels.store import LabelStore
from pipeline.labels.suggest import suggest
from pipeline.model.io import load_meta
from pipeline.model.taxonomy import mechanism_ids
from pipeline.model.train import train

SEED = PROJECT_ROOT / "corpora" / "labelled" / "mechanisms.jsonl"
LABELS = mechanism_ids()


def annotate(tasks_file, answers, when, noise_rng=None):
    """Label Studio export of the suggested tasks, labelled from the answer key."""
    tasks = json.loads(tasks_file.read_text())
    out = []
    for i, task in enumerate(tasks):
        gold = answers[task["data"]["text"]]
        if noise_rng is not None:
            gold = [l for l in LABELS if noise_rng.random() < 0.5]
        out.append({"id": i, "data": task["data"], "annotations": [{
            "result": [{"from_name": "mechanisms", "to_name": "text", "type": "choices",
                        "value": {"choices": gold}}],
            "completed_by": {"email": "annotator@example.org"}, "updated_at": when}]})
    path = tasks_file.with_name(f"export-{when[:10]}.json")
    path.write_text(json.dumps(out))
    return path


@pytest.mark.slow
def test_suggest_import_retrain_promote_then_refuse_noise(tmp_path):
    rows = [json.loads(line) for line in SEED.read_text().splitlines() if line.strip()]
    train_rows = [r for r in rows if r.get("split", "train") == "train"]
    rng = np.random.default_rng(0)
    order = rng.permutation(len(train_rows))
    small = [train_rows[i] for i in order[:200]]  # what the first model learnt from
    held = [train_rows[i] for i in order[200:]]   # the annotator's answer key
    seed_file = tmp_path / "seed_small.jsonl"
    seed_file.write_text("".join(json.dumps(r) + "\n" for r in small))
    models = tmp_path / "models"
    config = load_config(overrides=[
        f"classify.model='{models / 'mechanisms'}'", f"labels.store='{tmp_path / 'labels.duckdb'}'",
        f"labels.registry='{models / 'registry.json'}'", f"labels.seed_data=['{seed_file}']",
        f"labels.eval_data='{SEED}'", "labels.second_eval_data=''", "train.embeddings=''",
        "narratives.enabled=false", "train.cv_folds=3", "labels.bootstrap=300"])
    champion = train(seed_file, models / "mechanisms", config)["version"]

    corpus = tmp_path / "corpus.csv"
    pd.DataFrame({"id": [f"h{i}" for i in range(len(held))], "text": [r["text"] for r in held],
                  "source": [r.get("source") for r in held]}).to_csv(corpus, index=False)
    run = run_pipeline([str(corpus)], str(tmp_path / "run"), config)

    # suggest: the most informative documents, pre-filled for Label Studio
    store = LabelStore(config["labels"]["store"])
    model = run.manifest["model"]
    picked = suggest(run, LABELS, model["thresholds"], 150, "mixed", store.hashes())
    assert len(picked) == 150 and picked["id"].is_unique
    tasks_file = tmp_path / "tasks.json"
    write_tasks(picked, LABELS, "label-studio", tasks_file, model["version"])
    tasks = json.loads(tasks_file.read_text())
    assert all(set(t["predictions"][0]["result"][0]["value"]["choices"]) <= set(LABELS)
               for t in tasks)
    everyone = suggest(run, LABELS, model["thresholds"], len(held), "uncertainty")
    top = everyone["uncertainty"].head(150)
    assert picked["uncertainty"].mean() >= everyone["uncertainty"].mean()  # informative
    assert top.is_monotonic_decreasing

    # the annotator answers from the held labelled file; import
    answers = {r["text"]: r["labels"] for r in held}
    export = annotate(tasks_file, answers, "2026-11-20T10:00:00Z")
    records, n_rows, problems = read_labels(export, "label-studio", LABELS)
    assert n_rows == 150 and not problems
    store.add(records, str(export), "label-studio", n_rows, problems)
    assert len(store.current(LABELS)) == 150

    # suggesting again never returns what is already labelled
    again = suggest(run, LABELS, model["thresholds"], 50, "uncertainty", store.hashes())
    assert not set(again["id"]) & set(picked["id"])

    result = retrain(config, by="tester")
    assert result["counts"]["store_rows"] == 150 and result["counts"]["seed_rows"] == 200
    assert result["decision"] == "promoted", result
    assert result["macro"]["challenger_f1"] > result["macro"]["champion_f1"]
    for v in result["per_label"].values():
        assert v["ci95"][0] <= v["delta"] <= v["ci95"][1]
    registry = ModelRegistry(config["labels"]["registry"], models / "mechanisms")
    better = result["challenger"]
    assert registry.load()["champion"] == better
    assert load_meta(models / "mechanisms")["version"] == better
    assert (registry.versions_dir / better / "training.jsonl").exists()
    shown = registry.show(better)
    assert shown["comparison"]["promote"] is True and shown["promoted_by"] == "tester"

    # the same texts re-labelled at random later: the latest labels win, the model is worse
    noisy = annotate(tasks_file, answers, "2026-11-24T10:00:00Z", np.random.default_rng(1))
    records, n_rows, problems = read_labels(noisy, "label-studio", LABELS)
    store.add(records, str(noisy), "label-studio", n_rows, problems)
    first = tasks[0]["data"]["text"]
    assert len(store.history(first)) == 2 * len(LABELS)  # both decisions are kept
    result = retrain(config, by="tester")
    assert result["decision"] == "refused", result
    assert registry.load()["champion"] == better
    assert load_meta(models / "mechanisms")["version"] == better
    assert registry.show(result["challenger"])["status"] == "refused"

    # rollback to the first model, then promote by hand: both recorded
    assert registry.rollback("tester") == champion
    assert load_meta(models / "mechanisms")["version"] == champion
    registry.promote(better, "tester", forced=True, note="by hand")
    events = registry.load()["events"]
    assert [e["event"] for e in events][-2:] == ["rolled back", "promoted"]
    assert events[-1] == {**events[-1], "event": "promoted", "version": better, "forced": True}
    assert any(e["event"] == "rolled back" and e["version"] == champion for e in events)
