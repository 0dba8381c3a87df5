"""Topic coherence: mean NPMI of a topic's top terms over document co-occurrence."""
from __future__ import annotations

import itertools

import numpy as np
import scipy.sparse as sp


def npmi_coherence(binary: sp.csc_matrix, top_terms: list[list[int]]) -> list[float]:
    """Per topic, the mean normalised PMI of all pairs of its top terms, where
    p(w) and p(w1, w2) are document frequencies in `binary` (documents x terms, 0/1).
    Pairs that never co-occur score -1 (the NPMI minimum)."""
    n = binary.shape[0]
    df = np.asarray(binary.sum(axis=0)).ravel()
    scores = []
    for terms in top_terms:
        values = []
        for a, b in itertools.combinations(terms, 2):
            joint = binary[:, a].multiply(binary[:, b]).sum()
            if joint == 0:
                values.append(-1.0)
                continue
            p_ab, p_a, p_b = joint / n, df[a] / n, df[b] / n
            if p_ab >= 1.0:
                values.append(1.0)
                continue
            values.append(float(np.log(p_ab / (p_a * p_b)) / -np.log(p_ab)))
        scores.append(float(np.mean(values)) if values else 0.0)
    return scores
