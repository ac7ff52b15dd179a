"""Appraisals of documents: each reviewer's relevance and rigour judgements, and the team's
consensus (SQL only; what a document's appraisal *is* is decided in ``review.appraisal``).

An appraisal is appended, never changed: a reviewer's current appraisal of a document is their
latest. A consensus appraisal is stored under the reviewer ``consensus`` with ``resolved_by``
naming who recorded it, as consensus codings are.
"""

from __future__ import annotations

import uuid as uuidlib

from realistcoder.errors import InputError
from realistcoder.store.db import Store, insert_row, utcnow
from realistcoder.store.review_lookup import CONSENSUS, check_reviewer

LEVELS = ("high", "moderate", "low")
RANK = {"low": 0, "moderate": 1, "high": 2}


def check_level(name: str, value: str | None) -> str:
    """``value`` if it is high, moderate or low, else a one-line error naming the option."""
    if value not in LEVELS:
        raise InputError(f"{name} must be high, moderate or low, not '{value}'",
                         subject=f"--{name.replace('_', '-')}",
                         fix=f"pass --{name.replace('_', '-')} high|moderate|low")
    return value


def add_appraisal(store: Store, document_id: int, reviewer: str, relevance: str, rigour: str,
                  note: str | None = None, *, consensus: bool = False, uuid: str | None = None,
                  created_at: str | None = None) -> dict:
    """Append a reviewer's relevance and rigour judgement of a document; with ``consensus``
    the judgement is the team's, recorded by ``reviewer``."""
    reviewer = check_reviewer(reviewer)
    check_level("relevance", relevance)
    check_level("rigour", rigour)
    row = {"uuid": uuid or str(uuidlib.uuid4()), "document_id": int(document_id),
           "reviewer": CONSENSUS if consensus else reviewer, "relevance": relevance,
           "rigour": rigour, "note": (note or "").strip() or None,
           "resolved_by": reviewer if consensus else None, "created_at": created_at or utcnow()}
    with store.transaction():
        row["id"] = insert_row(store.conn, "appraisals", row)
    return row


def current_appraisals(store: Store, viewer: str | None = None, unblinded: bool = False,
                       document_id: int | None = None) -> list[dict]:
    """Each reviewer's latest appraisal per document, the consensus among them (a viewer sees
    only their own and the consensus unless unblinded; with neither, everyone's: appraisals
    are not coded evidence)."""
    where, params = ["a.id = (SELECT a2.id FROM appraisals a2 WHERE a2.document_id = "
                     "a.document_id AND a2.reviewer = a.reviewer ORDER BY a2.created_at DESC, "
                     "a2.id DESC LIMIT 1)"], []
    if viewer is not None and not unblinded:
        where.append("a.reviewer IN (?, ?)")
        params += [viewer, CONSENSUS]
    if document_id is not None:
        where.append("a.document_id = ?")
        params.append(document_id)
    return store.query(
        "SELECT a.*, d.file_name AS document, d.title FROM appraisals a "
        f"JOIN documents d ON d.id = a.document_id WHERE {' AND '.join(where)} "
        f"ORDER BY a.document_id, a.reviewer = '{CONSENSUS}', a.reviewer", tuple(params))
