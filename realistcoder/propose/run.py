"""Propose roles and codes for the sentences in the store: batched, idempotent, resumable.

For each document, sentences of the chosen section kinds are run through the pipeline in
batches (``nlp.pipe``) once, then

* the **role detector** (:mod:`realistcoder.propose.roles`) proposes each role whose
  probability reaches its threshold: a *role proposal* (no code) with the cues that explain it;
* each **codebook version** is matched, and the code proposals scoring at least ``min_score``
  are written, carrying their code's role: where the detector runs, only where it finds that
  role in the sentence (a code term alone is weak evidence of a role);

in one transaction per batch:

* **idempotent**: a proposal is unique per (sentence, code version); re-running inserts nothing;
* **resumable**: a finished (codebook version, document) run is recorded, and skipped next time
  unless asked for more sections or a lower threshold; an interrupted document is redone
  (its already-written proposals are kept, the rest are added);
* **new codebook versions** add their own proposals. On the sentences they cover, undecided
  proposals of older versions of the same codebook are marked superseded (the rows stay; the
  pending queue hides them). A proposal a reviewer has decided is never superseded, and the new
  version does not re-propose the same code (same id, role and theory) for that sentence: the
  decision stands for it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from realistcoder.codebook.model import Codebook
from realistcoder.codebook.validate import regex_problems
from realistcoder.collection import fewer_collections
from realistcoder.errors import CodebookError, RealistCoderError, StoreError
from realistcoder.ingest.sections import PROPOSE_BY_DEFAULT
from realistcoder.store import proposals as db
from realistcoder.store.codebooks import code_row_ids
from realistcoder.store.db import Store

MATCHER_VERSION = "2"  # bump when scoring changes: finished passes are redone
ROLE_METHOD = "role"  # the method of a role proposal made by the detector
DEFAULT_MIN_SCORE = 0.3
BATCH_SIZE = 500

Progress = Callable[[int], None]


@dataclass
class ProposeSummary:
    """What a run did."""

    sentences: int = 0
    documents: int = 0
    skipped_documents: int = 0
    new: int = 0
    carried: int = 0  # not re-proposed: decided under an older version
    superseded: int = 0
    by_role: Counter = field(default_factory=Counter)
    by_codebook: Counter = field(default_factory=Counter)
    role_proposals: Counter = field(default_factory=Counter)  # new role proposals per role
    role_superseded: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (document, one-line reason)


@dataclass
class _Target:
    position: int  # in the combined matcher
    codebook_id: int
    codebook: Codebook
    code_ids: dict[str, int]
    older: list[int]


@dataclass
class Work:
    """What is left to do on one document."""

    document: dict
    codebooks: list[int]  # indexes of the codebooks still to run on it
    roles: bool  # the role detector still has to read it
    sentences: int  # sentences to read (0 when nothing is left)

    @property
    def todo(self) -> bool:
        return bool(self.codebooks) or self.roles


def detector_version(weights=None) -> str:
    """Identifies the role detector's weights: a new version re-reads every document."""
    from realistcoder.propose.roles.detector import shipped_weights_path

    if weights is None:
        data = shipped_weights_path().read_bytes()
    else:
        data = json.dumps(weights.to_json(), sort_keys=True).encode()
    return f"roles-{hashlib.sha256(data).hexdigest()[:12]}"


def plan(
    store: Store,
    codebooks: Sequence[tuple[int, Codebook]],
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    document_ids: Sequence[int] | None = None,
    sections: Sequence[str] | None = PROPOSE_BY_DEFAULT,
    roles: bool = True,
    role_weights=None,
) -> list[Work]:
    """What is left to do, per document."""
    work = []
    version = detector_version(role_weights) if roles else None
    for doc in db.documents_to_propose(store, document_ids):
        todo = [
            i for i, (cb_id, _) in enumerate(codebooks)
            if not db.pass_done(store, cb_id, doc["id"], sections, min_score, MATCHER_VERSION)
        ]
        role_todo = roles and not db.role_pass_done(store, doc["id"], version, sections)
        count = db.count_sentences(store, doc["id"], sections) if todo or role_todo else 0
        work.append(Work(doc, todo, role_todo, count))
    return work


def propose(
    store: Store,
    codebooks: Sequence[tuple[int, Codebook]],
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    document_ids: Sequence[int] | None = None,
    sections: Sequence[str] | None = PROPOSE_BY_DEFAULT,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    work: list[Work] | None = None,
    roles: bool = True,
    role_weights=None,
) -> ProposeSummary:
    """Propose roles (with ``roles``) and codes from stored codebook versions
    ``(codebook_id, Codebook)``.

    ``sections=None`` reads every section kind. ``progress(n)`` is called with the number of
    sentences finished after each batch. ``work`` is :func:`plan`'s result, if already made.
    ``role_weights`` replaces the shipped detector weights (benchmarks; the role passes are
    then recorded under those weights' version).
    """
    if not 0.0 <= min_score <= 1.0:
        raise ValueError("min_score must be in [0, 1]")
    # spaCy loads here, not at import, so that every other command starts fast
    from realistcoder.propose.matcher import compiled
    from realistcoder.propose.nlp import load_nlp
    from realistcoder.propose.roles.detector import RoleDetector

    nlp = load_nlp()
    detector = RoleDetector(nlp, role_weights) if roles else None
    version = detector_version(role_weights) if roles else ""
    targets = []
    for cb_id, cb in codebooks:
        code_ids = code_row_ids(store, cb_id)
        unsafe = [p for c in cb.codes for p in regex_problems(c)]
        if unsafe:  # stored before codebooks were checked for them
            raise CodebookError(f"stored codebook #{cb_id}: {unsafe[0].message}",
                                subject="codebook", fix="fix the pattern and load the codebook "
                                "again with `realistcoder codebook load`")
        missing = [c.id for c in cb.codes if c.id not in code_ids]
        if missing:
            raise StoreError(
                f"stored codebook #{cb_id} lacks codes {', '.join(missing[:5])}",
                subject="codebook", fix="load the codebook again with `realistcoder codebook load`",
            )
        targets.append(
            _Target(len(targets), cb_id, cb, code_ids, db.older_versions(store, cb_id))
        )
    matcher = compiled([cb for _, cb in codebooks]) if codebooks else None
    if work is None:
        work = plan(store, codebooks, min_score=min_score, document_ids=document_ids,
                    sections=sections, roles=roles, role_weights=role_weights)
    summary = ProposeSummary()
    with fewer_collections():  # batch work: see realistcoder.collection
        for item in work:
            if not item.todo:
                summary.skipped_documents += 1
                continue
            summary.documents += 1
            doc_id = item.document["id"]
            chosen = [targets[i] for i in item.codebooks]
            written = Counter()
            try:  # one bad document is reported and skipped; it never blocks the others
                n_doc, n_roles = _propose_document(
                    store, item, chosen, nlp, matcher, detector, sections, batch_size, min_score,
                    summary, written, progress)
            except (RealistCoderError, sqlite3.Error):
                raise  # the store's fault (locked, full disk), not the document's
            except Exception as err:
                doc = item.document
                summary.failed.append((doc.get("file_name") or f"document {doc_id}",
                                       " ".join(f"{type(err).__name__}: {err}".split())))
                continue
            with store.transaction():
                for target in chosen:
                    db.record_pass(store, target.codebook_id, doc_id, sections, min_score,
                                   MATCHER_VERSION, n_doc, written[target.codebook_id])
                if item.roles:
                    db.record_role_pass(store, doc_id, version, sections, n_doc, n_roles)
    return summary


def _propose_document(store, item: Work, chosen, nlp, matcher, detector, sections,
                      batch_size, min_score, summary, written, progress) -> tuple[int, int]:
    """Read one document in batches: role proposals and code proposals, one transaction per
    batch; returns (sentences read, new role proposals)."""
    n_doc = n_roles = 0
    for batch in db.sentence_batches(store, item.document["id"], sections, batch_size):
        ids = [row["id"] for row in batch]
        parsed = list(nlp.pipe((row["text"] for row in batch), batch_size=256))
        role_rows = _role_rows(detector, ids, parsed) if item.roles else []
        found = []
        if chosen and detector is not None:  # the gate: codes of the roles found, and 'other'
            found = [matcher.match(d, min_score=min_score, roles=roles)
                     for d, roles in zip(parsed, detector.found(parsed), strict=True)]
        elif chosen:
            found = [matcher.match(d, min_score=min_score) for d in parsed]
        with store.transaction():
            for target in chosen:
                written[target.codebook_id] += _write_batch(store, target, ids, found, summary)
            if item.roles:
                new, gone = db.write_role_proposals(store, ids, role_rows)
                summary.role_proposals.update(new)
                summary.role_superseded += gone
                n_roles += sum(new.values())
        n_doc += len(batch)
        summary.sentences += len(batch)
        if progress is not None:
            progress(len(batch))
    return n_doc, n_roles


def _role_rows(detector, ids: list[int], parsed: list) -> list[dict]:
    """Role proposals of a batch, as rows for the store."""
    rows = []
    for sentence_id, found in zip(ids, detector.propose(parsed), strict=True):
        for p in found:
            rows.append({"sentence_id": sentence_id, "role": p.role, "score": p.score,
                         "method": ROLE_METHOD, "matched": p.matched, "flags": p.flags})
    return rows


def _write_batch(store, target: _Target, ids, found, summary) -> int:
    decided = db.decided_in_older(store, target.older, ids)
    rows = []
    for sentence_id, proposals in zip(ids, found, strict=True):
        for p in proposals:
            if p.codebook != target.position:
                continue
            if (sentence_id, p.code, p.role, p.theory) in decided:
                summary.carried += 1
                continue
            rows.append({
                "sentence_id": sentence_id,
                "code_id": target.code_ids[p.code],
                "codebook_id": target.codebook_id,
                "code": p.code,
                "role": p.role,
                "theory": p.theory,
                "score": p.score,
                "method": p.method,
                "matched": p.matched,
                "flags": p.flags,
            })
    summary.superseded += db.supersede_older(store, target.codebook_id, target.older, ids)
    inserted = db.insert_proposals(store, rows)
    new = sum(inserted.values())
    summary.new += new
    summary.by_role.update(inserted)
    if new:
        summary.by_codebook[target.codebook.name] += new
    return new
