"""Leave-one-document-out evaluation of ``propose --learn`` through the store, as the contract
runs it, without letting the detector see the reviewer's documents.

In real use the detector's weights come from this development set and a reviewer codes other
documents. To keep that separation here, the documents are split into two halves (seeded). For
each document of half B: a copy of the store gets cold proposals from detector weights learned
on half A only; the labels of the *other* documents of half B are imported as one reviewer's
role codings (and ``none`` marks); the reviewer's model is trained and applied; and the held-out
document's proposals, as that reviewer now sees them, are scored. Then the halves swap. The
"cold" figure of this scheme (detector trained on the other half) is the baseline the learning
gain is measured against."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from evaluate import DevData, fit_roles

from realistcoder.codebook import default_codebook_path, load_codebook
from realistcoder.propose.learn import learn
from realistcoder.propose.nlp import load_nlp
from realistcoder.propose.roles.detector import ROLES, RoleDetector, RoleWeights, shipped_weights
from realistcoder.propose.roles.fit import best_threshold
from realistcoder.propose.run import propose
from realistcoder.store import open_store
from realistcoder.store import review as rv
from realistcoder.store.codebooks import save_codebook
from realistcoder.store.proposals import list_proposals

REVIEWER = "devset"


def halves(data: DevData, seed: int = 0) -> tuple[list[str], list[str]]:
    groups = sorted(set(data.groups))
    order = [groups[i] for i in np.random.default_rng(seed).permutation(len(groups))]
    return sorted(order[::2]), sorted(order[1::2])


def fold_weights(data: DevData, train_on: list[str], C: float) -> RoleWeights:
    """Detector weights learned on the documents ``train_on`` (thresholds by an inner
    leave-one-document-out, as bench/train_roles.py does)."""
    from evaluate import lodo

    tr = np.isin(data.groups, train_on)
    models = fit_roles(data.X[tr], data.Y[tr], C)
    P, _, _ = lodo(data.X[tr], data.Y[tr], data.groups[tr], C, inner=False)
    base = shipped_weights()
    cuts = {r: best_threshold(P[:, j], data.Y[tr][:, j]) for j, r in enumerate(ROLES)}
    w = np.column_stack([m.coef_[0] for m in models])
    return RoleWeights(base.features, w, cuts, {"trained_on": list(train_on)})


def import_labels(store, examples: list[dict], reviewer: str = REVIEWER) -> None:
    with store.transaction():
        for e in examples:
            roles = sorted(e["roles"]) or ["none"]
            for role in roles:
                rv.code_by_hand(store, e["id"], None, reviewer, role=role, origin="import")


def pairs_seen(store, data: DevData, doc: str, reviewer: str | None) -> np.ndarray:
    """(n, 3) bool over the examples: a proposal of that role the reviewer sees (all
    statuses but withdrawn/superseded), or shared proposals when ``reviewer`` is None."""
    row = {e["id"]: i for i, (e, g) in enumerate(zip(data.examples, data.groups, strict=True))
           if g == doc}
    out = np.zeros(data.Y.shape, dtype=bool)
    for p in list_proposals(store, reviewer=reviewer, status="all"):
        i = row.get(p["sentence_id"])
        if i is not None and p["role"] in ROLES:
            out[i, ROLES.index(p["role"])] = True
    return out


def learned_lodo(data: DevData, base_db: Path, work: Path, C: float, progress=None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(cold decisions, learned decisions) over every example, held out per document."""
    nlp = load_nlp()
    cold = np.zeros(data.Y.shape, dtype=bool)
    learned = np.zeros(data.Y.shape, dtype=bool)
    cb = load_codebook(default_codebook_path())
    a, b = halves(data)
    for detector_half, reviewer_half in ((a, b), (b, a)):
        weights = fold_weights(data, detector_half, C)
        for doc in reviewer_half:
            _fold(data, base_db, work / f"fold-{doc}.db", weights, cb, nlp, doc,
                  [g for g in reviewer_half if g != doc], cold, learned)
            if progress:
                progress(doc)
    return cold, learned


def _fold(data, base_db, path, weights, cb, nlp, doc, reviewer_docs, cold, learned) -> None:
    shutil.copy(base_db, path)
    store = open_store(path)
    propose(store, [(save_codebook(store, cb), cb)], role_weights=weights)
    import_labels(store, [e for e, g in zip(data.examples, data.groups, strict=True)
                          if g in reviewer_docs])
    learn(store, REVIEWER, detector=RoleDetector(nlp, weights))
    cold |= pairs_seen(store, data, doc, None)
    learned |= pairs_seen(store, data, doc, REVIEWER)
    store.close()
    path.unlink()


def learning_curve(data: DevData, base_db: Path, work: Path, C: float, batch: int = 200,
                   seed: int = 0):
    """``simulate`` over half B's labels with a detector learned on half A (and the halves
    swapped): the learning curves of a reviewer starting on documents the detector never saw."""
    from realistcoder.propose.simulate import simulate

    nlp = load_nlp()
    a, b = halves(data, seed)
    out = []
    for detector_half, reviewer_half in ((a, b), (b, a)):
        weights = fold_weights(data, detector_half, C)
        path = work / "curve.db"
        shutil.copy(base_db, path)
        store = open_store(path)
        cb = load_codebook(default_codebook_path())
        propose(store, [(save_codebook(store, cb), cb)], role_weights=weights)
        store.close()
        labels = {e["id"]: set(e["roles"]) for e, g in zip(data.examples, data.groups,
                                                            strict=True) if g in reviewer_half}
        out.append((reviewer_half, simulate(path, labels, batch=batch, seed=seed, shuffle=True,
                                            detector=RoleDetector(nlp, weights))))
        path.unlink()
    return out
