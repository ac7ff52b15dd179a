"""Propose codes for the sentences in the store: batched, idempotent, resumable.

For each document and each codebook version, sentences of the chosen section kinds are run
through the pipeline in batches (``nlp.pipe``), matched, and the proposals scoring at least
``min_score`` are written in one transaction per batch:

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

import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from realistcoder.codebook.model import Codebook
from realistcoder.codebook.validate import regex_problems
from realistcoder.errors import CodebookError, RealistCoderError, StoreError
from realistcoder.ingest.sections import PROPOSE_BY_DEFAULT
from realistcoder.store import proposals as db
from realistcoder.store.codebooks import code_row_ids
from realistcoder.store.db import Store

MATCHER_VERSION = "2"  # bump when scoring changes: finished passes are redone
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
    failed: list[tuple[str, str]] = field(default_factory=list)  # (document, one-line reason)


@dataclass
class _Target:
    position: int  # in the combined matcher
    codebook_id: int
    codebook: Codebook
    code_ids: dict[str, int]
    older: list[int]


def plan(
    store: Store,
    codebooks: Sequence[tuple[int, Codebook]],
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    document_ids: Sequence[int] | None = None,
    sections: Sequence[str] | None = PROPOSE_BY_DEFAULT,
) -> list[tuple[dict, list[int], int]]:
    """(document, indexes of the codebooks still to run on it, sentence count) per document."""
    work = []
    for doc in db.documents_to_propose(store, document_ids):
        todo = [
            i for i, (cb_id, _) in enumerate(codebooks)
            if not db.pass_done(store, cb_id, doc["id"], sections, min_score, MATCHER_VERSION)
        ]
        work.append((doc, todo, db.count_sentences(store, doc["id"], sections) if todo else 0))
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
    work: list[tuple[dict, list[int], int]] | None = None,
) -> ProposeSummary:
    """Propose codes from stored codebook versions ``(codebook_id, Codebook)``.

    ``sections=None`` reads every section kind. ``progress(n)`` is called with the number of
    sentences finished after each batch. ``work`` is :func:`plan`'s result, if already made.
    """
    if not 0.0 <= min_score <= 1.0:
        raise ValueError("min_score must be in [0, 1]")
    # spaCy loads here, not at import, so that every other command starts fast
    from realistcoder.propose.matcher import compiled
    from realistcoder.propose.nlp import load_nlp

    nlp = load_nlp()
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
    summary = ProposeSummary()
    if work is None:
        work = plan(store, codebooks, min_score=min_score, document_ids=document_ids,
                    sections=sections)
    for doc, todo, _count in work:
        if not todo:
            summary.skipped_documents += 1
            continue
        summary.documents += 1
        chosen = [targets[i] for i in todo]
        written = Counter()
        n_doc = 0
        batches = db.sentence_batches(store, doc["id"], sections, batch_size)
        try:  # one bad document is reported and skipped; it never blocks the others
            for batch in batches:
                ids = [row["id"] for row in batch]
                parsed = nlp.pipe((row["text"] for row in batch), batch_size=256)
                found = [matcher.match(doc, min_score=min_score) for doc in parsed]
                with store.transaction():
                    for target in chosen:
                        written[target.codebook_id] += _write_batch(store, target, ids, found,
                                                                    summary)
                n_doc += len(batch)
                summary.sentences += len(batch)
                if progress is not None:
                    progress(len(batch))
        except (RealistCoderError, sqlite3.Error):
            raise  # the store's fault (locked, full disk), not the document's
        except Exception as err:
            summary.failed.append((doc.get("file_name") or f"document {doc['id']}",
                                   " ".join(f"{type(err).__name__}: {err}".split())))
            continue
        with store.transaction():
            for target in chosen:
                db.record_pass(store, target.codebook_id, doc["id"], sections, min_score,
                               MATCHER_VERSION, n_doc, written[target.codebook_id])
    return summary


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
