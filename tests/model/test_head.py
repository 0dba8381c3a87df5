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
