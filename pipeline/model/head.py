"""The multi-label head: per mechanism a calibrated linear model and a tuned threshold."""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict

THRESHOLD_GRID = np.round(np.linspace(0.05, 0.95, 91), 2)


def best_threshold(y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """The threshold on `scores` that maximises F1 on (y, scores), and that F1. When several
    thresholds reach the best F1 (well-separated classes), the middle of that plateau is
    taken rather than its lowest end, which would say yes to anything unlike the training
    negatives."""
    positives = y.sum()
    f1s = []
    for t in THRESHOLD_GRID:
        pred = scores >= t
        tp = float((pred & (y == 1)).sum())
        denom = pred.sum() + positives
        f1s.append(2 * tp / denom if denom else 0.0)
    f1s = np.asarray(f1s)
    best = f1s.max()
    plateau = THRESHOLD_GRID[f1s >= best - 1e-9]
    return float(plateau[len(plateau) // 2]), float(best)


class MechanismHead(BaseEstimator, ClassifierMixin):
    """Per label: logistic regression, C chosen by cross-validated F1, sigmoid-calibrated,
    decision threshold tuned on out-of-fold probabilities.

    Fitted state: `labels_`, `estimators_` (one CalibratedClassifierCV per label), `c_`,
    `thresholds_`, `cv_f1_` (out-of-fold F1 at the chosen threshold); when `fit` is given
    accusation directions, `direction_` (a multinomial logistic regression over the same
    features, trained on the texts that carry `direction_label` with a gold direction).
    """

    def __init__(self, labels: tuple[str, ...] = (), c_grid: tuple[float, ...] = (0.25, 1.0, 4.0),
                 cv: int = 5, seed: int = 13, class_weight: str | None = "balanced",
                 direction_label: str = "mutual_accusation"):
        self.labels = labels
        self.c_grid = c_grid
        self.cv = cv
        self.seed = seed
        self.class_weight = class_weight
        self.direction_label = direction_label

    def _estimator(self, c: float) -> CalibratedClassifierCV:
        base = LogisticRegression(C=c, class_weight=self.class_weight, solver="liblinear",
                                  max_iter=5000, random_state=self.seed)
        folds = StratifiedKFold(3, shuffle=True, random_state=self.seed)
        return CalibratedClassifierCV(base, method="sigmoid", cv=folds)

    def fit(self, X, Y, directions=None, groups=None):
        """Fit per label; `directions` (one per row, or None) trains the direction model;
        `groups` (one per row, or None) keeps rows of a group in one cross-validation fold
        (a text and its translations), so that thresholds are not tuned on leaked texts."""
        Y = np.asarray(Y)
        if Y.ndim != 2 or Y.shape[1] != len(self.labels):
            raise ValueError(f"Y must have one column per label ({len(self.labels)}: "
                             f"{', '.join(self.labels)}); got shape {Y.shape}.")
        self.labels_ = list(self.labels)
        self.estimators_, self.c_, self.thresholds_, self.cv_f1_ = [], [], [], []
        folds = (StratifiedKFold(self.cv, shuffle=True, random_state=self.seed) if groups is None
                 else StratifiedGroupKFold(self.cv, shuffle=True, random_state=self.seed))
        for j, label in enumerate(self.labels_):
            y = Y[:, j].astype(int)
            if y.sum() < self.cv or (len(y) - y.sum()) < self.cv:
                raise ValueError(f"label '{label}' has {int(y.sum())} positives and "
                                 f"{int(len(y) - y.sum())} negatives; at least {self.cv} of "
                                 f"each are needed for {self.cv}-fold cross-validation.")
            best = None
            for c in self.c_grid:
                oof = cross_val_predict(self._estimator(c), X, y, cv=folds, groups=groups,
                                        method="predict_proba")[:, 1]
                threshold, f1 = best_threshold(y, oof)
                if best is None or f1 > best[0] + 1e-9:
                    best = (f1, c, threshold)
            f1, c, threshold = best
            self.estimators_.append(self._estimator(c).fit(X, y))
            self.c_.append(float(c))
            self.thresholds_.append(float(threshold))
            self.cv_f1_.append(float(f1))
        self.thresholds_ = np.asarray(self.thresholds_)
        self.direction_ = self._fit_direction(X, Y, directions)
        return self

    def _fit_direction(self, X, Y, directions):
        """Who accuses whom, learnt on the gold positives that name a direction; None when
        there are no directions or fewer than two distinct ones."""
        if directions is None or self.direction_label not in self.labels_:
            return None
        j = self.labels_.index(self.direction_label)
        rows = [i for i, d in enumerate(directions)
                if Y[i, j] and isinstance(d, str) and d]
        if len({directions[i] for i in rows}) < 2:
            return None
        model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000,
                                   random_state=self.seed)
        return model.fit(X[rows], [directions[i] for i in rows])

    def predict_direction(self, X) -> list[str] | None:
        """The accusation direction of every row (meaningful where the label is positive),
        or None when the head was fitted without directions."""
        if getattr(self, "direction_", None) is None:
            return None
        return [str(d) for d in self.direction_.predict(X)]

    def predict_proba(self, X) -> np.ndarray:
        """(n_samples, n_labels) calibrated probabilities."""
        return np.column_stack([est.predict_proba(X)[:, 1] for est in self.estimators_])

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X) >= self.thresholds_).astype(int)

    def coef(self, j: int) -> np.ndarray:
        """Mean coefficient vector of label j's calibrated logistic regressions."""
        return np.mean([cc.estimator.coef_[0] for cc in
                        self.estimators_[j].calibrated_classifiers_], axis=0)

    def intercept(self, j: int) -> float:
        return float(np.mean([cc.estimator.intercept_[0] for cc in
                              self.estimators_[j].calibrated_classifiers_]))

    def decision_function(self, X) -> np.ndarray:
        """(n_samples, n_labels) linear scores (mean over the calibration folds' models)."""
        return np.column_stack([X @ self.coef(j) + self.intercept(j)
                                for j in range(len(self.labels_))])
