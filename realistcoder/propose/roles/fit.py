"""Fitting role models: one regularised logistic regression per role, and thresholds.

Used by ``bench/train_roles.py`` (the shipped cold-start weights, learned from the development
set) and by :mod:`realistcoder.propose.learn` (a model per reviewer). scikit-learn is imported
here only, so that proposing with stored weights never loads it.
"""

from __future__ import annotations

import numpy as np

ROLES = ("context", "mechanism", "outcome")
THRESHOLD_GRID = tuple(round(t, 3) for t in np.arange(0.1, 0.801, 0.025))


def fit_logistic(X, y: np.ndarray, *, C: float, sample_weight: np.ndarray | None = None,
                 fit_intercept: bool = False, seed: int = 0):
    """A fitted ``LogisticRegression`` (L2, liblinear for small data, else lbfgs); a role with
    one class only gets a constant model."""
    from sklearn.linear_model import LogisticRegression

    classes = np.unique(y)
    if len(classes) < 2:
        return ConstantModel(float(classes[0]) if len(classes) else 0.0)
    if X.shape[0] >= LARGE:  # liblinear grows too slow; SGD on the same loss and penalty
        from sklearn.linear_model import SGDClassifier

        model = SGDClassifier(loss="log_loss", alpha=1.0 / (C * X.shape[0]), max_iter=30,
                              tol=1e-4, fit_intercept=fit_intercept, random_state=seed)
        model.fit(X, y, sample_weight=sample_weight)
        return model
    model = LogisticRegression(C=C, solver="liblinear", max_iter=2000,
                               fit_intercept=fit_intercept, random_state=seed)
    model.fit(X, y, sample_weight=sample_weight)
    return model


LARGE = 20_000  # training rows from which the stochastic solver is used


class ConstantModel:
    """Stands in for a role never (or always) seen in training."""

    def __init__(self, p: float):
        self.p = min(max(p, 1e-3), 1 - 1e-3)
        self.coef_ = None
        self.intercept_ = np.array([np.log(self.p / (1 - self.p))])

    def decision_function(self, X) -> np.ndarray:
        return np.full(X.shape[0], self.intercept_[0])

    def predict_proba(self, X) -> np.ndarray:
        return np.column_stack([np.full(X.shape[0], 1 - self.p), np.full(X.shape[0], self.p)])


def f1(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    """(precision, recall, F1) of boolean arrays (any shape: micro over all cells)."""
    tp = int((pred & gold).sum())
    n_pred, n_gold = int(pred.sum()), int(gold.sum())
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0)


def best_threshold(prob: np.ndarray, gold: np.ndarray) -> float:
    """The threshold (of :data:`THRESHOLD_GRID`) with the best F1; ties go to the higher."""
    best, cut = -1.0, 0.5
    for t in THRESHOLD_GRID:
        score = f1(prob >= t, gold)[2]
        if score >= best:
            best, cut = score, t
    return float(cut)
