"""Learn the role detector's shipped weights from the development set, and measure them.

The detector's signals are written from realist methodology (realistcoder/propose/roles/
lexicon.py, signals.py); how much each counts for context, mechanism and outcome is learned here,
from the hand-labelled development set in bench/devset/labels (real documents in ../shared/pdfs,
never the four reserved for independent evaluation):

1. every labelled document is ingested into a temporary store and its labels are matched to
   the stored sentences by fingerprint;
2. leave-one-document-out: for each document, a logistic regression per role is fitted on the
   other documents (thresholds chosen by an inner leave-one-document-out on those documents),
   and the held-out document is scored: these pooled figures are the honest cold-start estimate
   for a document the detector has never seen;
3. the shipped model is fitted on every document; its thresholds are the ones that give the best
   F1 on the pooled held-out probabilities of step 2.

Writes realistcoder/propose/roles/weights.json (with --write) and prints the figures.

Usage: python bench/train_roles.py [--C 0.3] [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "devset"))

from devset import labelled_store  # noqa: E402

from realistcoder import __version__  # noqa: E402
from realistcoder.propose.nlp import load_nlp  # noqa: E402
from realistcoder.propose.roles.detector import FORMAT, ROLES, shipped_weights_path  # noqa: E402
from realistcoder.propose.roles.fit import best_threshold, f1, fit_logistic  # noqa: E402
from realistcoder.propose.roles.signals import SignalMatcher, feature_names  # noqa: E402


def dataset(tmp: Path):
    store, examples, missing = labelled_store(tmp / "dev.db")
    store.close()
    nlp = load_nlp()
    matcher = SignalMatcher(nlp)
    docs = nlp.pipe((e["text"] for e in examples), batch_size=256)
    X = np.stack([matcher(d).vector(matcher.index) for d in docs])
    Y = np.array([[r in e["roles"] for r in ROLES] for e in examples], dtype=bool)
    groups = np.array([e["doc"] for e in examples])
    return X, Y, groups, missing


def fit_roles(X, Y, C):
    return [fit_logistic(X, Y[:, j], C=C) for j in range(len(ROLES))]


def predict(models, X) -> np.ndarray:
    return np.column_stack([m.predict_proba(X)[:, 1] for m in models])


def lodo(X, Y, groups, C, inner: bool = True):
    """Held-out probabilities and held-out decisions (thresholds from inner LODO)."""
    P = np.zeros(Y.shape)
    D = np.zeros(Y.shape, dtype=bool)
    for g in np.unique(groups):
        tr, te = groups != g, groups == g
        P[te] = predict(fit_roles(X[tr], Y[tr], C), X[te])
        if inner:
            Pi, _ = lodo(X[tr], Y[tr], groups[tr], C, inner=False)
            cuts = [best_threshold(Pi[:, j], Y[tr][:, j]) for j in range(len(ROLES))]
            D[te] = P[te] >= np.array(cuts)
    return P, D


def report(name: str, D: np.ndarray, Y: np.ndarray) -> dict:
    out = {}
    parts = []
    for j, role in enumerate(ROLES):
        p, r, f = f1(D[:, j], Y[:, j])
        out[role] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}
        parts.append(f"{role} P {p:.2f} R {r:.2f} F1 {f:.2f}")
    p, r, f = f1(D, Y)
    out["micro"] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}
    print(f"{name}: micro P {p:.3f} R {r:.3f} F1 {f:.3f} | " + "; ".join(parts))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--C", type=float, default=0.3, help="inverse L2 regularisation strength")
    ap.add_argument("--write", action="store_true", help="write the shipped weights.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        X, Y, groups, missing = dataset(Path(tmp))
    docs = sorted(set(groups))
    print(f"development set: {len(Y)} labelled sentences in {len(docs)} documents "
          f"({', '.join(docs)}); {int(Y.sum())} sentence-role pairs; "
          f"{len(missing)} labels not found in the store")
    started = time.process_time()
    P, D = lodo(X, Y, groups, args.C)
    metrics = report("leave-one-document-out (held-out thresholds)", D, Y)
    cuts = {r: best_threshold(P[:, j], Y[:, j]) for j, r in enumerate(ROLES)}
    models = fit_roles(X, Y, args.C)
    print(f"thresholds for the shipped model (best F1 on pooled held-out): {cuts}; "
          f"trained in {time.process_time() - started:.1f} s CPU")
    if not args.write:
        return
    weights = np.column_stack([m.coef_[0] for m in models])
    data = {
        "format": FORMAT,
        "created": datetime.now(UTC).strftime("%Y-%m-%d"),
        "realistcoder": __version__,
        "trained_on": {"documents": docs, "sentences": int(len(Y)),
                       "pairs": {r: int(Y[:, j].sum()) for j, r in enumerate(ROLES)},
                       "labels": "bench/devset/labels"},
        "model": f"logistic regression per role, L2, C={args.C}, no intercept (a bias feature)",
        "leave_one_document_out": metrics,
        "features": feature_names(),
        "weights": {r: [round(float(v), 6) for v in weights[:, j]] for j, r in enumerate(ROLES)},
        "thresholds": cuts,
    }
    path = shipped_weights_path()
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
