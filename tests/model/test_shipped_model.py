"""The shipped default model: in sync with its labelled sets, scored on real text it never
saw (the frozen EUvsDisinfo evaluation split) beside its baselines, and on the seed set."""
import json

import pandas as pd
import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.model.data import data_hash, load_labelled
from pipeline.model.evaluate import evaluate, evaluate_frame
from pipeline.model.io import load_baseline
from pipeline.model.taxonomy import mechanism_ids

MODEL = PROJECT_ROOT / "models" / "mechanisms"
SEED_SET = PROJECT_ROOT / "corpora" / "labelled" / "mechanisms.jsonl"
REAL_SET = PROJECT_ROOT / "corpora" / "labelled" / "euvsdisinfo.jsonl"
TRANSLATIONS = PROJECT_ROOT / "corpora" / "labelled" / "translations"


def test_seed_set_meets_the_labelling_brief():
    df = load_labelled(SEED_SET, mechanism_ids())
    assert len(df) >= 800 and df["text"].is_unique
    for label in mechanism_ids():
        assert df["labels"].apply(lambda ls: label in ls).sum() >= 120, label
    assert set(df["split"]) == {"train", "test"}
    assert set(df["genre"]) == {"news", "claim", "debunk", "social", "headline"}
    acc = df[df["labels"].apply(lambda ls: "mutual_accusation" in ls)]
    assert acc["direction"].isin(["RU->WEST", "WEST->RU", "other"]).all()


def test_shipped_model_was_trained_on_the_current_labelled_sets():
    meta = json.loads((MODEL / "meta.json").read_text())
    files = {f["path"].split("/")[-1]: f["hash"] for f in meta["training_data"]["files"]}
    expected = {"euvsdisinfo.jsonl": data_hash(REAL_SET), "mechanisms.jsonl": data_hash(SEED_SET)}
    expected.update({p.name: data_hash(p) for p in TRANSLATIONS.glob("euvsdisinfo.*.jsonl")})
    assert files == expected, "a labelled set changed: rebuild the model with `make model`"
    # every language it was trained on has its analysis, and scores by default
    assert set(meta["languages"]) == {"en"} | {p.name.split(".")[1]
                                              for p in TRANSLATIONS.glob("*.jsonl")}
    assert set(meta["language_files"]) == set(meta["languages"]) - {"en"}
    assert meta["labels"] == mechanism_ids()
    assert meta["training_config_hash"] in meta["version"]


@pytest.fixture(scope="module")
def baseline():
    return load_baseline(MODEL)


@pytest.fixture(scope="module")
def real_metrics(predictor, baseline):
    df = load_labelled(REAL_SET, mechanism_ids())
    metrics = evaluate_frame(predictor, df[df["split"] == "test"], baseline)
    return {**metrics, "split": "test"}


def test_shipped_model_on_real_text_it_never_saw(real_metrics):
    m = real_metrics
    assert m["split"] == "test" and m["n_documents"] >= 500
    assert m["headline_labels"] == ["state_media", "sowing_doubt", "mutual_accusation"]
    # what the spaCy features, cues, registry and embeddings add over the baselines trained
    # and scored on the same rows
    assert m["headline_macro_f1"] >= m["baselines"]["tfidf"]["headline_macro_f1"] + 0.08
    assert m["headline_macro_f1"] >= m["baselines"]["keyword"]["headline_macro_f1"] + 0.08
    assert m["headline_macro_f1"] >= 0.80
    assert m["per_label"]["state_media"]["f1"] >= 0.95
    assert m["per_label"]["mutual_accusation"]["f1"] >= 0.80
    assert m["direction"]["accuracy"] >= 0.9 and m["direction"]["n"] >= 100
    # the stance problem: a debunk that names a NATO-hostile claim is not sowing doubt
    debunks = m["by_genre"]["debunk"]["per_label"]
    assert debunks["sowing_doubt"]["support"] == 0 and debunks["sowing_doubt"]["predicted"] <= 3
    assert m["by_genre"]["debunk"]["per_label"]["mutual_accusation"]["f1"] >= 0.85


@pytest.mark.parametrize("lang", ["ru", "uk", "de", "pl", "fr", "cs", "it", "es"])
def test_shipped_model_in_other_languages(predictor, baseline, lang):
    """Each language's translation of the real evaluation split, parsed with its language
    file, never trained on (the shipped model and baseline loaded once)."""
    df = load_labelled(TRANSLATIONS / f"euvsdisinfo.{lang}.jsonl", mechanism_ids())
    m = evaluate_frame(predictor, df[df["split"] == "test"], baseline)
    assert m["n_documents"] == 766
    assert m["headline_macro_f1"] >= 0.75
    assert m["headline_macro_f1"] >= m["baselines"]["tfidf"]["headline_macro_f1"] + 0.08
    assert m["per_label"]["mutual_accusation"]["f1"] >= 0.80
    assert m["direction"]["accuracy"] >= 0.9


def test_shipped_model_scores_on_the_seed_test_split(config, tmp_path):
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
                 "NATO is preparing an attack on Russia. Its so-called defensive posture is a lie.",
                 "The Russian Foreign Ministry accused Western media of deliberately hiding the "
                 "truth about the Russian operation in Syria and of spreading fake reports "
                 "about civilian casualties."],
        "source": ["TASS - Russian", None, None, None, "RIA Novosti"]})
    pred = predictor.predict(records)
    labels = pred.labels
    for i in range(len(records)):
        for j, label in enumerate(labels):
            if pred.decisions[i, j]:
                assert pred.evidence[i][label], (i, label)
    state = pred.evidence[0]["state_media"]
    assert state[0]["kind"] == "metadata" and state[0]["outlet"] == "TASS"
    # beside the metadata that fired, a sentence is shown only if it points to the label on
    # its own (issue #13: evidence sentences with negative scores of their own)
    assert pred.decisions[4, labels.index("state_media")]
    assert [e["kind"] for e in pred.evidence[4]["state_media"]] == ["metadata"]
    thresholds = dict(zip(labels, predictor.head.thresholds_))
    assert all(e["probability"] >= thresholds[label] for label_items in pred.evidence
               for label, items in label_items.items() for e in items
               if e["kind"] == "sentence" and any(m["kind"] == "metadata" for m in items))
    j = labels.index("mutual_accusation")
    assert pred.decisions[1, j] and pred.directions[1] == "WEST->RU"
    assert pred.decisions[2, labels.index("coordinated_campaign")]
    assert pred.decisions[3, labels.index("sowing_doubt")]
    sentence = [e for e in pred.evidence[3]["sowing_doubt"] if e["kind"] == "sentence"][0]
    assert records["text"][3][sentence["start"]:sentence["end"]] == sentence["text"]


def test_a_debunk_naming_the_claim_is_not_sowing_doubt(predictor):
    pred = predictor.predict(pd.DataFrame({"text": [
        "NATO is preparing to attack Russia from its bases in Poland and the Baltics.",
        "No evidence given. NATO deployments in Poland are defensive and were agreed with "
        "Warsaw; the claim that NATO threatens Russia is a recurring pro-Kremlin narrative."],
        "source": [None, None]}))
    j = pred.labels.index("sowing_doubt")
    assert pred.decisions[0, j] == 1 and pred.decisions[1, j] == 0
    k = pred.labels.index("mutual_accusation")
    assert pred.decisions[1, k] == 1 and pred.directions[1] == "WEST->RU"


def test_a_long_article_is_scored_passage_by_passage(predictor):
    filler = ("The city council met on Tuesday to discuss the budget for schools. "
              "Teachers asked for new computers and the mayor promised to consider it. ") * 6
    claim = ("NATO is preparing an attack on Russia: its tanks in the Baltics are a rehearsal "
             "for invasion, and the so-called defensive alliance hides its real aim. ")
    article = filler + claim + filler
    with_passages = predictor.predict(pd.DataFrame({"text": [article], "source": [None]}))
    predictor.passage_sentences, kept = 0, predictor.passage_sentences
    try:
        whole = predictor.predict(pd.DataFrame({"text": [article], "source": [None]}))
    finally:
        predictor.passage_sentences = kept
    j = with_passages.labels.index("sowing_doubt")
    assert kept > 0 and with_passages.scores[0, j] > whole.scores[0, j]
    assert with_passages.decisions[0, j] == 1
    evidence = [e for e in with_passages.evidence[0]["sowing_doubt"] if e["kind"] == "sentence"]
    assert "rehearsal for invasion" in evidence[0]["text"]


def test_a_decision_that_no_sentence_makes_alone_shows_the_passage_that_made_it(predictor):
    """Evidence is what made the decision: when no sentence, scored alone, reaches the
    threshold, the passage whose score did is shown (not the best, failing, sentence)."""
    filler = ("The city council met on Tuesday to discuss the budget for schools. "
              "Teachers asked for new computers and the mayor promised to consider it. ") * 6
    claim = ("NATO troops arrive in Poland again. The generals speak of defence. The drills "
             "look like preparation for an attack. Nobody explains the real aim.")
    records = pd.DataFrame({"text": [filler + claim + " " + filler], "source": [None]})
    before = predictor.predict(records)
    j = before.labels.index("sowing_doubt")
    best_sentence = max(e["probability"] for e in before.evidence[0]["sowing_doubt"])
    score = before.scores[0, j]
    assert score > best_sentence  # the passage scores above any of its sentences
    kept = predictor.head.thresholds_[j]
    predictor.head.thresholds_[j] = (score + best_sentence) / 2
    try:
        after = predictor.predict(records)
    finally:
        predictor.head.thresholds_[j] = kept
    assert after.decisions[0, j] == 1
    [passage] = after.evidence[0]["sowing_doubt"]
    assert passage["kind"] == "passage" and passage["probability"] == round(score, 4)
    text = records["text"][0]
    assert text[passage["start"]:passage["end"]] == passage["text"]
    assert "preparation for an attack" in passage["text"] and len(passage["text"]) < len(text)
