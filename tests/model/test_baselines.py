"""The baselines reported beside every evaluation."""
import numpy as np
import pandas as pd

from pipeline.model.baselines import TfidfBaseline, keyword_predict

LABELS = ["state_media", "coordinated_campaign", "sowing_doubt", "mutual_accusation"]


def test_keyword_baseline_reads_text_and_source():
    frame = pd.DataFrame({
        "text": ["NATO is preparing an attack on Russia.", "Western media lie about Syria.",
                 "A network of bots pushed the hashtag.", "Nice weather in Riga."],
        "source": [None, None, None, "RT"]})
    got = keyword_predict(frame, LABELS)
    assert got.tolist() == [[0, 0, 1, 0], [0, 0, 0, 1], [0, 1, 0, 0], [1, 0, 0, 0]]


def test_tfidf_baseline_learns_and_tolerates_a_label_with_one_class():
    texts = ["nato attack plan"] * 10 + ["weather in riga"] * 10
    Y = np.zeros((20, 2), dtype=int)
    Y[:10, 0] = 1
    model = TfidfBaseline(("a", "b")).fit(texts, Y)
    pred = model.predict(["a nato attack plan", "riga weather"])
    assert pred.tolist() == [[1, 0], [0, 0]]
