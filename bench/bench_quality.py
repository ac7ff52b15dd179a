"""Proposal quality on real documents: the development set, role level, as reviewers code.

The development set (bench/devset/labels: real documents from ../shared/pdfs labelled with
../shared/CODING-GUIDE.md, never the four reserved for independent evaluation) is ingested into
a temporary store. Figures are role-level precision / recall / F1 over (sentence, role) pairs,
micro-averaged, with per-role figures beside them:

* **cold** (no decisions yet): the role detector leave-one-document-out, i.e. for each document
  the weights and thresholds learned from the other documents only (the shipped weights are
  learned from all of them, so scoring them on the same documents would flatter them); then the
  same with the codebook's code proposals added (``propose`` makes both);
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
        print(line("cold: role + code proposals (what propose makes)", D | codes, Y))
        print(line("today's proposer (v0.1 code proposals)", codes, Y))
        print(line("keyword rule (26 keywords)", keyword_rule(texts), Y))
        print(line("every role for every sentence", np.ones_like(Y), Y))
        data.store.close()
    print(f"\n({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
