"""The shipped default model: in sync with the seed set and as good as the issue requires."""
import json

import pandas as pd

from pipeline.config import PROJECT_ROOT
from pipeline.model.data import data_hash, load_labelled
from pipeline.model.evaluate import evaluate
from pipeline.model.taxonomy import mechanism_ids

MODEL = PROJECT_ROOT / "models" / "mechanisms"
SEED_SET = PROJECT_ROOT / "corpora" / "labelled" / "mechanisms.jsonl"


def test_seed_set_meets_the_labelling_brief():
    df = load_labelled(SEED_SET, mechanism_ids())
    assert len(df) >= 800 and df["text"].is_unique
    for label in mechanism_ids():
        assert df["labels"].apply(lambda ls: label in ls).sum() >= 120, label
    assert set(df["split"]) == {"train", "test"}
    assert set(df["genre"]) == {"news", "claim", "debunk", "social", "headline"}
    acc = df[df["labels"].apply(lambda ls: "mutual_accusation" in ls)]
    assert acc["direction"].isin(["RU->WEST", "WEST->RU", "other"]).all()


def test_shipped_model_was_trained_on_the_current_seed_set():
    meta = json.loads((MODEL / "meta.json").read_text())
    assert meta["training_data"]["hash"] == data_hash(SEED_SET), \
        "the seed set changed: rebuild the model with `make model`"
    assert meta["labels"] == mechanism_ids()


def test_shipped_model_scores_on_the_test_split(config, tmp_path):
    metrics = evaluate(MODEL, SEED_SET, config, out=tmp_path / "metrics.json")
    assert metrics["split"] == "test" and metrics["n_documents"] > 150
    assert metrics["macro_f1"] >= 0.85
    for label, m in metrics["per_label"].items():
        assert m["f1"] >= 0.75, label
    assert json.loads((tmp_path / "metrics.json").read_text())["macro_f1"] == metrics["macro_f1"]


def test_every_positive_has_evidence_and_metadata_path_fires(predictor):
    records = pd.DataFrame({
        "text": ["NATO began its annual Baltops exercise on Monday.",
                 "The Kremlin's disinformation machine is working at full speed, the EU said.",
                 "Hundreds of bot accounts posted the identical message within minutes.",
                 "NATO is preparing an attack on Russia. Its so-called defensive posture is a lie."],
        "source": ["TASS - Russian", None, None, None]})
    pred = predictor.predict(records)
    labels = pred.labels
    for i in range(len(records)):
        for j, label in enumerate(labels):
            if pred.decisions[i, j]:
                assert pred.evidence[i][label], (i, label)
    state = pred.evidence[0]["state_media"]
    assert state[0]["kind"] == "metadata" and state[0]["outlet"] == "TASS"
    j = labels.index("mutual_accusation")
    assert pred.decisions[1, j] and pred.directions[1] == "WEST->RU"
    assert pred.decisions[2, labels.index("coordinated_campaign")]
    assert pred.decisions[3, labels.index("sowing_doubt")]
    sentence = [e for e in pred.evidence[3]["sowing_doubt"] if e["kind"] == "sentence"][0]
    assert records["text"][3][sentence["start"]:sentence["end"]] == sentence["text"]
