"""Languages at prediction time: each document is analysed in its language, and documents in
a language the model does not score get no scores and a reason."""
import numpy as np
import pandas as pd

from pipeline.config import load_config
from pipeline.model.predict import MechanismPredictor


def test_a_language_the_model_does_not_score_gets_a_reason_not_scores(predictor):
    assert {"en", "ru", "uk", "de"} <= set(predictor.scored_languages)
    texts = pd.DataFrame({
        "text": ["A NATO a határainknál készül a támadásra, a nyugati média hazudik.",
                 "НАТО готовит нападение на Россию, западные СМИ лгут.",
                 "NATO is preparing an attack on Russia, Western media lie."],
        "source": [None, None, None], "lang": ["hu", "ru", None]})
    pred = predictor.predict(texts)
    assert pred.not_scored[0].startswith("unsupported_language: 'hu'")
    assert pred.not_scored[1] is None and pred.not_scored[2] is None
    assert np.isnan(pred.scores[0]).all() and not pred.decisions[0].any()
    assert pred.evidence[0] == {} and pred.directions[0] is None
    assert not np.isnan(pred.scores[1:]).any()
    assert [d.lang for d in pred.docs] == ["hu", "ru", "en"]


def test_an_unsure_language_identification_counts_as_unknown_and_is_scored(predictor):
    # as the clean stage writes it: identified as Serbian with probability 0.01
    unsure = pd.DataFrame({"text": ["No evidence given."], "lang": ["sr"],
                           "lang_detected": ["sr"], "lang_confidence": [0.01]})
    pred = predictor.predict(unsure)
    assert pred.not_scored == [None] and pred.docs[0].lang is None
    assert not np.isnan(pred.scores).any()
    # a language the input gave is trusted, whatever the identifier thought
    given = unsure.assign(lang="hu")
    assert predictor.predict(given).not_scored[0].startswith("unsupported_language: 'hu'")


def test_the_scored_languages_are_a_config_setting(predictor):
    config = load_config(overrides=["classify.languages=['en']"])
    cc = config["classify"]
    # the shipped model, already loaded, under this config (from_config would load it again)
    only_english = MechanismPredictor(
        predictor.model, predictor.meta, sources=config["features"]["sources"],
        state_confidence=cc["state_source_confidence"],
        state_affiliations=tuple(cc["state_affiliations"]),
        languages=config["features"]["languages"], scored_languages=tuple(cc["languages"]))
    pred = only_english.predict(pd.DataFrame({
        "text": ["НАТО готовит нападение на Россию.", "NATO is preparing an attack."],
        "lang": ["ru", "en"]}))
    assert pred.not_scored[0] is not None and "(scored: en;" in pred.not_scored[0]
    assert pred.not_scored[1] is None


def test_only_a_sure_identification_leaves_a_document_unscored(predictor):
    """py3langid takes some short English titles for Nigerian Pidgin (pcm) with probability
    about 0.6: such a document is still scored; a clearly Hungarian one is not."""
    from pipeline.features.langid import detect_language
    title = "US Embassy in Tbilisi set rules for Georgian election"
    lang, prob = detect_language(title)
    assert lang == "pcm" and 0.5 <= prob < 0.9  # the case this guards against
    hungarian = ("A NATO a határainknál készül a támadásra, a nyugati média pedig hazudik "
                 "az embereknek minden egyes nap.")
    pred = predictor.predict(pd.DataFrame({"text": [title, hungarian]}))
    assert pred.not_scored[0] is None and not np.isnan(pred.scores[0]).any()
    assert pred.docs[1].lang == "hu" and pred.not_scored[1] is not None
