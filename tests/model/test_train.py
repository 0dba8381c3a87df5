import json
import os

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from pipeline.config import PROJECT_ROOT, load_config
from pipeline.model import MechanismPredictor, train
from pipeline.model.data import LabelledDataError, load_labelled
from pipeline.model.io import ModelError, load_model
from pipeline.model.taxonomy import mechanism_ids

SEED_SET = PROJECT_ROOT / "corpora" / "labelled" / "mechanisms.jsonl"


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    """A quarter of the seed set, both splits: enough for 3-fold CV on every label."""
    lines = SEED_SET.read_text(encoding="utf-8").splitlines()
    path = tmp_path_factory.mktemp("data") / "small.jsonl"
    path.write_text("\n".join(lines[::3]) + "\n", encoding="utf-8")
    return path


def fast_config(*more):
    return load_config(overrides=["train.spacy_model='blank:en'", "train.cv_folds=3",
                                  "train.c_grid=[1.0]", "train.embeddings=''", *more])


@pytest.mark.slow
def test_training_is_deterministic_and_writes_a_complete_model_folder(small_data, tmp_path):
    cfg = fast_config()
    meta_a = train(small_data, tmp_path / "a", cfg)
    meta_b = train(small_data, tmp_path / "b", cfg)
    assert meta_a["thresholds"] == meta_b["thresholds"]
    assert meta_a["metrics"]["per_label"] == meta_b["metrics"]["per_label"]
    for key in ("labels", "thresholds", "packages", "seed", "training_data", "metrics",
                "spacy_pipeline_version"):
        assert key in meta_a
    assert meta_a["labels"] == mechanism_ids()
    assert meta_a["training_data"]["hash"].startswith("sha256:")
    texts = pd.DataFrame({"text": ["NATO is preparing to attack Russia.", "Nice weather."],
                          "source": [None, None]})
    pa = MechanismPredictor.from_config(cfg, str(tmp_path / "a")).predict(texts)
    pb = MechanismPredictor.from_config(cfg, str(tmp_path / "b")).predict(texts)
    np.testing.assert_array_equal(pa.scores, pb.scores)
    meta_c = train(small_data, tmp_path / "c", cfg, seed=99)
    assert meta_c["seed"] == 99 and meta_c["version"] != meta_a["version"]
    meta_d = train(small_data, tmp_path / "d", fast_config("train.voice_cues=[]"))
    assert meta_d["training_config_hash"] != meta_a["training_config_hash"]
    assert meta_d["training_config_hash"] in meta_d["version"]
    assert meta_d["version"].replace(meta_d["training_config_hash"], "") == \
        meta_a["version"].replace(meta_a["training_config_hash"], "")


@pytest.mark.slow
def test_several_files_train_together_and_are_evaluated_apart(small_data, tmp_path):
    """Train rows of every file; each file's test rows scored on its own, with the baselines,
    genres, state_media from the text alone and direction over every gold positive."""
    other = tmp_path / "other.jsonl"
    other.write_text("".join(json.dumps(r) + "\n" for r in [
        {"text": "No evidence given. This is a recurring pro-Kremlin disinformation narrative.",
         "labels": ["mutual_accusation"], "direction": "WEST->RU", "split": "test",
         "genre": "debunk"},
        {"text": "Western media lie about everything, as always.", "labels":
         ["mutual_accusation"], "direction": "RU->WEST", "split": "test", "genre": "claim"},
        {"text": "Sputnik says NATO tanks are at the border.", "source": "Sputnik",
         "labels": ["state_media", "sowing_doubt"], "split": "test", "genre": "claim"},
        {"text": "The parliament met on Tuesday.", "labels": [], "split": "train"}]))
    meta = train([other, small_data], tmp_path / "m", fast_config())
    assert [f["path"] for f in meta["training_data"]["files"]] == [str(other), str(small_data)]
    assert meta["training_data"]["n_train"] == 1 + sum(
        1 for line in small_data.read_text().splitlines() if '"split": "train"' in line)
    assert list(meta["evaluations"]) == [str(other), str(small_data)]
    first = meta["metrics"]
    assert first == meta["evaluations"][str(other)] and first["n_documents"] == 3
    assert set(first["by_genre"]) == {"claim", "debunk"}
    assert set(first["baselines"]) == {"keyword", "tfidf"}
    assert first["baselines"]["keyword"]["per_label"]["state_media"]["f1"] == 1.0
    assert first["direction"]["n"] == 2  # both gold accusations, whatever was predicted
    assert first["state_media_text_only"]["support"] == 1
    assert first["by_genre"]["debunk"]["headline_labels"] == ["mutual_accusation"]
    assert (tmp_path / "m" / "baseline.skops").is_file()


def test_untrusted_types_are_refused(tmp_path):
    """Even in a folder whose meta.json records the archive's true hash (a model made
    elsewhere), a type outside the trusted list is refused before anything is built."""
    from pipeline.model.data import data_hash
    evil = Pipeline([("f", FunctionTransformer(func=os.system))])
    sio.dump(evil, tmp_path / "model.skops")
    (tmp_path / "meta.json").write_text(json.dumps(
        {"labels": [], "files": {"model.skops": data_hash(tmp_path / "model.skops")}}))
    with pytest.raises(ModelError, match="not trusted.*posix.system|not trusted.*os.system"):
        load_model(tmp_path)


def test_missing_model_folder_says_how_to_make_one(tmp_path):
    with pytest.raises(ModelError, match="disinfo train"):
        load_model(tmp_path)


def test_labelled_data_errors_name_the_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a", "labels": []}\n{"text": "b", "labels": ["bogus"]}\n')
    with pytest.raises(LabelledDataError, match=r"bad.jsonl:2: unknown label"):
        load_labelled(bad, mechanism_ids())
