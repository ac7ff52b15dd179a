"""CMO configurations (CMOCs): SQL for the review's synthesis tables.

A CMOC links codings (by part: context, resource, reasoning, mechanism, outcome) under
a theory with an if-then-because statement. Each link carries a *judgement*: the coding
supports, refutes or refines the configuration. Every change appends a complete version to
``cmoc_versions`` (who, when, why, the evidence that prompted it; the old statement is never
lost), is noted in ``cmoc_history``, and a removed link keeps its row with ``removed_at``.
"""

from __future__ import annotations

import json
import uuid as uuidlib

from realistcoder.errors import InputError, NotFoundError
from realistcoder.store.appraisals import (  # noqa: F401  (appraisals lived here first)
    LEVELS,
    add_appraisal,
    current_appraisals,
)
from realistcoder.store.db import Store, insert_row, utcnow
from realistcoder.store.review import check_reviewer

PARTS = ("context", "resource", "reasoning", "mechanism", "outcome")
JUDGEMENTS = ("supports", "refutes", "refines")
TEXT_FIELDS = ("title", "if_text", "then_text", "because_text", "note")


# --------------------------------------------------------------------------- CMOCs


def _history(store: Store, cmoc_id: int, reviewer: str, change: dict) -> None:
    insert_row(store.conn, "cmoc_history", {"cmoc_id": cmoc_id, "reviewer": reviewer,
                                            "change": json.dumps(change, sort_keys=True),
                                            "created_at": utcnow()})


def check_judgement(judgement: str, subject: str = "--judgement") -> str:
    if judgement not in JUDGEMENTS:
        raise InputError(f"unknown judgement '{judgement}'", subject=subject,
                         fix=f"use one of {', '.join(JUDGEMENTS)}")
    return judgement


def _coding(store: Store, coding_id: int, *, current: bool = True) -> dict:
    rows = store.query("SELECT id, uuid, active FROM codings WHERE id = ?", (int(coding_id),))
    if not rows:
        raise NotFoundError(f"no coding with id {coding_id}", subject=f"coding {coding_id}",
                            fix="list codings with `realistcoder export codings`")
    if current and not rows[0]["active"]:
        raise InputError(f"coding {coding_id} has been removed", subject=f"coding {coding_id}",
                         fix="link a current coding")
    return rows[0]


def _check_links(store: Store, links: list[tuple[int, str]]) -> None:
    for coding_id, part in links:
        if part not in PARTS:
            raise InputError(f"unknown part '{part}'", subject=f"coding {coding_id}",
                             fix=f"use one of {', '.join(PARTS)}")
        _coding(store, coding_id)


def evidence_uuids(store: Store, coding_ids: list[int]) -> list[str]:
    """The uuids of the codings that prompted a change (any coding, current or not)."""
    return [_coding(store, c, current=False)["uuid"] for c in dict.fromkeys(map(int, coding_ids))]


def _snapshot(store: Store, cmoc_id: int, reviewer: str, change: str, reason: str | None,
              evidence: list[str], at: str) -> None:
    """Append the CMOC's state as it now is to ``cmoc_versions``."""
    m = store.query("SELECT * FROM cmocs WHERE id = ?", (cmoc_id,))[0]
    links = store.query(
        "SELECT c.uuid, l.part, l.judgement FROM cmoc_links l JOIN codings c ON c.id = "
        "l.coding_id WHERE l.cmoc_id = ? AND l.removed_at IS NULL ORDER BY l.id", (cmoc_id,))
    insert_row(store.conn, "cmoc_versions", {
        "uuid": str(uuidlib.uuid4()), "cmoc_id": cmoc_id,
        **{k: m[k] for k in ("theory", "title", "if_text", "then_text", "because_text",
                             "status")},
        "links": json.dumps([[x["uuid"], x["part"], x["judgement"]] for x in links]),
        "reviewer": reviewer, "change": change, "reason": (reason or "").strip() or None,
        "evidence": json.dumps(evidence), "created_at": at})


def add_cmoc(store: Store, *, theory: str, reviewer: str, links: list[tuple[int, str]],
             title: str = "", if_text: str = "", then_text: str = "", because_text: str = "",
             note: str | None = None, uuid: str | None = None,
             judgements: dict[int, str] | None = None, reason: str | None = None,
             evidence: list[int] = ()) -> int:
    """Create a CMOC from ``links`` (coding id, part); ``judgements`` maps coding ids to
    ``refutes`` or ``refines`` (the rest support it). Returns its id; its version 1 records
    ``reason`` and the ``evidence`` (coding ids) behind it."""
    reviewer = check_reviewer(reviewer)
    if not (theory or "").strip():
        raise InputError("a CMOC needs a theory", subject="--theory",
                         fix="pass --theory ID, e.g. workforce")
    judgements = {int(k): check_judgement(v) for k, v in (judgements or {}).items()}
    stray = set(judgements) - {int(c) for c, _ in links}
    if stray:
        raise InputError(f"coding(s) {', '.join(map(str, sorted(stray)))} are judged but not "
                         "linked", subject="cmoc add", fix="link them with --context, "
                         "--resource, --reasoning, --mechanism or --outcome as well")
    now = utcnow()
    with store.transaction():
        _check_links(store, links)
        proof = evidence_uuids(store, list(evidence))
        cmoc_id = insert_row(store.conn, "cmocs", {
            "uuid": uuid or str(uuidlib.uuid4()), "theory": theory.strip(), "title": title or "",
            "if_text": if_text or "", "then_text": then_text or "",
            "because_text": because_text or "", "reviewer": reviewer, "status": "active",
            "note": (note or "").strip() or None, "created_at": now, "updated_at": now,
        })
        for coding_id, part in dict.fromkeys((int(c), p) for c, p in links):
            insert_row(store.conn, "cmoc_links", {
                "cmoc_id": cmoc_id, "coding_id": coding_id, "part": part, "added_at": now,
                "judgement": judgements.get(coding_id, "supports")})
        _history(store, cmoc_id, reviewer, {"created": True, "links": links})
        _snapshot(store, cmoc_id, reviewer, "created", reason, proof, now)
    return cmoc_id


def get_cmoc(store: Store, cmoc_id: int) -> dict:
    rows = store.query("SELECT * FROM cmocs WHERE id = ?", (int(cmoc_id),))
    if not rows:
        raise NotFoundError(f"no CMOC with id {cmoc_id}", subject=f"cmoc {cmoc_id}",
                            fix="list them with `realistcoder cmoc list`")
    cmoc = rows[0]
    cmoc["links"] = store.query(
        "SELECT l.id AS link_id, l.part, l.coding_id, l.judgement, l.judgement_note, c.uuid "
        "AS coding_uuid, c.code, c.role, c.reviewer, c.proposal_id, c.sentence_id, "
        "c.end_sentence_id, "
        "c.document_id, d.file_name AS document, s.page_no AS page, c.active "
        "FROM cmoc_links l JOIN codings c ON c.id = l.coding_id "
        "JOIN documents d ON d.id = c.document_id JOIN sentences s ON s.id = c.sentence_id "
        "WHERE l.cmoc_id = ? AND l.removed_at IS NULL ORDER BY "
        "CASE l.part WHEN 'context' THEN 0 WHEN 'resource' THEN 1 WHEN 'mechanism' THEN 2 "
        "WHEN 'reasoning' THEN 3 ELSE 4 END, d.id, s.seq", (cmoc["id"],))
    cmoc["history"] = store.query(
        "SELECT reviewer, change, created_at FROM cmoc_history WHERE cmoc_id = ? ORDER BY id",
        (cmoc["id"],))
    return cmoc


def cmoc_versions(store: Store, cmoc_id: int) -> list[dict]:
    """The CMOC's versions, oldest first, numbered from 1 (``links`` and ``evidence`` parsed:
    links as ``[coding uuid, part, judgement]``, evidence as coding uuids)."""
    rows = store.query("SELECT * FROM cmoc_versions WHERE cmoc_id = ? ORDER BY created_at, id",
                       (int(cmoc_id),))
    for n, row in enumerate(rows, 1):
        row["version"] = n
        row["links"] = json.loads(row["links"] or "[]")
        row["evidence"] = json.loads(row["evidence"] or "[]")
    return rows


def list_cmocs(store: Store, *, theory: str | None = None, reviewer: str | None = None,
               include_retired: bool = False) -> list[dict]:
    """CMOCs with link counts per part (``n_context``, ``n_mechanism``, ``n_outcome``) and per
    judgement (``n_supports``, ``n_refutes``, ``n_refines``)."""
    where, params = ["1"], []
    if not include_retired:
        where.append("m.status = 'active'")
    if theory:
        where.append("m.theory = ?")
        params.append(theory)
    if reviewer:
        where.append("m.reviewer = ?")
        params.append(reviewer)
    live = "FROM cmoc_links l WHERE l.cmoc_id = m.id AND l.removed_at IS NULL"
    counts = [f"(SELECT count(*) {live} AND l.part = 'context') AS n_context",
              f"(SELECT count(*) {live} AND l.part IN ('resource', 'reasoning', 'mechanism')) "
              "AS n_mechanism", f"(SELECT count(*) {live} AND l.part = 'outcome') AS n_outcome"]
    counts += [f"(SELECT count(*) {live} AND l.judgement = '{j}') AS n_{j}" for j in JUDGEMENTS]
    return store.query(
        f"SELECT m.*, {', '.join(counts)}, "
        "(SELECT count(DISTINCT c.document_id) FROM cmoc_links l JOIN codings c ON "
        " c.id = l.coding_id WHERE l.cmoc_id = m.id AND l.removed_at IS NULL) AS n_documents "
        f"FROM cmocs m WHERE {' AND '.join(where)} ORDER BY m.theory, m.id", tuple(params))


def _describe(changes: dict, add: list, remove: list, judged: dict) -> str:
    """A short account of one edit, for the version row ("if, because edited; outcome 14
    added; coding 9 now refutes")."""
    words = {"if_text": "if", "then_text": "then", "because_text": "because"}
    parts = []
    edited = [words.get(k, k) for k in changes if k != "status"]
    if edited:
        parts.append(f"{', '.join(edited)} edited")
    if "status" in changes:
        parts.append("retired" if changes["status"] == "retired" else "restored")
    parts += [f"{part} {cid} added" for cid, part in add]
    parts += [f"coding {cid} removed" for cid in remove]
    parts += [f"coding {cid} now {j}" for cid, (j, _) in judged.items()]
    return "; ".join(parts) or "no change"


def edit_cmoc(store: Store, cmoc_id: int, reviewer: str, *, fields: dict | None = None,
              add: list[tuple[int, str]] = (), remove: list[int] = (),
              status: str | None = None, judgements: dict | None = None,
              reason: str | None = None, evidence: list[int] = ()) -> dict:
    """Change text fields, add links (coding id, part), remove links (by coding id), judge
    links (``judgements``: coding id -> judgement or (judgement, note)), retire or restore
    (``status``). The previous state stays in ``cmoc_versions``: the new version records who,
    when, ``reason`` and the ``evidence`` (coding ids) that prompted it."""
    reviewer = check_reviewer(reviewer)
    fields = {k: v for k, v in (fields or {}).items() if v is not None}
    unknown = set(fields) - set(TEXT_FIELDS) - {"theory"}
    if unknown:
        raise InputError(f"unknown field(s) {', '.join(sorted(unknown))}", subject="cmoc edit",
                         fix=f"edit {', '.join(TEXT_FIELDS)} or theory")
    if status is not None and status not in ("active", "retired"):
        raise InputError(f"unknown status '{status}'", subject="cmoc edit",
                         fix="use active or retired")
    judged = {int(k): (v if isinstance(v, tuple) else (v, None))
              for k, v in (judgements or {}).items()}
    for j, _ in judged.values():
        check_judgement(j)
    now = utcnow()
    with store.transaction():
        cmoc = get_cmoc(store, cmoc_id)
        _check_links(store, list(add))
        proof = evidence_uuids(store, list(evidence))
        current = {link["coding_id"] for link in cmoc["links"]}
        missing = [c for c in remove if int(c) not in current]
        unlinked = [c for c in judged if c not in current | {int(a) for a, _ in add}]
        if missing or unlinked:
            raise InputError(f"coding(s) {', '.join(map(str, missing + unlinked))} not linked",
                             subject=f"cmoc {cmoc_id}", fix="see `realistcoder cmoc show ID`")
        changes = {k: v for k, v in fields.items() if v != cmoc.get(k)}
        if status is not None and status != cmoc["status"]:
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
        added = [(int(c), p) for c, p in add if (int(c), p) not in existing]
        for coding_id, part in added:
            insert_row(store.conn, "cmoc_links", {"cmoc_id": cmoc["id"], "coding_id": coding_id,
                                                  "part": part, "added_at": now})
        fresh = {c for c, _ in added}
        judged = {c: v for c, v in judged.items() if c in fresh or v != _judgement_of(cmoc, c)}
        for coding_id, (judgement, jnote) in judged.items():
            store.conn.execute("UPDATE cmoc_links SET judgement = ?, judgement_note = ? WHERE "
                               "cmoc_id = ? AND coding_id = ? AND removed_at IS NULL",
                               (judgement, (jnote or "").strip() or None, cmoc["id"], coding_id))
        if added or remove or judged:
            store.conn.execute("UPDATE cmocs SET updated_at = ? WHERE id = ?", (now, cmoc["id"]))
        _history(store, cmoc["id"], reviewer, {
            **changes, "added": list(add), "removed": list(remove),
            **({"judged": {str(c): j for c, (j, _) in judged.items()}} if judged else {})})
        if changes or added or remove or judged:
            _snapshot(store, cmoc["id"], reviewer, _describe(changes, added, remove, judged),
                      reason, proof, now)
    return get_cmoc(store, cmoc_id)


def _judgement_of(cmoc: dict, coding_id: int) -> tuple[str, str | None]:
    link = next(x for x in cmoc["links"] if x["coding_id"] == coding_id)
    return link["judgement"], link["judgement_note"]


def proposal_flags(store: Store, proposal_ids: list[int]) -> dict[int, list[str]]:
    """Proposal id -> the matcher's flags (``negated``, ``hedged``, ...)."""
    ids = sorted({int(p) for p in proposal_ids})
    out: dict[int, list[str]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for r in store.query(f"SELECT id, flags FROM proposals WHERE id IN "
                             f"({','.join('?' * len(chunk))})", tuple(chunk)):
            out[r["id"]] = json.loads(r["flags"] or "[]")
    return out


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
