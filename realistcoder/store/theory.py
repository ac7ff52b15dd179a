"""Programme theories as they are refined, and chains between CMO configurations (SQL only).

A programme theory's statement is versioned append-only in ``theory_versions``: each version
keeps who wrote it, when, why, and the evidence (coding uuids) and configurations (CMOC uuids)
that prompted it. A chain says that one CMOC's outcome works as the context or mechanism of
another; removing a chain keeps its row (``removed_at``).
"""

from __future__ import annotations

import json
import uuid as uuidlib

from realistcoder.errors import InputError, NotFoundError
from realistcoder.store.cmoc import evidence_uuids, get_cmoc
from realistcoder.store.db import Store, utcnow
from realistcoder.store.review_lookup import check_reviewer

CHAIN_PARTS = ("context", "mechanism")


# --------------------------------------------------------------------------- theory versions


def add_theory_version(store: Store, theory: str, statement: str, reviewer: str, *,
                       reason: str | None = None, evidence: list[int] = (),
                       cmocs: list[int] = (), created_at: str | None = None) -> dict:
    """Append a new statement of ``theory``; ``evidence`` are coding ids and ``cmocs`` CMOC ids
    that prompted it."""
    reviewer = check_reviewer(reviewer)
    statement = (statement or "").strip()
    if not statement:
        raise InputError("the statement is empty", subject="--statement",
                         fix="write the refined programme theory in a sentence or two")
    with store.transaction():
        row = {"uuid": str(uuidlib.uuid4()), "theory": theory, "statement": statement,
               "reviewer": reviewer, "reason": (reason or "").strip() or None,
               "evidence": json.dumps(evidence_uuids(store, list(evidence))),
               "cmocs": json.dumps([get_cmoc(store, c)["uuid"]
                                    for c in dict.fromkeys(map(int, cmocs))]),
               "created_at": created_at or utcnow()}
        row["id"] = store.db["theory_versions"].insert(row).last_pk
    return row


def theory_versions(store: Store, theory: str | None = None) -> list[dict]:
    """Versions (of one theory, or all), oldest first, numbered from 1 per theory; ``evidence``
    and ``cmocs`` parsed to lists of uuids."""
    where, params = ("WHERE theory = ?", (theory,)) if theory else ("", ())
    rows = store.query(f"SELECT * FROM theory_versions {where} ORDER BY theory, created_at, id",
                       params)
    seen: dict[str, int] = {}
    for row in rows:
        seen[row["theory"]] = row["version"] = seen.get(row["theory"], 0) + 1
        row["evidence"] = json.loads(row["evidence"] or "[]")
        row["cmocs"] = json.loads(row["cmocs"] or "[]")
    return rows


def codings_by_uuid(store: Store, uuids: list[str]) -> dict[str, int]:
    """Coding uuid -> coding id, for the uuids present in this store."""
    out: dict[str, int] = {}
    for i in range(0, len(uuids), 500):
        chunk = uuids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        out.update({r["uuid"]: r["id"] for r in store.query(
            f"SELECT id, uuid FROM codings WHERE uuid IN ({marks})", tuple(chunk))})
    return out


# --------------------------------------------------------------------------- chains


def add_chain(store: Store, from_cmoc: int, to_cmoc: int, part: str, reviewer: str, *,
              note: str | None = None) -> dict:
    """Record that ``from_cmoc``'s outcome is the context or mechanism of ``to_cmoc``."""
    reviewer = check_reviewer(reviewer)
    if part not in CHAIN_PARTS:
        raise InputError(f"a chain links an outcome to a context or a mechanism, not '{part}'",
                         subject="--as", fix="pass --as context or --as mechanism")
    if int(from_cmoc) == int(to_cmoc):
        raise InputError("a CMOC cannot feed itself", subject=f"cmoc {from_cmoc}",
                         fix="name two different CMOCs")
    with store.transaction():
        for cid in (from_cmoc, to_cmoc):
            if get_cmoc(store, cid)["status"] != "active":
                raise InputError(f"CMOC {cid} is retired", subject=f"cmoc {cid}",
                                 fix=f"restore it first: `realistcoder cmoc edit {cid} --restore`")
        live = active_chains(store, from_cmoc=from_cmoc, to_cmoc=to_cmoc)
        if any(c["part"] == part for c in live):
            raise InputError(f"CMOC {from_cmoc} already feeds CMOC {to_cmoc} as {part}",
                             subject="cmoc chain", fix="see `realistcoder cmoc show "
                             f"{to_cmoc}`")
        row = {"uuid": str(uuidlib.uuid4()), "from_cmoc": int(from_cmoc),
               "to_cmoc": int(to_cmoc), "part": part, "reviewer": reviewer,
               "note": (note or "").strip() or None, "created_at": utcnow()}
        row["id"] = store.db["cmoc_chains"].insert(row).last_pk
    return row


def remove_chain(store: Store, from_cmoc: int, to_cmoc: int, reviewer: str,
                 part: str | None = None) -> int:
    """End the chains from ``from_cmoc`` to ``to_cmoc`` (only the one as ``part``, if given);
    returns how many were ended."""
    reviewer = check_reviewer(reviewer)
    which = " AND part = ?" if part else ""
    with store.transaction():
        n = store.conn.execute(
            "UPDATE cmoc_chains SET removed_at = ?, removed_by = ? WHERE from_cmoc = ? AND "
            f"to_cmoc = ? AND removed_at IS NULL{which}",
            (utcnow(), reviewer, int(from_cmoc), int(to_cmoc), *([part] if part else []))
        ).rowcount
    if not n:
        raise NotFoundError(f"CMOC {from_cmoc} does not feed CMOC {to_cmoc}",
                            subject="cmoc unchain", fix="see `realistcoder cmoc show ID`")
    return n


def active_chains(store: Store, *, from_cmoc: int | None = None,
                  to_cmoc: int | None = None, cmoc: int | None = None) -> list[dict]:
    """Current chains (optionally those from, to, or touching one CMOC)."""
    where, params = ["ch.removed_at IS NULL"], []
    for column, value in (("ch.from_cmoc", from_cmoc), ("ch.to_cmoc", to_cmoc)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(int(value))
    if cmoc is not None:
        where.append("(ch.from_cmoc = ? OR ch.to_cmoc = ?)")
        params += [int(cmoc), int(cmoc)]
    return store.query(
        "SELECT ch.*, a.title AS from_title, b.title AS to_title, a.status AS from_status, "
        "b.status AS to_status FROM cmoc_chains ch JOIN cmocs a ON a.id = ch.from_cmoc "
        f"JOIN cmocs b ON b.id = ch.to_cmoc WHERE {' AND '.join(where)} ORDER BY ch.id",
        tuple(params))


def all_chains(store: Store) -> list[dict]:
    """Every chain ever made, ended ones included (for the refinement trail)."""
    return store.query("SELECT * FROM cmoc_chains ORDER BY created_at, id")
