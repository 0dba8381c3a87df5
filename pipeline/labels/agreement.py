"""Inter-annotator agreement per label over the texts two or more annotators decided.

For each label (and for the accusation direction, over the texts that two or more annotators
called mutual_accusation with a direction): the texts and annotators involved, the observed
agreement (share of agreeing annotator pairs), Cohen's kappa (scikit-learn; with more than
two annotators, the mean over annotator pairs that share at least two texts, and the number
of such pairs) and Krippendorff's alpha, nominal (the `krippendorff` package; any number of
annotators, missing decisions allowed).
"""
from __future__ import annotations

from itertools import combinations

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

# Krippendorff's lowest alpha for tentative conclusions: `labels review` flags labels below it
LOW_ALPHA = 0.667
COLUMNS = ["label", "texts", "annotators", "decisions", "observed", "cohen_kappa",
           "cohen_pairs", "krippendorff_alpha"]


def agreement(decisions: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """One row per label (and `direction`) from `LabelStore.decisions()`; labels without a
    text decided by two annotators get zero texts and empty figures."""
    rows = [_label_agreement(label, decisions.loc[decisions["label"] == label, "annotator"],
                             decisions.loc[decisions["label"] == label, "text_hash"],
                             decisions.loc[decisions["label"] == label, "value"].astype(str))
            for label in labels]
    accused = decisions[(decisions["label"] == "mutual_accusation") & decisions["value"]
                        & decisions["direction"].notna() & (decisions["direction"] != "")]
    rows.append(_label_agreement("direction", accused["annotator"], accused["text_hash"],
                                 accused["direction"].astype(str)))
    return pd.DataFrame(rows, columns=COLUMNS)


def _label_agreement(label: str, annotators: pd.Series, texts: pd.Series,
                     values: pd.Series) -> dict:
    table = pd.DataFrame({"text": texts.to_numpy(), "annotator": annotators.to_numpy(),
                          "value": values.to_numpy()})
    shared = table.groupby("text")["annotator"].transform("nunique") >= 2
    table = table[shared]
    out = {"label": label, "texts": int(table["text"].nunique()),
           "annotators": int(table["annotator"].nunique()), "decisions": int(len(table)),
           "observed": None, "cohen_kappa": None, "cohen_pairs": 0,
           "krippendorff_alpha": None}
    if table.empty:
        return out
    wide = table.pivot(index="text", columns="annotator", values="value")
    agree = total = 0
    for _, row in wide.iterrows():
        given = row.dropna().tolist()
        for a, b in combinations(given, 2):
            agree += a == b
            total += 1
    out["observed"] = round(agree / total, 4)
    kappas = []
    for a, b in combinations(wide.columns, 2):
        both = wide[[a, b]].dropna()
        # kappa is undefined when the two annotators used one and the same value throughout
        if len(both) >= 2 and len(set(both[a]) | set(both[b])) >= 2:
            kappas.append(cohen_kappa_score(both[a], both[b]))
    if kappas:
        out["cohen_kappa"], out["cohen_pairs"] = round(float(np.mean(kappas)), 4), len(kappas)
    categories = sorted(table["value"].unique())
    if len(categories) >= 2:
        codes = wide.apply(lambda col: col.map({v: i for i, v in enumerate(categories)}))
        out["krippendorff_alpha"] = round(float(krippendorff.alpha(
            reliability_data=codes.T.to_numpy(dtype=float),
            level_of_measurement="nominal")), 4)
    return out
