"""The promotion rule: the 95% bootstrap interval of the macro-F1 difference must lie above 0
and no label may drop significantly; labels with too few positives are reported, not judged."""
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
    result = compare(y, noisy(0.3), noisy(0.05), LABELS, n_boot=500)
    assert result["promote"] is True
    for v in result["per_label"].values():
        assert v["delta"] > 0 and v["ci95"][0] > 0
    assert 0 < result["macro"]["ci95"][0] <= result["macro"]["delta"] <= result["macro"]["ci95"][1]


def test_worse_macro_is_refused():
    y, noisy = data(1)
    result = compare(y, noisy(0.05), noisy(0.3), LABELS, n_boot=200)
    assert result["promote"] is False and "does not lie above 0" in result["reason"]


def test_a_point_gain_inside_the_noise_is_refused():
    y, noisy = data(3)
    champion = noisy(0.2)
    challenger = champion.copy()
    flip = np.flatnonzero(challenger[:, 0] != y[:, 0])[:2]  # two more right answers
    challenger[flip, 0] = y[flip, 0]
    result = compare(y, champion, challenger, LABELS, n_boot=300)
    assert result["macro"]["delta"] > 0
    assert result["promote"] is False and result["macro"]["ci95"][0] <= 0


def test_a_label_that_drops_significantly_blocks_promotion():
    y, noisy = data(2)
    champion = noisy(0.2)
    challenger = champion.copy()
    challenger[:, 0] = y[:, 0]                           # label a: perfect
    challenger[:, 1] = np.where(np.arange(len(y)) % 6 == 0, ~y[:, 1], champion[:, 1])
    result = compare(y, champion, challenger, LABELS, n_boot=300)
    assert result["macro"]["ci95"][0] > 0 and result["per_label"]["b"]["ci95"][1] < 0
    assert result["promote"] is False and "drops significantly" in result["reason"]
    assert "on b" in result["reason"]


def test_labels_without_support_are_reported_not_judged():
    y, noisy = data(4)
    y[:, 1] = False
    y[:3, 1] = True                                      # 3 positives only
    champion, challenger = noisy(0.3), noisy(0.05)
    challenger[:, 1] = ~y[:, 1]                          # terrible on b
    result = compare(y, champion, challenger, LABELS, min_support=5, n_boot=200)
    assert result["macro_labels"] == ["a"] and result["per_label"]["b"]["judged"] is False
    assert result["promote"] is True
