"""The optional narrative classifier: trained on a `narratives` field, used by the stage."""
import json

import pandas as pd
import pytest

from pipeline import load_config, run_pipeline
from pipeline.model import train
from tests.conftest import write
from tests.narratives.test_stage import THEMES, docs

NARRATIVE_OF_THEME = {0: ["military_provocation"], 1: ["deterrence_reassurance"],
                      2: ["crimea_ukraine"], 3: ["hybrid_cyber"], 4: [], 5: []}


@pytest.mark.slow
def test_classifier_tags_join_cue_tags(tmp_path):
    rows = []
    for theme in range(len(THEMES)):
        for i, row in enumerate(docs([theme], 24, "2020-01-01", seed=theme)):
            rows.append({"text": row["text"], "narratives": NARRATIVE_OF_THEME[theme],
                         "split": "test" if i % 4 == 0 else "train"})
    data = write(tmp_path / "narratives.jsonl", "\n".join(json.dumps(r) for r in rows))
    config = load_config(overrides=["train.spacy_model='blank:en'", "train.cv_folds=3",
                                    "train.c_grid=[1.0]"])
    meta = train(data, tmp_path / "model", config, task="narratives")
    assert meta["task"] == "narratives"
    assert meta["labels"] == ["military_provocation", "deterrence_reassurance",
                              "hybrid_cyber", "crimea_ukraine"]
    assert "nato_expansion" in meta["skipped_labels"]
    assert meta["metrics"]["macro_f1"] > 0.9

    corpus = write(tmp_path / "corpus.jsonl", "\n".join(json.dumps(r) for r in [
        # the classifier's words (interceptor, radar, shield) but none of the cue phrases
        {"id": "d1", "text": "Interceptors and the radar of the shield were installed."},
        {"id": "d2", "text": "The weather was fine and the market was busy."}]))
    run_config = load_config(overrides=[f"narratives.classifier='{tmp_path / 'model'}'"])
    run = run_pipeline([str(corpus)], str(tmp_path / "run"), run_config)
    tags = pd.read_parquet(run.path / "narratives").set_index("id")
    assert "military_provocation" in tags.loc["d1", "taxonomy"]
    evidence = json.loads(tags.loc["d1", "taxonomy_evidence"])["military_provocation"]
    assert evidence["by"] == "classifier" and evidence["sentences"][0]["start"] == 0
    assert list(tags.loc["d2", "taxonomy"]) == []
