"""Translations of the real labelled set stay in step with the English gold."""
import json

import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.model.data import load_labelled
from pipeline.model.taxonomy import mechanism_ids

HERE = PROJECT_ROOT / "corpora" / "labelled"
FILES = sorted((HERE / "translations").glob("euvsdisinfo.*.jsonl"))


def test_there_are_translations_of_the_whole_evaluation_split():
    english = [json.loads(line) for line in (HERE / "euvsdisinfo.jsonl").read_text().splitlines()]
    test_ids = {r["id"] for r in english if r["split"] == "test"}
    langs = {p.name.split(".")[1] for p in FILES}
    assert {"ru", "uk", "de", "pl", "fr", "cs", "it", "es"} <= langs
    for path in FILES:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        translated = {r["translated_from"]["id"] for r in rows if r["split"] == "test"}
        assert translated == test_ids, path.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_labels_and_splits_are_the_english_gold(path):
    english = {r["id"]: r for r in map(json.loads, (HERE / "euvsdisinfo.jsonl").read_text()
                                       .splitlines())}
    lang = path.name.split(".")[1]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        gold = english[r["translated_from"]["id"]]
        assert r["lang"] == lang and r["id"] == f"{gold['id']}-{lang}"
        assert r["translated_from"] == {"id": gold["id"], "case": gold["case"],
                                        "field": gold["field"]}
        for key in ("genre", "source", "labels", "direction", "split"):
            assert r[key] == gold[key], (r["id"], key)
        # a translation differs from its English text, except a word the languages share
        # ("No" in Italian and Spanish)
        assert r["text"].strip() and (r["text"] != gold["text"] or len(r["text"]) <= 3)
    load_labelled(path, mechanism_ids())  # the training and evaluation loader reads it
