"""Attributes of codings and codes beyond C / M / O (SQL only).

* Polarity: whether a coded condition *enables* or *blocks* what follows. Appended to
  ``coding_polarity`` (keyed by the coding's uuid, so it survives merges); the latest row per
  coding is current, and a row with no polarity clears it.
* Code mappings: a code's ``level`` (individual / organisational / system) when its codebook
  gives none, and its components in a framework codebook such as COM-B (``scheme`` is the
  framework codebook's name, ``value`` the component's code id).
"""

from __future__ import annotations

import uuid as uuidlib

from realistcoder.errors import InputError, NotFoundError
from realistcoder.store.db import Store, utcnow
from realistcoder.store.review_lookup import CONSENSUS, check_reviewer

POLARITIES = ("enabling", "blocking")
LEVELS = ("individual", "organisational", "system")
LEVEL = "level"


# --------------------------------------------------------------------------- polarity


def set_polarity(store: Store, coding_id: int, polarity: str | None, reviewer: str, *,
                 origin: str = "command", cue: str | None = None,
                 note: str | None = None) -> dict:
    """Mark one of the reviewer's codings (or a consensus coding) enabling or blocking; None
    clears the mark."""
    reviewer = check_reviewer(reviewer)
    if polarity is not None and polarity not in POLARITIES:
        raise InputError(f"unknown polarity '{polarity}'", subject="polarity",
                         fix="use enabling or blocking")
    rows = store.query("SELECT id, uuid, reviewer, active FROM codings WHERE id = ?",
                       (int(coding_id),))
    if not rows or not rows[0]["active"]:
        raise NotFoundError(f"no current coding with id {coding_id}",
                            subject=f"coding {coding_id}",
                            fix="list your codings with `realistcoder export codings "
                            "--reviewer NAME`")
    owner = rows[0]["reviewer"]
    if owner not in (reviewer, CONSENSUS):
        raise InputError(f"coding {coding_id} is another reviewer's", subject=f"coding "
                         f"{coding_id}", fix="mark your own codings, or consensus codings")
    row = {"uuid": str(uuidlib.uuid4()), "coding_uuid": rows[0]["uuid"], "polarity": polarity,
           "reviewer": reviewer, "origin": origin, "cue": cue,
           "note": (note or "").strip() or None, "created_at": utcnow()}
    with store.transaction():
        row["id"] = store.db["coding_polarity"].insert(row).last_pk
    return row


def current_polarity(store: Store) -> dict[str, dict]:
    """Coding uuid -> its current polarity row (codings whose mark was cleared left out)."""
    rows = store.query(
        "SELECT p.* FROM coding_polarity p WHERE p.id = (SELECT p2.id FROM coding_polarity p2 "
        "WHERE p2.coding_uuid = p.coding_uuid ORDER BY p2.created_at DESC, p2.id DESC LIMIT 1)")
    return {r["coding_uuid"]: r for r in rows if r["polarity"]}


def polarity_decided(store: Store) -> set[str]:
    """Coding uuids someone has marked or cleared (a suggestion is not offered again)."""
    return {r["coding_uuid"] for r in store.query(
        "SELECT DISTINCT coding_uuid FROM coding_polarity")}


# --------------------------------------------------------------------------- code mappings


def set_mapping(store: Store, codebook: str, code: str, scheme: str, value: str, *,
                reviewer: str | None = None, source: str | None = None) -> bool:
    """Map a code onto a level or a framework component; a level replaces the code's previous
    one. Returns False when the mapping was already there."""
    if scheme == LEVEL and value not in LEVELS:
        raise InputError(f"unknown level '{value}'", subject=f"{codebook}:{code}",
                         fix=f"use one of {', '.join(LEVELS)}")
    with store.transaction():
        if scheme == LEVEL:
            store.conn.execute("DELETE FROM code_mappings WHERE codebook = ? AND code = ? AND "
                               "scheme = ? AND value != ?", (codebook, code, LEVEL, value))
        cursor = store.conn.execute(
            "INSERT OR IGNORE INTO code_mappings (codebook, code, scheme, value, reviewer, "
            "source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (codebook, code, scheme, value, reviewer, source, utcnow()))
    return cursor.rowcount > 0


def remove_mappings(store: Store, codebook: str, code: str, scheme: str) -> int:
    with store.transaction():
        return store.conn.execute("DELETE FROM code_mappings WHERE codebook = ? AND code = ? "
                                  "AND scheme = ?", (codebook, code, scheme)).rowcount


def mappings(store: Store, scheme: str | None = None) -> list[dict]:
    where, params = ("WHERE scheme = ?", (scheme,)) if scheme else ("", ())
    return store.query(f"SELECT * FROM code_mappings {where} ORDER BY scheme, codebook, code, "
                       "value", params)


def code_levels(store: Store) -> dict[tuple[str, str], str]:
    """(codebook name, code id) -> level: a mapped level, else the one the newest version of
    the codebook gives."""
    levels = {(r["codebook"], r["code"]): r["level"] for r in store.query(
        "SELECT b.name AS codebook, k.code, k.level FROM codes k JOIN codebooks b ON "
        "b.id = k.codebook_id WHERE k.level IS NOT NULL ORDER BY b.id")}
    levels.update({(r["codebook"], r["code"]): r["value"] for r in mappings(store, LEVEL)})
    return levels
