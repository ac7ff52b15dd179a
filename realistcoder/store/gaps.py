"""The knowledge-gap register (SQL only): gaps (nothing found) and uncertainties (evidence
that is thin or conflicting), each with a theory, a status, and links to the CMOCs, codings and
documents that show it. Links are never removed; a gap is closed by marking it addressed.
"""

from __future__ import annotations

import uuid as uuidlib

from realistcoder.errors import InputError, NotFoundError
from realistcoder.store.db import Store, utcnow
from realistcoder.store.review_lookup import check_reviewer

KINDS = ("gap", "uncertainty")
STATUSES = ("open", "addressed")
NAMES = {"cmocs": "CMOC", "codings": "coding", "documents": "document"}


def add_gap(store: Store, *, kind: str, title: str, reviewer: str, theory: str | None = None,
            description: str | None = None, uuid: str | None = None) -> int:
    reviewer = check_reviewer(reviewer)
    if kind not in KINDS:
        raise InputError(f"unknown kind '{kind}'", subject="--kind", fix="use gap or uncertainty")
    if not (title or "").strip():
        raise InputError("a gap needs a title", subject="--title",
                         fix="say in a line what is not known")
    now = utcnow()
    with store.transaction():
        return store.db["knowledge_gaps"].insert({
            "uuid": uuid or str(uuidlib.uuid4()), "kind": kind, "theory": theory or None,
            "title": title.strip(), "description": (description or "").strip() or None,
            "status": "open", "reviewer": reviewer, "created_at": now, "updated_at": now,
        }).last_pk


def get_gap(store: Store, gap_id: int) -> dict:
    rows = store.query("SELECT * FROM knowledge_gaps WHERE id = ?", (int(gap_id),))
    if not rows:
        raise NotFoundError(f"no gap with id {gap_id}", subject=f"gap {gap_id}",
                            fix="list them with `realistcoder gaps list`")
    gap = rows[0]
    gap["links"] = store.query(
        "SELECT l.*, d.file_name AS document FROM gap_links l LEFT JOIN codings c ON "
        "c.id = l.coding_id LEFT JOIN documents d ON d.id = coalesce(l.document_id, "
        "c.document_id) WHERE l.gap_id = ? ORDER BY l.id", (gap["id"],))
    return gap


def edit_gap(store: Store, gap_id: int, reviewer: str, *, fields: dict) -> dict:
    """Change title, description, theory, kind, status or note."""
    check_reviewer(reviewer)
    fields = {k: v for k, v in fields.items() if v is not None}
    if "status" in fields and fields["status"] not in STATUSES:
        raise InputError(f"unknown status '{fields['status']}'", subject="--status",
                         fix="use open or addressed")
    if "kind" in fields and fields["kind"] not in KINDS:
        raise InputError(f"unknown kind '{fields['kind']}'", subject="--kind",
                         fix="use gap or uncertainty")
    with store.transaction():
        get_gap(store, gap_id)
        if fields:
            sets = ", ".join(f"{k} = ?" for k in fields)
            store.conn.execute(f"UPDATE knowledge_gaps SET {sets}, updated_at = ? WHERE id = ?",
                               (*fields.values(), utcnow(), int(gap_id)))
    return get_gap(store, gap_id)


def link_gap(store: Store, gap_id: int, reviewer: str, *, cmocs: list[int] = (),
             codings: list[int] = (), documents: list[int] = ()) -> int:
    """Link a gap to CMOCs, codings and documents; returns how many links were new."""
    reviewer = check_reviewer(reviewer)
    now, added = utcnow(), 0
    with store.transaction():
        gap = get_gap(store, gap_id)
        have = {(x["cmoc_id"], x["coding_id"], x["document_id"]) for x in gap["links"]}
        wanted = ([(int(c), None, None) for c in cmocs] + [(None, int(c), None) for c in codings]
                  + [(None, None, int(d)) for d in documents])
        for key in wanted:
            table, value = next((t, v) for t, v in zip(("cmocs", "codings", "documents"), key,
                                                       strict=True) if v is not None)
            if not store.query(f"SELECT 1 FROM {table} WHERE id = ?", (value,)):
                raise NotFoundError(f"no {NAMES[table]} with id {value}",
                                    subject=f"gap {gap_id}", fix="check the id")
            if key in have:
                continue
            have.add(key)
            store.db["gap_links"].insert({"gap_id": gap["id"], "cmoc_id": key[0],
                                          "coding_id": key[1], "document_id": key[2],
                                          "added_by": reviewer, "added_at": now})
            added += 1
        if added:
            store.conn.execute("UPDATE knowledge_gaps SET updated_at = ? WHERE id = ?",
                               (now, gap["id"]))
    return added


def list_gaps(store: Store, *, theory: str | None = None, status: str | None = None) -> list[dict]:
    where, params = ["1"], []
    for column, value in (("theory", theory), ("status", status)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    ids = [r["id"] for r in store.query(
        f"SELECT id FROM knowledge_gaps WHERE {' AND '.join(where)} ORDER BY "
        "status = 'addressed', theory IS NULL, theory, id", tuple(params))]
    return [get_gap(store, i) for i in ids]
