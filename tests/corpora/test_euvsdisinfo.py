"""The real labelled set: provenance, the frozen evaluation split, agreement, and that the
file is what its annotations and the cases say (when ../shared/data is present)."""
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.model.data import load_labelled
from pipeline.model.taxonomy import mechanism_ids

HERE = PROJECT_ROOT / "corpora" / "labelled"
REAL = HERE / "euvsdisinfo.jsonl"
CASES = PROJECT_ROOT.parent / "shared" / "data" / "euvsdisinfo_cases" / "cases.csv"
POSTS = PROJECT_ROOT.parent / "shared" / "data" / "euvsdisinfo_posts" / "posts.csv"


@pytest.fixture(scope="module")
def real():
    return pd.read_json(REAL, lines=True, dtype=False)


def _builder():
    import importlib.util
    spec = importlib.util.spec_from_file_location("build_euvsdisinfo",
                                                  HERE / "build_euvsdisinfo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_real_set_has_provenance_and_loads(real):
    assert len(real) >= 2000 and real["id"].is_unique
    assert set(real["field"]) == {"summary", "disproof"}
    assert (real["id"] == "euvs-" + real["case"].astype(str) + "-" + real["field"]).all()
    assert real.loc[real["field"] == "disproof", "source"].isna().all()
    frame = load_labelled(REAL, mechanism_ids())
    assert set(frame["genre"]) == {"claim", "debunk"}
    acc = frame[frame["labels"].apply(lambda ls: "mutual_accusation" in ls)]
    assert acc["direction"].isin(["RU->WEST", "WEST->RU", "other"]).all()


def test_evaluation_split_is_random_stratified_and_never_trained_on(real):
    test = real[real["split"] == "test"]
    assert len(test) >= 500 and set(test["field"]) == {"summary", "disproof"}
    assert set(test["round"]) <= {"r0-random", "r2-random"}  # never picked by a model
    for label in ("state_media", "sowing_doubt", "mutual_accusation"):
        assert test["labels"].apply(lambda ls: label in ls).sum() >= 25, label
    both = real.groupby("case")["split"].agg(lambda s: set(s) & {"train", "test"})
    assert not any(s == {"train", "test"} for s in both)  # a case is never split
    norm = lambda t: re.sub(r"\s+", " ", t).strip().lower()
    assert not set(real.loc[real["split"] == "train", "text"].map(norm)) & set(
        test["text"].map(norm))


def test_agreement_of_the_blind_passes_is_recorded_and_high():
    builder = _builder()
    first = builder.agreement(second="blind-second")
    released = set(builder.frozen_ids())
    twice = {a["id"] for a in builder.read_annotations() if a["pass"] == "blind-second"}
    assert len(twice) == 200 and first["texts"] == len(twice & released) > 150
    whole = builder.agreement(second="blind-test")
    assert whole["texts"] >= 500
    for label in ("state_media", "sowing_doubt", "mutual_accusation"):
        assert whole["per_label"][label]["kappa"] >= 0.8, label


@pytest.mark.shared_data
def test_file_is_rebuilt_exactly_from_annotations_and_cases(tmp_path):
    if not CASES.is_file():
        pytest.skip(f"{CASES} is absent (see ../shared/data/README.md)")
    builder = _builder()
    rows = builder.build(CASES, frozen=builder.frozen_split(REAL))
    expected = [json.loads(line) for line in REAL.read_text(encoding="utf-8").splitlines()]
    assert rows == expected


@pytest.mark.shared_data
def test_a_corrected_label_never_moves_a_case_between_splits(tmp_path):
    if not CASES.is_file():
        pytest.skip(f"{CASES} is absent (see ../shared/data/README.md)")
    builder = _builder()
    annotations = builder.read_annotations()
    test_ids = {r["id"] for r in map(json.loads, REAL.read_text().splitlines())
                if r["split"] == "test"}
    flipped = [a for a in annotations if a["id"] in test_ids and a["pass"] == "first"][:20]
    edited = tmp_path / "annotations.jsonl"
    extra = [{**a, "pass": "adjudication", "annotator": "test",
              "labels": [] if a["labels"] else ["sowing_doubt"], "direction": None}
             for a in flipped]
    edited.write_text("".join(json.dumps(a) + "\n" for a in annotations + extra))
    rows = builder.build(CASES, edited, frozen=builder.frozen_split(REAL))
    before = {r["id"]: r["split"] for r in map(json.loads, REAL.read_text().splitlines())}
    assert {r["id"]: r["split"] for r in rows} == before
    changed = {r["id"]: r["labels"] for r in rows if r["id"] in {a["id"] for a in flipped}}
    assert all(changed[a["id"]] == ([] if a["labels"] else ["sowing_doubt"]) for a in flipped)


@pytest.mark.shared_data
def test_no_case_title_or_case_link_of_the_titles_benchmark_is_in_the_repository():
    """Titles of posts.csv are the held-out weak-label benchmark: no text of the labelled set
    or of its translations' sources repeats one, and no text carries a posts.csv case link."""
    if not POSTS.is_file():
        pytest.skip(f"{POSTS} is absent (see ../shared/data/README.md)")
    builder = _builder()
    texts = [json.loads(line)["text"] for line in REAL.read_text(encoding="utf-8").splitlines()]
    assert builder.title_matches(texts, POSTS) == [None] * len(texts)
    import pandas as pd
    first = pd.read_csv(POSTS, dtype=str, nrows=50).dropna(subset=["title"])
    title = next(t for t in first["title"] if len(t.split()) >= builder.TITLE_WORDS)
    probe = builder.title_matches([f"Intro. {title} More.", f"See {first['id'].iloc[0]} too.",
                                   "NATO held an exercise."], POSTS)
    assert probe == ["posts_title", "posts_link", None]
