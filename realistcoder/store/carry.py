"""SQL for carrying a changed document's review work to its new version (see
:mod:`realistcoder.ingest.carry`, which decides what goes where).

A carried coding is a copy of the whole coding row (every column but its id, uuid, decision and
sentence references, so that columns added later travel too) created by a ``code`` decision
(``resolve`` for the consensus) with ``origin = 'carry'`` and ``target_uuid`` naming the coding
it continues; the old coding is then ended by an ``uncode`` decision, also ``origin = 'carry'``.
Both decisions are ordinary entries of the append-only log, so replaying it (undo, merge) gives
the same state. Their uuids derive from the old coding and the new version's content, so two
stores that re-ingested the same file carry to the same uuids and merge cleanly.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import datetime, timedelta

from realistcoder.store import review
from realistcoder.store.db import Store, utcnow

CARRY = "carry"
NAMESPACE = uuidlib.UUID("0c8b1a7e-3f7d-4c55-9a8e-2d4b9e61c012")


def carry_uuid(*parts: object) -> str:
    return str(uuidlib.uuid5(NAMESPACE, "\x1f".join(map(str, parts))))


def document(store: Store, document_id: int) -> dict:
    return store.query("SELECT id, path, file_name, sha256, version, status FROM documents "
                       "WHERE id = ?", (document_id,))[0]


def other_versions(store: Store, doc: dict) -> list[dict]:
    """The superseded versions of the same file, newest first."""
    return store.query(
        "SELECT id, path, file_name, sha256, version FROM documents WHERE path = ? AND id != ? "
        "AND status = 'superseded' ORDER BY version DESC, id DESC", (doc["path"], doc["id"]))


def active_codings(store: Store, document_ids: list[int]) -> list[dict]:
    """Active codings on these documents with the positions of their first and last sentence."""
    if not document_ids:
        return []
    marks = ",".join("?" * len(document_ids))
    return store.query(
        "SELECT c.*, a.seq AS first_seq, b.seq AS last_seq FROM codings c "
        "JOIN sentences a ON a.id = c.sentence_id JOIN sentences b ON b.id = c.end_sentence_id "
        f"WHERE c.active = 1 AND c.document_id IN ({marks}) ORDER BY c.id",
        tuple(document_ids))


def sentence_texts(store: Store, document_id: int) -> list[dict]:
    """(id, seq, text) of a document's sentences in reading order."""
    return store.query("SELECT id, seq, text FROM sentences WHERE document_id = ? ORDER BY seq",
                       (document_id,))


def already_carried(store: Store, decision_uuid: str) -> bool:
    return bool(store.query("SELECT 1 FROM decisions WHERE uuid = ?", (decision_uuid,)))


def copy_coding(store: Store, coding: dict, *, document_id: int, first_id: int, last_id: int,
                decision_uuid: str) -> int:
    """Create the carried copy of ``coding`` on sentences ``first_id``..``last_id`` (with its
    ``code`` / ``resolve`` decision); returns the new coding's id. Inside a transaction."""
    original = store.query("SELECT * FROM decisions WHERE id = ?", (coding["decision_id"],))
    decision = dict(original[0]) if original else {}
    decision.pop("id", None)
    decision.update(
        uuid=decision_uuid, reviewer=coding["reviewer"],
        action="resolve" if coding["source"] == "consensus" else "code",
        proposal_id=None, sentence_id=first_id, end_sentence_id=last_id,
        code_id=coding["code_id"], codebook_id=coding["codebook_id"], code=coding["code"],
        target_uuid=coding["uuid"], note=coding["note"], origin=CARRY,
        created_at=next_time(store, coding["reviewer"]),
    )
    decision_id = store.db["decisions"].insert(decision).last_pk
    row = dict(coding)
    for key in ("id", "first_seq", "last_seq"):
        row.pop(key, None)
    row.update(uuid=decision_uuid, decision_id=decision_id, document_id=document_id,
               sentence_id=first_id, end_sentence_id=last_id, active=1, ended_by=None)
    return store.db["codings"].insert(row).last_pk


def next_time(store: Store, reviewer: str) -> str:
    """Now, or just after the reviewer's last decision (the log replays in time order)."""
    now = utcnow()
    last = store.query("SELECT max(created_at) AS t FROM decisions WHERE reviewer = ?",
                       (reviewer,))[0]["t"]
    if last and last >= now:
        return (datetime.fromisoformat(last) + timedelta(microseconds=1)).isoformat(
            timespec="microseconds")
    return now


def move_cmoc_links(store: Store, old_coding_id: int, new_coding_id: int) -> int:
    """CMOC links to the old coding now point at its carried copy (the old link is kept,
    marked removed); returns how many moved."""
    now = utcnow()
    links = store.query("SELECT * FROM cmoc_links WHERE coding_id = ? AND removed_at IS NULL",
                        (old_coding_id,))
    for link in links:
        row = {k: v for k, v in link.items() if k != "id"}
        row.update(coding_id=new_coding_id, added_at=now, removed_at=None)
        store.db["cmoc_links"].insert(row)
        store.conn.execute("UPDATE cmoc_links SET removed_at = ? WHERE id = ?", (now, link["id"]))
    return len(links)


def copy_appraisals(store: Store, from_document_id: int, to_document_id: int,
                    to_sha256: str) -> int:
    """Each reviewer's current appraisal of the older version, for the new version where the
    reviewer has none yet; returns how many were copied."""
    have = {r["reviewer"] for r in store.query(
        "SELECT DISTINCT reviewer FROM appraisals WHERE document_id = ?", (to_document_id,))}
    rows = store.query(
        "SELECT a.* FROM appraisals a WHERE a.document_id = ? AND a.id = (SELECT a2.id FROM "
        "appraisals a2 WHERE a2.document_id = a.document_id AND a2.reviewer = a.reviewer "
        "ORDER BY a2.created_at DESC, a2.id DESC LIMIT 1)", (from_document_id,))
    copied = 0
    for a in rows:
        if a["reviewer"] in have:
            continue
        row = {k: v for k, v in a.items() if k != "id"}
        row.update(uuid=carry_uuid("appraisal", a["uuid"], to_sha256),
                   document_id=to_document_id)
        store.conn.execute("INSERT OR IGNORE INTO appraisals ({}) VALUES ({})".format(
            ", ".join(row), ", ".join("?" * len(row))), tuple(row.values()))
        copied += 1
    return copied


def undo_carried(store: Store, reviewer: str, target: dict, origin: str) -> list[dict]:
    """What ingest carried follows the decision it came from: undoing a decision also undoes
    the copies of its coding carried to newer versions of the document, and undoing either
    half of a carry (the copy, or the ending of the old coding) undoes the other half and any
    later carry of the copy. Returns the decisions undone."""
    if target.get("origin") == "carry":
        todo = store.query("SELECT * FROM decisions WHERE origin = 'carry' AND target_uuid = ? "
                           "AND uuid != ? AND action != 'undo'",
                           (target["target_uuid"], target["uuid"]))
        todo += _carries_of(store, target["uuid"])
    else:
        todo = _carries_of(store, target["uuid"])
    done: list[dict] = []
    seen = {target["uuid"]}
    while todo:
        d = todo.pop()
        if d["uuid"] in seen:
            continue
        seen.add(d["uuid"])
        if not store.query("SELECT 1 FROM decisions WHERE action = 'undo' AND target_uuid = ?",
                           (d["uuid"],)):
            review.record_decision(store, reviewer=reviewer, action="undo",
                                   target_uuid=d["uuid"], origin=origin)
            done.append(d)
        if d["action"] != "uncode":
            todo += _carries_of(store, d["uuid"])
    return done


def _carries_of(store: Store, coding_uuid: str) -> list[dict]:
    """Both halves of every carry of the coding ``coding_uuid`` to a newer version."""
    return store.query("SELECT * FROM decisions WHERE origin = 'carry' AND target_uuid = ? "
                       "AND action != 'undo'", (coding_uuid,))
