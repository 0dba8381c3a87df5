"""The promotion rule and its confidence intervals."""
import numpy as np

from pipeline.labels.retrain import compare

LABELS = ["a", "b"]


def data(seed=0, n=300):
    rng = np.random.default_rng(seed)
    y = rng.random((n, 2)) < 0.3
    noisy = lambda p: np.where(rng.random(y.shape) < p, ~y, y)
    return y, noisy


def test_better_everywhere_is_promoted_with_positive_intervals():
    y, noisy = data()
    result = compare(y, noisy(0.3), noisy(0.05), LABELS, tolerance=0.02, n_boot=500)
    assert result["promote"] is True
    for v in result["per_label"].values():
        assert v["delta"] > 0 and v["ci95"][0] > 0
    assert result["macro"]["ci95"][0] <= result["macro"]["delta"] <= result["macro"]["ci95"][1]


def test_worse_macro_is_refused():
    y, noisy = data(1)
    result = compare(y, noisy(0.05), noisy(0.3), LABELS, tolerance=0.02, n_boot=200)
    assert result["promote"] is False and "not above" in result["reason"]


def test_a_label_that_drops_beyond_the_tolerance_blocks_promotion():
    y, noisy = data(2)
    champion = noisy(0.2)
    challenger = champion.copy()
    challenger[:, 0] = y[:, 0]                           # label a: perfect
    challenger[:, 1] = np.where(np.arange(len(y)) % 5 == 0, ~champion[:, 1], champion[:, 1])
    result = compare(y, champion, challenger, LABELS, tolerance=0.02, n_boot=200)
    assert result["macro"]["delta"] > 0 and result["per_label"]["b"]["delta"] < -0.02
    assert result["promote"] is False and "drops by more than 0.02 on b" in result["reason"]
    lenient = compare(y, champion, challenger, LABELS, tolerance=1.0, n_boot=200)
    assert lenient["promote"] is True
