"""Learning from a reviewer's decisions: ``propose --learn --reviewer NAME``.

What a reviewer's decisions say about a sentence's roles (their own decisions only: blinding):

* a coding (accepted, recoded, by hand, role-only) of a role: the sentence **carries** it;
* a no-role mark: it carries **none** of the three;
* a rejected proposal of a role, where the reviewer did not code that role: it does **not**;
* a sentence the reviewer coded by hand (or imported, or the team resolved) or marked counts as
  read whole: the roles not coded there are negatives. Accepting a proposal says nothing about
  the sentence's other roles.

On these labels :func:`train` fits one L2 logistic regression per role over the detector's
three role scores and hashed words (:mod:`realistcoder.propose.learned`). Per role it keeps
whichever does best in cross-validation over the reviewer's documents (each document decided
with a threshold chosen on the others): the detector as shipped, the detector with the
reviewer's own threshold, or the learned model. Not before the reviewer has coded three
documents (fewer give no reliable comparison, and a model fitted to one or two atypical
documents was seen to withdraw good proposals from the next ones), nor while a role has too few
examples.

:func:`apply` then re-scores the reviewer's open proposals with it (a proposal below its role's
threshold leaves their queue: ``withdrawn``), and adds a *learned*
role proposal wherever the model finds a role no open proposal covers. Both are the reviewer's
alone. The model, its provenance (decisions used, date, version) and its cross-validated
figures go into the store's model ledger.
"""

from __future__ import annotations

import uuid as uuidlib
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from realistcoder import __version__
from realistcoder.collection import fewer_collections
from realistcoder.errors import InputError
from realistcoder.ingest.sections import PROPOSE_BY_DEFAULT
from realistcoder.propose.learned import FORMAT, LearnedModel, design
from realistcoder.propose.roles.detector import ROLES, RoleDetector
from realistcoder.propose.roles.fit import best_threshold, f1, fit_logistic
from realistcoder.store import learning as db
from realistcoder.store.db import Store

C = 1.0  # inverse L2 strength (bench/bench_quality.py measures it)
MIN_SENTENCES = 10  # labelled sentences needed to learn anything
MIN_POSITIVES = 3  # per role, else the role stays with the cold detector
MIN_DOCUMENTS = 3  # documents coded before a learned model can be validated and used
CV_FOLDS = 4
BATCH = 2000


@dataclass
class TrainingSet:
    sentence_ids: list[int]
    texts: list[str]
    documents: np.ndarray
    labels: np.ndarray  # (n, 3): 1 carries, 0 does not, -1 unknown
    n_decisions: int
    last_decision_id: int | None

    def examples(self) -> dict:
        return {r: {"positive": int((self.labels[:, j] == 1).sum()),
                    "negative": int((self.labels[:, j] == 0).sum())}
                for j, r in enumerate(ROLES)}


@dataclass
class LearnSummary:
    model_id: int
    training: dict
    thresholds: dict
    metrics: dict
    rescored: int = 0
    withdrawn: int = 0
    added: int = 0
    fallback: list[str] = field(default_factory=list)
    model: LearnedModel | None = None


def training_set(store: Store, reviewer: str) -> TrainingSet:
    """The reviewer's labelled sentences (see the module docstring)."""
    labels: dict[int, list[int]] = defaultdict(lambda: [-1, -1, -1])
    info: dict[int, tuple[int, str]] = {}
    read: set[int] = set()
    for row in db.coded_sentences(store, reviewer):
        sid = row["sentence_id"]
        info[sid] = (row["document_id"], row["text"])
        if row["source"] in ("hand", "consensus"):  # judged whole (marks are hand codings)
            read.add(sid)
        if row["role"] in ROLES:
            labels[sid][ROLES.index(row["role"])] = 1
        else:  # a no-role mark: its negatives come from ``read`` below
            labels[sid][0] = max(labels[sid][0], -1)
    for row in db.decided_proposals(store, reviewer):
        sid = row["sentence_id"]
        info.setdefault(sid, (row["document_id"], row["text"]))
        if row["role"] in ROLES and row["status"] in ("rejected", "recoded"):
            j = ROLES.index(row["role"])
            if labels[sid][j] != 1:
                labels[sid][j] = 0
    for sid in read:
        for j in range(len(ROLES)):
            if labels[sid][j] == -1:
                labels[sid][j] = 0
    ids = sorted(sid for sid in labels if any(v != -1 for v in labels[sid]))
    n, last = db.decision_count(store, reviewer)
    return TrainingSet(ids, [info[i][1] for i in ids], np.array([info[i][0] for i in ids]),
                       np.array([labels[i] for i in ids], dtype=int).reshape(len(ids), 3),
                       n, last)


def train(detector: RoleDetector, data: TrainingSet, *, C: float = C,
          seed: int = 0) -> tuple[LearnedModel, dict]:
    """Fit the reviewer's model; returns it and its cross-validated figures.

    Per role, three candidates are compared by cross-validation over the reviewer's documents,
    each document's decisions made with a threshold chosen on the other documents: the detector
    as shipped, the detector with the reviewer's own threshold (how readily they code the role),
    and the learned model. The best is kept, but a change from the detector only if it does
    better on more of the reviewer's documents than it does worse (:func:`document_wins`)."""
    if len(data.sentence_ids) < MIN_SENTENCES:
        raise InputError(
            f"only {len(data.sentence_ids)} labelled sentences to learn from (need "
            f"{MIN_SENTENCES})", subject="--learn",
            fix="decide or code more sentences first (accept, reject, code, or mark sentences "
            "with `code ID --role none`)")
    X = _design(detector, data.texts)
    coef = np.zeros((X.shape[1], len(ROLES)))
    thresholds, metrics, fallback = {}, {}, []
    cold = detector.weights.thresholds
    for j, role in enumerate(ROLES):
        known = data.labels[:, j] >= 0
        y = data.labels[known, j] == 1
        prior = 1 / (1 + np.exp(-np.asarray(X[known][:, 1 + j].todense()).ravel()))
        coef[1 + j, j] = 1.0  # unless learning wins below: the detector's own logit
        thresholds[role] = cold[role]
        if y.sum() < MIN_POSITIVES or (~y).sum() < MIN_POSITIVES:
            fallback.append(role)
            continue
        choice, scores = _select(X[known], y, data.documents[known], prior, cold[role], C, seed)
        metrics[role] = scores
        if choice == "learned":
            coef[:, j] = fit_logistic(X[known], y.astype(int), C=C, seed=seed).coef_[0]
            thresholds[role] = scores.pop("threshold")
        else:
            fallback.append(role)
            if choice == "recalibrated":
                thresholds[role] = scores.pop("threshold")
    return LearnedModel(coef, thresholds, fallback), metrics


def _select(X, y, groups, prior, cold_cut, C, seed) -> tuple[str, dict]:
    """``detector``, ``recalibrated`` or ``learned``, with the cross-validated figures (see
    :func:`train`); ``detector`` when the reviewer has coded fewer than
    :data:`MIN_DOCUMENTS` documents."""
    docs = np.unique(groups)
    if len(docs) < MIN_DOCUMENTS:
        return "detector", {"folds": 0}
    folds = min(CV_FOLDS, len(docs))
    rng = np.random.default_rng(seed)
    fold_of = {d: i % folds for i, d in enumerate(rng.permutation(docs))}
    fold = np.array([fold_of[g] for g in groups])
    oof = np.zeros(len(y))
    for k in range(folds):
        test = fold == k
        if len(np.unique(y[~test])) < 2:
            oof[test] = y[~test].mean()
            continue
        oof[test] = fit_logistic(X[~test], y[~test].astype(int), C=C,
                                 seed=seed).predict_proba(X[test])[:, 1]
    decided = {"detector": prior >= cold_cut,
               "recalibrated": _nested(prior, y, fold, folds),
               "learned": _nested(oof, y, fold, folds)}
    scores = {name: f1(d, y) for name, d in decided.items()}
    for name in ("recalibrated", "learned"):  # one large document must not carry the choice
        if document_wins(decided[name], decided["detector"], y, groups) <= 0:
            scores[name] = (0.0, 0.0, -1.0)
    choice = max(scores, key=lambda name: (round(scores[name][2], 6),
                                           ("detector", "recalibrated", "learned").index(name)))
    p, r, f = scores[choice]
    out = {"folds": folds, "choice": choice, "precision": round(p, 3), "recall": round(r, 3),
           "f1": round(f, 3), "cold_f1": round(scores["detector"][2], 3),
           "recalibrated_f1": round(scores["recalibrated"][2], 3),
           "learned_f1": round(scores["learned"][2], 3)}
    if choice != "detector":
        out["threshold"] = best_threshold(oof if choice == "learned" else prior, y)
    return choice, out


def document_wins(candidate: np.ndarray, baseline: np.ndarray, y: np.ndarray,
                  groups: np.ndarray) -> int:
    """Documents on which ``candidate``'s decisions have the better F1, minus those on which
    ``baseline``'s have: a change is kept only when it helps on more of the reviewer's
    documents than it harms, not just pooled over them."""
    wins = 0
    for g in np.unique(groups):
        at = groups == g
        diff = f1(candidate[at], y[at])[2] - f1(baseline[at], y[at])[2]
        wins += int(np.sign(round(diff, 9)))
    return wins


def _nested(prob: np.ndarray, y: np.ndarray, fold: np.ndarray, folds: int) -> np.ndarray:
    """Decisions per document fold, each with the threshold best on the other folds."""
    out = np.zeros(len(y), dtype=bool)
    for k in range(folds):
        test = fold == k
        out[test] = prob[test] >= best_threshold(prob[~test], y[~test])
    return out


def _design(detector: RoleDetector, texts: list[str]):
    from scipy import sparse

    nlp = detector.nlp
    parts = []
    for i in range(0, len(texts), BATCH):
        docs = list(nlp.pipe(texts[i:i + BATCH], batch_size=256))
        parts.append(design(detector, docs))
    return sparse.vstack(parts, format="csr") if parts else None


@fewer_collections()  # batch work: see realistcoder.collection
def learn(store: Store, reviewer: str, *, detector: RoleDetector | None = None,
          sections=PROPOSE_BY_DEFAULT, C: float = C, seed: int = 0,
          document_ids=None) -> LearnSummary:
    """Train the reviewer's model, record it in the ledger, and apply it (to every current
    document, or to ``document_ids``)."""
    from realistcoder.propose.nlp import load_nlp

    detector = detector or RoleDetector(load_nlp())
    data = training_set(store, reviewer)
    model, metrics = train(detector, data, C=C, seed=seed)
    with store.transaction():
        model_id = db.record_model(store, {
            "uuid": str(uuidlib.uuid4()), "reviewer": reviewer, "method": "learned",
            "version": f"realistcoder {__version__}, {FORMAT}",
            "n_decisions": data.n_decisions, "last_decision_id": data.last_decision_id,
            "n_sentences": len(data.sentence_ids), "examples": data.examples(),
            "settings": {"C": C, "seed": seed, "features": "bias + the detector's role "
                         "logits + hashed word 1-2 grams", "fallback": model.fallback},
            "metrics": metrics, "parameters": model.to_json()})
        db.prune_parameters(store, reviewer)
    summary = LearnSummary(model_id, data.examples(), model.thresholds, metrics,
                           fallback=model.fallback, model=model)
    apply(store, reviewer, model, model_id, detector=detector, sections=sections,
          summary=summary, document_ids=document_ids)
    return summary


def apply(store: Store, reviewer: str, model: LearnedModel, model_id: int, *,
          detector: RoleDetector, sections=PROPOSE_BY_DEFAULT,
          summary: LearnSummary | None = None, document_ids=None) -> LearnSummary:
    """Re-score the reviewer's open proposals and add learned role proposals."""
    summary = summary or LearnSummary(model_id, {}, model.thresholds, {})
    sentences = db.sentences_to_score(store, sections, document_ids)
    by_sentence: dict[int, list[dict]] = defaultdict(list)
    for p in db.open_proposals(store, reviewer):
        by_sentence[p["sentence_id"]].append(p)
    coded = {(r["sentence_id"], r["role"]) for r in db.coded_sentences(store, reviewer)}
    judged = {(r["sentence_id"], r["role"]) for r in db.decided_proposals(store, reviewer)}
    cuts = np.array([model.thresholds[r] for r in ROLES])
    nlp = detector.nlp
    for i in range(0, len(sentences), BATCH):
        batch = sentences[i:i + BATCH]
        docs = list(nlp.pipe((s["text"] for s in batch), batch_size=256))
        X = design(detector, docs)
        P = model.probabilities(X)
        scores, learned = [], []
        for k, (s, p) in enumerate(zip(batch, P, strict=True)):
            covered = set()
            for prop in by_sentence.get(s["id"], []):
                if prop["role"] not in ROLES:
                    continue
                j = ROLES.index(prop["role"])
                shown = bool(p[j] >= cuts[j])
                covered.add(prop["role"])
                scores.append({"proposal_id": prop["id"], "score": round(float(p[j]), 3),
                               "shown": shown, "explanation": model.explain(
                                   detector, docs[k], X[k], prop["role"]) if shown else []})
                summary.rescored += 1
                summary.withdrawn += not shown
            for j, role in enumerate(ROLES):
                if p[j] >= cuts[j] and role not in covered and (s["id"], role) not in coded \
                        and (s["id"], role) not in judged:
                    learned.append({"sentence_id": s["id"], "role": role,
                                    "score": round(float(p[j]), 3),
                                    "explanation": model.explain(detector, docs[k], X[k], role)})
        with store.transaction():
            db.set_scores(store, reviewer, model_id, scores)
            summary.added += db.insert_learned(store, reviewer, model_id, learned)
    return summary
