"""``realistcoder simulate``: replay a finished coding as a reviewer who works with the tool.

Modelled on ASReview's simulation mode. The simulated reviewer takes the labelled documents one
by one (in the store's order, or shuffled with ``seed``) and, in each, decides the proposals in
the order the review queue presents them: a proposal whose role the labels give its sentence is
accepted, any other rejected. Then, as a reviewer reading the document would, it codes the roles
no proposal found (role-only codings) and marks the labelled sentences that carry no role.
Every ``batch`` decisions the reviewer's model is retrained (``propose --learn``) and applied to
the documents not yet reviewed, exactly as in real use.

After each batch the learning curve gets a point, measured on the documents not yet reviewed:
role-level precision, recall and F1 of the proposals the reviewer now sees there, and the work
saved at 95% recall: reading those documents' labelled sentences in the order of the model's
role scores (the detector's before any learning), the share of sentences that need not be read
to find 95% of the sentences that carry a role, minus the 5% a random order saves (ASReview's
WSS@95).

It runs on a copy of the store: the store itself is never changed.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from realistcoder.errors import InputError
from realistcoder.propose.learn import MIN_SENTENCES, learn
from realistcoder.propose.learned import LearnedModel, design
from realistcoder.propose.roles.detector import ROLES, RoleDetector
from realistcoder.propose.roles.fit import f1
from realistcoder.store import open_store
from realistcoder.store import review as rv
from realistcoder.store.db import Store
from realistcoder.store.proposals import list_proposals

SIMULATED = "simulated-reviewer"


@dataclass
class CurvePoint:
    decisions: int
    documents_done: int
    documents_left: int
    retrained: bool
    precision: float | None
    recall: float | None
    f1: float | None
    wss95: float | None
    cold_f1: float | None = None  # the same documents' proposals before any learning


@dataclass
class Simulation:
    documents: list[str]
    labelled: int
    batch: int
    seed: int
    points: list[CurvePoint] = field(default_factory=list)
    retrains: int = 0


def labels_from_store(store: Store, reviewer: str) -> dict[int, set[str]]:
    """A reviewer's roles per sentence, from their codings and marks (sentences they coded by
    hand or marked are read whole; accepted proposals give their role)."""
    from realistcoder.propose.learn import training_set

    data = training_set(store, reviewer)
    return {sid: {r for j, r in enumerate(ROLES) if row[j] == 1}
            for sid, row in zip(data.sentence_ids, data.labels, strict=True)
            if (row >= 0).all()}


def simulate(store_path: Path, labels: dict[int, set[str]], *, batch: int = 100,
             seed: int = 0, shuffle: bool = False, detector: RoleDetector | None = None,
             progress=None) -> Simulation:
    """Replay ``labels`` ({sentence_id: roles}) on a copy of the store at ``store_path``."""
    from realistcoder.propose.nlp import load_nlp

    if batch < 1:
        raise InputError("the batch must be at least 1 decision", subject="--batch",
                         fix="pass a positive number such as 25")
    if len(labels) < MIN_SENTENCES:
        raise InputError(f"only {len(labels)} labelled sentences", subject="simulate",
                         fix=f"give at least {MIN_SENTENCES} labelled sentences")
    detector = detector or RoleDetector(load_nlp())
    with tempfile.TemporaryDirectory(prefix="realistcoder-simulate-") as tmp:
        copy = Path(tmp) / "simulation.db"
        _copy_store(store_path, copy)
        store = open_store(copy)
        try:
            return _run(store, labels, detector, batch, seed, shuffle, progress)
        finally:
            store.close()


def _copy_store(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _run(store: Store, labels, detector, batch, seed, shuffle, progress) -> Simulation:
    docs = _documents(store, labels)
    if shuffle:
        random.Random(seed).shuffle(docs)
    sim = Simulation([d["file_name"] for d in docs], len(labels), batch, seed)
    decisions = since = 0
    model: LearnedModel | None = None
    left = [d["id"] for d in docs]
    sim.points.append(_measure(store, detector, model, docs, labels, 0, False))
    if progress:
        progress(sim.points[-1])
    for k, d in enumerate(docs[:-1]):  # the last document leaves nothing to measure on
        left = [x["id"] for x in docs[k + 1:]]
        for made in _review_document(store, d["id"], {s: labels[s] for s in d["sentences"]}):
            decisions += made
            since += made
            if since >= batch:
                since = 0
                model = _retrain(store, detector, left, sim) or model
                sim.points.append(_measure(store, detector, model, docs[k + 1:], labels,
                                           decisions, True, done=k + 1))
                if progress:
                    progress(sim.points[-1])
    return sim


def _documents(store: Store, labels) -> list[dict]:
    rows = store.query(
        f"SELECT s.id, s.document_id, d.file_name FROM sentences s JOIN documents d ON "
        f"d.id = s.document_id WHERE d.status = 'ok' AND s.id IN "
        f"({','.join(str(int(i)) for i in labels)}) ORDER BY s.document_id, s.seq")
    docs: dict[int, dict] = {}
    for r in rows:
        docs.setdefault(r["document_id"], {"id": r["document_id"], "file_name": r["file_name"],
                                           "sentences": []})["sentences"].append(r["id"])
    if not docs:
        raise InputError("none of the labelled sentences is in the store", subject="simulate",
                         fix="label sentences of documents ingested in this store")
    return list(docs.values())


def _review_document(store: Store, document_id: int, labels: dict[int, set[str]]):
    """Decide the document's queue in order, then code what no proposal found; yields the
    number of decisions made, one step at a time."""
    found: dict[int, set[str]] = defaultdict(set)
    for item in rv.review_queue(store, SIMULATED, document_id=document_id):
        sid, role = item["sentence_id"], item["role"]
        if sid not in labels:
            continue  # the labels do not cover it: the reviewer would judge it, we cannot
        if role in labels[sid] and role not in found[sid]:
            rv.accept(store, item["id"], SIMULATED, origin="simulate")
            found[sid].add(role)
        else:
            rv.reject(store, item["id"], SIMULATED, origin="simulate")
        yield 1
    for sid, roles in labels.items():
        for role in sorted(roles - found[sid]) or (["none"] if not roles else []):
            rv.code_by_hand(store, sid, None, SIMULATED, role=role, origin="simulate")
            yield 1


def _retrain(store: Store, detector, left: list[int], sim: Simulation) -> LearnedModel | None:
    try:
        summary = learn(store, SIMULATED, detector=detector, document_ids=left)
    except InputError:  # too few labelled sentences yet
        return None
    sim.retrains += 1
    return summary.model


def _measure(store: Store, detector, model, docs: list[dict], labels, decisions: int,
             retrained: bool, done: int = 0) -> CurvePoint:
    """Figures on the documents not yet reviewed (``docs``)."""
    ids = [sid for d in docs for sid in d["sentences"]]
    if not ids:
        return CurvePoint(decisions, done, 0, retrained, None, None, None, None)
    row = {sid: i for i, sid in enumerate(ids)}
    shown = np.zeros((len(ids), len(ROLES)), dtype=bool)
    for p in list_proposals(store, reviewer=SIMULATED, status="pending",
                            document_ids=[d["id"] for d in docs]):
        i = row.get(p["sentence_id"])
        if i is not None and p["role"] in ROLES:
            shown[i, ROLES.index(p["role"])] = True
    gold = np.array([[r in labels[sid] for r in ROLES] for sid in ids])
    p, r, f = f1(shown, gold)
    cold = np.zeros_like(shown)  # what everyone sees: no reviewer's model re-scores these
    for q in list_proposals(store, document_ids=[d["id"] for d in docs]):
        i = row.get(q["sentence_id"])
        if i is not None and q["role"] in ROLES:
            cold[i, ROLES.index(q["role"])] = True
    return CurvePoint(decisions, done, len(docs), retrained, round(p, 3), round(r, 3),
                      round(f, 3), _wss95(store, detector, model, ids, gold),
                      round(f1(cold, gold)[2], 3))


def _wss95(store: Store, detector, model, ids: list[int], gold: np.ndarray) -> float | None:
    """Work saved over sampling at 95% recall of the sentences that carry a role."""
    carries = gold.any(axis=1)
    if carries.sum() == 0:
        return None
    texts = {r["id"]: r["text"] for r in store.query(
        f"SELECT id, text FROM sentences WHERE id IN ({','.join(map(str, ids))})")}
    docs = list(detector.nlp.pipe(texts[i] for i in ids))
    probs = model.probabilities(design(detector, docs)) if model else \
        detector.probabilities(docs)
    order = np.argsort(-probs.max(axis=1), kind="stable")
    found = np.cumsum(carries[order])
    need = int(np.searchsorted(found, np.ceil(0.95 * carries.sum()))) + 1
    return round((1 - need / len(ids)) - 0.05, 3)
