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

from evaluate import fit_roles, line, load, lodo, scores  # noqa: E402

from realistcoder import __version__  # noqa: E402
from realistcoder.propose.roles.detector import FORMAT, ROLES, shipped_weights_path  # noqa: E402
from realistcoder.propose.roles.fit import best_threshold  # noqa: E402
from realistcoder.propose.roles.signals import feature_names  # noqa: E402


def report(name: str, D: np.ndarray, Y: np.ndarray) -> dict:
    print(line(name, D, Y))
    return {k: dict(zip(("precision", "recall", "f1"), (round(v, 3) for v in vals), strict=True))
            for k, vals in scores(D, Y).items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--C", type=float, default=0.3, help="inverse L2 regularisation strength")
    ap.add_argument("--write", action="store_true", help="write the shipped weights.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = load(Path(tmp))
        data.store.close()
    X, Y, groups, missing = data.X, data.Y, data.groups, data.missing
    docs = sorted(set(groups))
    print(f"development set: {len(Y)} labelled sentences in {len(docs)} documents "
          f"({', '.join(docs)}); {int(Y.sum())} sentence-role pairs; "
          f"{len(missing)} labels not found in the store")
    started = time.process_time()
    P, D, _ = lodo(X, Y, groups, args.C)
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
