"""Appraisals of documents and CMO configurations (CMOCs): SQL for the review's synthesis tables.

An appraisal is appended, never changed: a reviewer's current appraisal of a document is their
latest. A CMOC links codings (by part: context, resource, reasoning, mechanism, outcome) under
a theory with an if-then-because statement; every change is recorded in ``cmoc_history`` and a
removed link keeps its row with ``removed_at``.
"""

from __future__ import annotations

import json
import uuid as uuidlib

from realistcoder.errors import InputError, NotFoundError
from realistcoder.store.db import Store, insert_row, utcnow
from realistcoder.store.review import check_reviewer

LEVELS = ("high", "moderate", "low")
PARTS = ("context", "resource", "reasoning", "mechanism", "outcome")
TEXT_FIELDS = ("title", "if_text", "then_text", "because_text", "note")


# --------------------------------------------------------------------------- appraisals


def add_appraisal(store: Store, document_id: int, reviewer: str, relevance: str, rigour: str,
                  note: str | None = None, *, uuid: str | None = None,
                  created_at: str | None = None) -> dict:
    """Append a reviewer's relevance and rigour judgement of a document."""
    reviewer = check_reviewer(reviewer)
    for name, value in (("relevance", relevance), ("rigour", rigour)):
        if value not in LEVELS:
            raise InputError(f"{name} must be high, moderate or low, not '{value}'",
                             subject=f"--{name}", fix=f"pass --{name} high|moderate|low")
    row = {"uuid": uuid or str(uuidlib.uuid4()), "document_id": int(document_id),
           "reviewer": reviewer, "relevance": relevance, "rigour": rigour,
           "note": (note or "").strip() or None, "created_at": created_at or utcnow()}
    with store.transaction():
        row["id"] = insert_row(store.conn, "appraisals", row)
    return row


def current_appraisals(store: Store, viewer: str | None = None, unblinded: bool = False,
                       document_id: int | None = None) -> list[dict]:
    """Each reviewer's latest appraisal per document (a viewer sees only their own unless
    unblinded; with neither, everyone's: appraisals are not coded evidence)."""
    where, params = ["a.id = (SELECT a2.id FROM appraisals a2 WHERE a2.document_id = "
                     "a.document_id AND a2.reviewer = a.reviewer ORDER BY a2.created_at DESC, "
                     "a2.id DESC LIMIT 1)"], []
    if viewer is not None and not unblinded:
        where.append("a.reviewer = ?")
        params.append(viewer)
    if document_id is not None:
        where.append("a.document_id = ?")
        params.append(document_id)
    return store.query(
        "SELECT a.*, d.file_name AS document, d.title FROM appraisals a "
        f"JOIN documents d ON d.id = a.document_id WHERE {' AND '.join(where)} "
        "ORDER BY a.document_id, a.reviewer", tuple(params))


# --------------------------------------------------------------------------- CMOCs


def _history(store: Store, cmoc_id: int, reviewer: str, change: dict) -> None:
    insert_row(store.conn, "cmoc_history", {"cmoc_id": cmoc_id, "reviewer": reviewer,
                                            "change": json.dumps(change, sort_keys=True),
                                            "created_at": utcnow()})


def _check_links(store: Store, links: list[tuple[int, str]]) -> None:
    for coding_id, part in links:
        if part not in PARTS:
            raise InputError(f"unknown part '{part}'", subject=f"coding {coding_id}",
                             fix=f"use one of {', '.join(PARTS)}")
        rows = store.query("SELECT active FROM codings WHERE id = ?", (int(coding_id),))
        if not rows:
            raise NotFoundError(f"no coding with id {coding_id}", subject=f"coding {coding_id}",
                                fix="list codings with `realistcoder export codings`")
        if not rows[0]["active"]:
            raise InputError(f"coding {coding_id} has been removed", subject=f"coding {coding_id}",
                             fix="link a current coding")


def add_cmoc(store: Store, *, theory: str, reviewer: str, links: list[tuple[int, str]],
             title: str = "", if_text: str = "", then_text: str = "", because_text: str = "",
             note: str | None = None, uuid: str | None = None) -> int:
    """Create a CMOC from ``links`` (coding id, part); returns its id."""
    reviewer = check_reviewer(reviewer)
    if not (theory or "").strip():
        raise InputError("a CMOC needs a theory", subject="--theory",
                         fix="pass --theory ID, e.g. workforce")
    now = utcnow()
    with store.transaction():
        _check_links(store, links)
        cmoc_id = insert_row(store.conn, "cmocs", {
            "uuid": uuid or str(uuidlib.uuid4()), "theory": theory.strip(), "title": title or "",
            "if_text": if_text or "", "then_text": then_text or "",
            "because_text": because_text or "", "reviewer": reviewer, "status": "active",
            "note": (note or "").strip() or None, "created_at": now, "updated_at": now,
        })
        for coding_id, part in dict.fromkeys((int(c), p) for c, p in links):
            insert_row(store.conn, "cmoc_links", {"cmoc_id": cmoc_id, "coding_id": coding_id,
                                                  "part": part, "added_at": now})
        _history(store, cmoc_id, reviewer, {"created": True, "links": links})
    return cmoc_id


def get_cmoc(store: Store, cmoc_id: int) -> dict:
    rows = store.query("SELECT * FROM cmocs WHERE id = ?", (int(cmoc_id),))
    if not rows:
        raise NotFoundError(f"no CMOC with id {cmoc_id}", subject=f"cmoc {cmoc_id}",
                            fix="list them with `realistcoder cmoc list`")
    cmoc = rows[0]
    cmoc["links"] = store.query(
        "SELECT l.id AS link_id, l.part, l.coding_id, c.code, c.reviewer, c.sentence_id, "
        "c.end_sentence_id, c.document_id, d.file_name AS document, s.page_no AS page, "
        "c.active FROM cmoc_links l JOIN codings c ON c.id = l.coding_id "
        "JOIN documents d ON d.id = c.document_id JOIN sentences s ON s.id = c.sentence_id "
        "WHERE l.cmoc_id = ? AND l.removed_at IS NULL ORDER BY "
        "CASE l.part WHEN 'context' THEN 0 WHEN 'resource' THEN 1 WHEN 'mechanism' THEN 2 "
        "WHEN 'reasoning' THEN 3 ELSE 4 END, d.id, s.seq", (cmoc["id"],))
    cmoc["history"] = store.query(
        "SELECT reviewer, change, created_at FROM cmoc_history WHERE cmoc_id = ? ORDER BY id",
        (cmoc["id"],))
    return cmoc


def list_cmocs(store: Store, *, theory: str | None = None, reviewer: str | None = None,
               include_retired: bool = False) -> list[dict]:
    """CMOCs with link counts per part (``n_context``, ``n_mechanism``, ``n_outcome``)."""
    where, params = ["1"], []
    if not include_retired:
        where.append("m.status = 'active'")
    if theory:
        where.append("m.theory = ?")
        params.append(theory)
    if reviewer:
        where.append("m.reviewer = ?")
        params.append(reviewer)
    return store.query(
        "SELECT m.*, "
        "(SELECT count(*) FROM cmoc_links l WHERE l.cmoc_id = m.id AND l.removed_at IS NULL "
        " AND l.part = 'context') AS n_context, "
        "(SELECT count(*) FROM cmoc_links l WHERE l.cmoc_id = m.id AND l.removed_at IS NULL "
        " AND l.part IN ('resource', 'reasoning', 'mechanism')) AS n_mechanism, "
        "(SELECT count(*) FROM cmoc_links l WHERE l.cmoc_id = m.id AND l.removed_at IS NULL "
        " AND l.part = 'outcome') AS n_outcome, "
        "(SELECT count(DISTINCT c.document_id) FROM cmoc_links l JOIN codings c ON "
        " c.id = l.coding_id WHERE l.cmoc_id = m.id AND l.removed_at IS NULL) AS n_documents "
        f"FROM cmocs m WHERE {' AND '.join(where)} ORDER BY m.theory, m.id", tuple(params))


def edit_cmoc(store: Store, cmoc_id: int, reviewer: str, *, fields: dict | None = None,
              add: list[tuple[int, str]] = (), remove: list[int] = (),
              status: str | None = None) -> dict:
    """Change text fields, add links (coding id, part), remove links (by coding id), retire or
    restore (``status``); the change is recorded in the CMOC's history."""
    reviewer = check_reviewer(reviewer)
    fields = {k: v for k, v in (fields or {}).items() if v is not None}
    unknown = set(fields) - set(TEXT_FIELDS) - {"theory"}
    if unknown:
        raise InputError(f"unknown field(s) {', '.join(sorted(unknown))}", subject="cmoc edit",
                         fix=f"edit {', '.join(TEXT_FIELDS)} or theory")
    if status is not None and status not in ("active", "retired"):
        raise InputError(f"unknown status '{status}'", subject="cmoc edit",
                         fix="use active or retired")
    now = utcnow()
    with store.transaction():
        cmoc = get_cmoc(store, cmoc_id)
        _check_links(store, list(add))
        current = {link["coding_id"] for link in cmoc["links"]}
        missing = [c for c in remove if int(c) not in current]
        if missing:
            raise InputError(f"coding(s) {', '.join(map(str, missing))} not linked",
                             subject=f"cmoc {cmoc_id}", fix="see `realistcoder cmoc show ID`")
        changes = dict(fields)
        if status is not None:
            changes["status"] = status
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            store.conn.execute(f"UPDATE cmocs SET {sets}, updated_at = ? WHERE id = ?",
                               (*changes.values(), now, cmoc["id"]))
        for coding_id in remove:
            store.conn.execute("UPDATE cmoc_links SET removed_at = ? WHERE cmoc_id = ? AND "
                               "coding_id = ? AND removed_at IS NULL",
                               (now, cmoc["id"], int(coding_id)))
        existing = {(link["coding_id"], link["part"]) for link in cmoc["links"]}
        for coding_id, part in add:
            if (int(coding_id), part) not in existing:
                insert_row(store.conn, "cmoc_links", {"cmoc_id": cmoc["id"],
                                                      "coding_id": int(coding_id), "part": part,
                                                      "added_at": now})
        if add or remove:
            store.conn.execute("UPDATE cmocs SET updated_at = ? WHERE id = ?", (now, cmoc["id"]))
        _history(store, cmoc["id"], reviewer, {**changes, "added": list(add),
                                               "removed": list(remove)})
    return get_cmoc(store, cmoc_id)


def discarded_keys(store: Store, reviewer: str) -> set[str]:
    return {r["key"] for r in store.query("SELECT key FROM cmoc_discards WHERE reviewer = ?",
                                          (reviewer,))}


def discard_suggestion(store: Store, reviewer: str, theory: str, key: str) -> None:
    """Remember that the reviewer discarded a suggested CMOC (it is not suggested again)."""
    with store.transaction():
        store.conn.execute("INSERT OR IGNORE INTO cmoc_discards (reviewer, theory, key, "
                           "created_at) VALUES (?, ?, ?, ?)",
                           (check_reviewer(reviewer), theory, key, utcnow()))


def linked_keys(store: Store) -> set[frozenset[int]]:
    """The coding-id sets of existing CMOCs (to avoid suggesting one already built)."""
    out: dict[int, set[int]] = {}
    for r in store.query("SELECT cmoc_id, coding_id FROM cmoc_links WHERE removed_at IS NULL"):
        out.setdefault(r["cmoc_id"], set()).add(r["coding_id"])
    return {frozenset(v) for v in out.values()}
