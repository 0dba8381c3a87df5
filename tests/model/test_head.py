import numpy as np
import pytest

from pipeline.model.head import best_threshold


def test_threshold_maximises_f1():
    y = np.array([0, 0, 0, 1, 1, 1])
    scores = np.array([0.1, 0.2, 0.45, 0.4, 0.8, 0.9])
    t, f1 = best_threshold(y, scores)
    assert f1 == pytest.approx(6 / 7) and 0.2 < t <= 0.4


def test_threshold_takes_the_middle_of_a_plateau():
    y = np.array([0, 0, 1, 1])
    scores = np.array([0.05, 0.1, 0.9, 0.95])  # every threshold in (0.1, 0.9] is perfect
    t, f1 = best_threshold(y, scores)
    assert f1 == 1.0 and 0.45 <= t <= 0.55


def test_direction_is_learnt_from_the_gold_positives_only():
    from pipeline.model.head import MechanismHead
    rng = np.random.default_rng(0)
    n = 120
    X = rng.normal(size=(n, 3))
    Y = np.zeros((n, 2), dtype=int)
    Y[:, 1] = (np.arange(n) % 2 == 0)                          # mutual_accusation
    Y[:, 0] = (X[:, 2] > 0)
    directions = [("RU->WEST" if X[i, 0] > 0 else "WEST->RU") if Y[i, 1] else "junk"
                  for i in range(n)]
    head = MechanismHead(labels=("state_media", "mutual_accusation"), c_grid=(1.0,), cv=3)
    head.fit(X, Y, directions=directions)
    assert set(head.direction_.classes_) == {"RU->WEST", "WEST->RU"}  # negatives ignored
    got = head.predict_direction(np.array([[3.0, 0, 0], [-3.0, 0, 0]]))
    assert got == ["RU->WEST", "WEST->RU"]
    assert MechanismHead(labels=("state_media", "mutual_accusation"), c_grid=(1.0,),
                         cv=3).fit(X, Y).predict_direction(X) is None


def test_voice_cues_split_every_cue_by_the_document_voice():
    from pipeline.features.parse import ParsedDoc
    from pipeline.model.transformers import CueVectorizer
    debunk = ParsedDoc("x", sents=[(0, 1)], sent_lemmas=["x"],
                       sent_cues=[{"stance_refute": 1, "nato_with_war": 1}])
    claim = ParsedDoc("y", sents=[(0, 1)], sent_lemmas=["y"], sent_cues=[{"nato_with_war": 2}])
    vec = CueVectorizer(voice_cues=("stance_refute",)).fit([debunk, claim])
    names = list(vec.get_feature_names_out())
    X = vec.transform([debunk, claim]).toarray()
    col = names.index
    assert X[0, col("refuting|nato_with_war")] > 0 and X[0, col("asserting|nato_with_war")] == 0
    assert X[1, col("asserting|nato_with_war")] > 0 and X[1, col("refuting|nato_with_war")] == 0
    assert X[0, col("voice=refuting")] == 1 and X[1, col("voice=asserting")] == 1
    assert "refuting|stance_refute" not in names
    plain = CueVectorizer().fit([debunk, claim]).get_feature_names_out()
    assert not any("|" in n or n.startswith("voice=") for n in plain)
