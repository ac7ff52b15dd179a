"""Counts for the document flow (SQL only): records the store never held, and the screening
state of the documents it holds.

``flow_counts`` is appended to; the current count of a (stage, label) is the latest one, so a
count is corrected by recording it again (0 removes it from the flow).
"""

from __future__ import annotations

import uuid as uuidlib

from realistcoder.errors import InputError
from realistcoder.store.db import Store, utcnow
from realistcoder.store.review_lookup import check_reviewer

STAGES = ("identified", "duplicates", "excluded_title_abstract", "excluded_full_text")


def record_count(store: Store, stage: str, n: int, reviewer: str, *, label: str = "",
                 note: str | None = None, uuid: str | None = None) -> dict:
    """Record how many records a stage held (``label``: the source searched, or the reason
    for exclusion)."""
    reviewer = check_reviewer(reviewer)
    stage = stage.strip().lower().replace("-", "_")
    if stage not in STAGES:
        raise InputError(f"unknown flow stage '{stage}'", subject="STAGE",
                         fix=f"use one of {', '.join(s.replace('_', '-') for s in STAGES)}")
    if int(n) < 0:
        raise InputError("a count cannot be negative", subject="N", fix="pass 0 or more")
    row = {"uuid": uuid or str(uuidlib.uuid4()), "stage": stage,
           "label": " ".join((label or "").split()), "n": int(n), "reviewer": reviewer,
           "note": (note or "").strip() or None, "created_at": utcnow()}
    with store.transaction():
        row["id"] = store.db["flow_counts"].insert(row).last_pk
    return row


def current_counts(store: Store) -> list[dict]:
    """The latest count of each (stage, label), zero counts left out, in recording order."""
    return store.query(
        "SELECT f.* FROM flow_counts f WHERE f.n > 0 AND f.id = (SELECT f2.id FROM flow_counts "
        "f2 WHERE f2.stage = f.stage AND f2.label = f.label ORDER BY f2.created_at DESC, "
        "f2.id DESC LIMIT 1) ORDER BY f.stage, f.id")


def document_states(store: Store) -> list[dict]:
    """Every current document: its source of identification, screening state, and whether it
    has current codings and evidence linked to an active CMOC."""
    return store.query(
        "SELECT d.id, d.file_name, d.found_via, d.screening, d.screening_stage, "
        "d.exclusion_reason, "
        "EXISTS (SELECT 1 FROM codings c WHERE c.document_id = d.id AND c.active = 1 AND "
        "c.role != 'none') AS coded, "
        "EXISTS (SELECT 1 FROM cmoc_links l JOIN codings c ON c.id = l.coding_id JOIN cmocs m "
        "ON m.id = l.cmoc_id WHERE c.document_id = d.id AND l.removed_at IS NULL AND "
        "m.status = 'active') AS in_cmocs "
        "FROM documents d WHERE d.status = 'ok' ORDER BY d.id")
