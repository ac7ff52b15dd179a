"""Proposal quality on real documents: the development set, role level, as reviewers code.

The development set (bench/devset/labels: real documents from ../shared/pdfs labelled with
../shared/CODING-GUIDE.md, never the four reserved for independent evaluation) is ingested into
a temporary store. Figures are role-level precision / recall / F1 over (sentence, role) pairs,
micro-averaged, with per-role figures beside them:

* **cold** (no decisions yet): the role detector leave-one-document-out, i.e. for each document
  the weights and thresholds learned from the other documents only (the shipped weights are
  learned from all of them, so scoring them on the same documents would flatter them). What
  ``propose`` makes has the same role pairs: a code proposal is kept only where the detector
  finds its role; the line with ungated code proposals shows why;
* **today's proposer** (v0.1): code proposals of the shipped codebook only, at score >= 0.3;
* **keyword rule**: a 26-keyword substring rule;
* **after learning** (leave-one-document-out): a reviewer's model (``propose --learn``) trained
  on the labels of the other documents, scoring the held-out one;
* **learning curve**: ``simulate`` replaying the labels as a reviewer (see
  realistcoder/propose/simulate.py), F1 on the documents not yet reviewed after each batch.

Usage: python bench/bench_quality.py [--skip-learning] [--C 0.3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "devset"))

from evaluate import keyword_rule, line, load, lodo  # noqa: E402
from learning import learned_lodo, learning_curve  # noqa: E402

from realistcoder.codebook import default_codebook_path, load_codebook  # noqa: E402
from realistcoder.propose.roles.detector import ROLES  # noqa: E402
from realistcoder.propose.run import DEFAULT_MIN_SCORE, propose  # noqa: E402
from realistcoder.store.codebooks import save_codebook  # noqa: E402


def code_pairs(data) -> np.ndarray:
    """(n, 3) bool: a code proposal of that role at score >= 0.3 on the sentence."""
    store = data.store
    cb = load_codebook(default_codebook_path())
    propose(store, [(save_codebook(store, cb), cb)], roles=False)
    row = {e["id"]: i for i, e in enumerate(data.examples)}
    out = np.zeros(data.Y.shape, dtype=bool)
    for p in store.query("SELECT sentence_id, role, score FROM proposals "
                         "WHERE code_id IS NOT NULL AND score >= ?", (DEFAULT_MIN_SCORE,)):
        if p["sentence_id"] in row and p["role"] in ROLES:
            out[row[p["sentence_id"]], ROLES.index(p["role"])] = True
    return out


def _clean_copy(store, path: Path) -> None:
    """The ingested documents only (no proposals): a copy every fold starts from."""
    import sqlite3

    backup = sqlite3.connect(path)
    store.conn.backup(backup)
    backup.execute("DELETE FROM role_passes")
    backup.execute("DELETE FROM proposal_passes")
    backup.execute("DELETE FROM proposals")
    backup.commit()
    backup.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--C", type=float, default=0.3)
    ap.add_argument("--skip-learning", action="store_true")
    args = ap.parse_args()
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        data = load(Path(tmp))
        Y = data.Y
        docs = sorted(set(data.groups))
        print(f"development set: {len(Y)} labelled sentences, {int(Y.sum())} sentence-role "
              f"pairs, {len(docs)} documents ({', '.join(docs)}); {len(data.missing)} labels "
              "not found after ingest")
        P, D, _ = lodo(data.X, Y, data.groups, args.C)
        codes = code_pairs(data)
        texts = [e["text"] for e in data.examples]
        print("\nrole level, micro (per role: precision/recall/F1)")
        print(line("cold: role detector (LODO)", D, Y))
        print(line("cold: + code proposals without the role gate", D | codes, Y))
        print(line("today's proposer (v0.1 code proposals)", codes, Y))
        print(line("keyword rule (26 keywords)", keyword_rule(texts), Y))
        print(line("every role for every sentence", np.ones_like(Y), Y))
        if not args.skip_learning:
            base = Path(tmp) / "base.db"
            _clean_copy(data.store, base)
            cold, learned = learned_lodo(data, base, Path(tmp), args.C)
            print("\nlearning (detector trained on one half of the documents, the reviewer's "
                  "labels on the other half, leave-one-document-out within it):")
            print(line("cold: detector from the other half", cold, Y))
            print(line("after learning (propose --learn)", learned, Y))
            print("\nlearning curves (simulate: a reviewer working through one half with a "
                  "detector from the other half; figures on the documents not yet reviewed, "
                  "cold F1: their proposals without learning):")
            for _, sim in learning_curve(data, base, Path(tmp), args.C):
                print(f"  reviewer's documents: {', '.join(sim.documents)}")
                print(f"  {'decisions':>9} {'done':>5} {'left':>5} {'P':>6} {'R':>6} "
                      f"{'F1':>6} {'WSS@95':>7} {'cold F1':>7}")
                for p in sim.points:
                    if p.f1 is not None:
                        print(f"  {p.decisions:>9} {p.documents_done:>5} "
                              f"{p.documents_left:>5} {p.precision:>6.3f} {p.recall:>6.3f} "
                              f"{p.f1:>6.3f} {p.wss95 if p.wss95 is not None else '-':>7} "
                              f"{p.cold_f1:>7.3f}")
        data.store.close()
    print(f"\n({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
