"""Shared by the development-set benchmarks: the labelled data as features, and
leave-one-document-out fitting of the role detector.

Role-level evaluation works on (sentence, role) pairs, as the independent evaluation does: a
proposal of any kind (role or code) for a role counts once per sentence and role.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from devset import labelled_store, source_of

from realistcoder.propose.nlp import load_nlp
from realistcoder.propose.roles.detector import ROLES
from realistcoder.propose.roles.fit import best_threshold, f1, fit_logistic
from realistcoder.propose.roles.signals import SignalMatcher

KEYWORDS = {  # a 26-keyword substring rule, the baseline the issue measured against
    "context": ["lack", "barrier", "training", "resource", "staff", "time", "funding", "support",
                "where", "when"],
    "mechanism": ["felt", "trust", "confiden", "motivat", "willing", "concern", "perceiv",
                  "believ"],
    "outcome": ["improv", "reduc", "increas", "led to", "result", "outcome", "%", "impact"],
}


@dataclass
class DevData:
    examples: list[dict]  # labelled sentences (id, text, doc, roles, ...)
    X: np.ndarray  # detector features
    Y: np.ndarray  # (n, 3) bool labels
    groups: np.ndarray  # document id prefix per example
    missing: list  # labels not found in the store
    store: object  # the open store holding the documents (and any proposals made)


def load(tmp: Path) -> DevData:
    store, examples, missing = labelled_store(tmp / "dev.db")
    nlp = load_nlp()
    matcher = SignalMatcher(nlp)
    docs = nlp.pipe((e["text"] for e in examples), batch_size=256)
    X = np.stack([matcher(d).vector(matcher.index) for d in docs])
    Y = np.array([[r in e["roles"] for r in ROLES] for e in examples], dtype=bool)
    groups = np.array([source_of(e["doc"]) for e in examples])
    return DevData(examples, X, Y, groups, missing, store)


def fit_roles(X, Y, C: float):
    return [fit_logistic(X, Y[:, j], C=C) for j in range(len(ROLES))]


def predict(models, X) -> np.ndarray:
    return np.column_stack([m.predict_proba(X)[:, 1] for m in models])


def lodo(X, Y, groups, C: float, inner: bool = True):
    """Held-out probabilities, held-out decisions (thresholds from an inner leave-one-
    document-out on the training documents) and the per-document weights."""
    P = np.zeros(Y.shape)
    D = np.zeros(Y.shape, dtype=bool)
    weights = {}
    for g in np.unique(groups):
        tr, te = groups != g, groups == g
        models = fit_roles(X[tr], Y[tr], C)
        weights[g] = models
        P[te] = predict(models, X[te])
        if inner:
            Pi, _, _ = lodo(X[tr], Y[tr], groups[tr], C, inner=False)
            cuts = [best_threshold(Pi[:, j], Y[tr][:, j]) for j in range(len(ROLES))]
            D[te] = P[te] >= np.array(cuts)
    return P, D, weights


def keyword_rule(texts: list[str]) -> np.ndarray:
    return np.array([[any(k in t.lower() for k in KEYWORDS[r]) for r in ROLES] for t in texts])


def scores(D: np.ndarray, Y: np.ndarray) -> dict:
    """Micro and per-role precision, recall and F1 of boolean decisions."""
    out = {}
    for j, role in enumerate(ROLES):
        out[role] = f1(D[:, j], Y[:, j])
    out["micro"] = f1(D, Y)
    return out


def line(name: str, D: np.ndarray, Y: np.ndarray) -> str:
    s = scores(D, Y)
    p, r, f = s["micro"]
    parts = "; ".join(f"{role[0].upper()} {s[role][0]:.2f}/{s[role][1]:.2f}/{s[role][2]:.2f}"
                      for role in ROLES)
    return f"{name:<44} P {p:.3f}  R {r:.3f}  F1 {f:.3f}  | {parts}"
