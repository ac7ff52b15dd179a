"""The current review state: codings and proposal statuses derived from the decision log.

Part of :mod:`realistcoder.store.review`. :func:`apply_decision` applies one new decision (the
incremental form of the replay); :func:`rebuild_reviewer` replays a reviewer's effective
decisions from scratch (used by undo and merge), so undo is exact by construction.

A coding carries a code (and its role), or a role only; a *no-role mark* (role ``none``)
records that the reviewer read the fragment and found no C, M or O. A later coding that
overlaps a mark ends it, in both forms of the replay.
"""

from __future__ import annotations

from realistcoder.store.db import Store, insert_row, utcnow
from realistcoder.store.review_lookup import get_sentence, sentence_range

EVIDENCE_ROLES = ("context", "mechanism", "outcome")
NO_ROLE = "none"  # a no-role mark: the reviewer read the fragment and found no C, M or O
CODING_ROLES = (*EVIDENCE_ROLES, "other", NO_ROLE)
PROPOSAL_ACTIONS = ("accept", "reject", "recode")
CREATING = {"accept": "accepted", "recode": "recoded", "code": "hand", "resolve": "consensus"}


def code_role(code_row: dict) -> str:
    """The role a coding with this code carries (roles outside C, M and O count as other)."""
    return code_row["role"] if code_row["role"] in EVIDENCE_ROLES else "other"


def decision_role(store: Store, d: dict) -> str | None:
    """The role a decision applied: its own ``role`` column, else its code's role."""
    if d.get("role"):
        return d["role"]
    if d.get("code_id") is None:
        return None
    rows = store.query("SELECT role FROM codes WHERE id = ?", (d["code_id"],))
    return code_role(rows[0]) if rows else "other"


def overlapping_codings(store: Store, reviewer: str, sents: list[dict], *,
                        marks: bool) -> list[dict]:
    """The reviewer's active codings overlapping the fragment ``sents``: no-role marks
    (``marks=True``) or codings that carry a code or role (``marks=False``)."""
    return store.query(
        "SELECT c.* FROM codings c JOIN sentences a ON a.id = c.sentence_id "
        "JOIN sentences b ON b.id = c.end_sentence_id WHERE c.reviewer = ? AND c.active = 1 "
        f"AND c.role {'=' if marks else '!='} ? AND c.document_id = ? "
        "AND a.seq <= ? AND b.seq >= ? ORDER BY c.id",
        (reviewer, NO_ROLE, sents[0]["document_id"], sents[-1]["seq"], sents[0]["seq"]))


def _insert_coding(store: Store, d: dict, active: bool = True) -> int:
    s = get_sentence(store, d["sentence_id"])
    return insert_row(store.conn, "codings", {
        "uuid": d["uuid"], "decision_id": d["id"], "reviewer": d["reviewer"],
        "source": CREATING[d["action"]], "proposal_id": d["proposal_id"],
        "document_id": s["document_id"], "sentence_id": d["sentence_id"],
        "end_sentence_id": d["end_sentence_id"], "code_id": d["code_id"],
        "codebook_id": d["codebook_id"], "code": d["code"], "role": decision_role(store, d),
        "note": d["note"],
        "resolved_by": d["resolved_by"], "created_at": d["created_at"],
        "active": int(active), "ended_by": None,
    })


def _end_coding(store: Store, coding_id: int, decision_id: int) -> None:
    store.conn.execute("UPDATE codings SET active = 0, ended_by = ? WHERE id = ?",
                       (decision_id, coding_id))


def _set_review(store: Store, proposal_id, reviewer, status, decision_id, coding_id) -> None:
    store.conn.execute(
        "INSERT INTO proposal_reviews (proposal_id, reviewer, status, decision_id, coding_id, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (proposal_id, reviewer) DO UPDATE SET "
        "status = excluded.status, decision_id = excluded.decision_id, "
        "coding_id = excluded.coding_id, updated_at = excluded.updated_at",
        (proposal_id, reviewer, status, decision_id, coding_id, utcnow()))


def apply_decision(store: Store, d: dict) -> None:
    """Apply one new decision to the current state (the incremental form of the replay)."""
    action, reviewer, pid = d["action"], d["reviewer"], d["proposal_id"]
    if action in PROPOSAL_ACTIONS:
        prev = store.query("SELECT coding_id FROM proposal_reviews WHERE proposal_id = ? AND "
                           "reviewer = ?", (pid, reviewer))
        if prev and prev[0]["coding_id"] is not None:
            _end_coding(store, prev[0]["coding_id"], d["id"])
        coding_id = _insert_coding(store, d) if action != "reject" else None
        status = {"accept": "accepted", "recode": "recoded", "reject": "rejected"}[action]
        _set_review(store, pid, reviewer, status, d["id"], coding_id)
        if coding_id is not None:
            _end_marks(store, d)
    elif action in ("code", "resolve"):
        if _creates_coding(d):
            _insert_coding(store, d)
            if d.get("role") != NO_ROLE:
                _end_marks(store, d)
    elif action == "uncode":
        coding = store.query("SELECT * FROM codings WHERE uuid = ?", (d["target_uuid"],))[0]
        _end_coding(store, coding["id"], d["id"])
        if coding["proposal_id"] is not None:
            cur = store.query("SELECT coding_id FROM proposal_reviews WHERE proposal_id = ? "
                              "AND reviewer = ?", (coding["proposal_id"], reviewer))
            if cur and cur[0]["coding_id"] == coding["id"]:
                _set_review(store, coding["proposal_id"], reviewer, "pending", None, None)


def _creates_coding(d: dict) -> bool:
    return d["code_id"] is not None or d.get("role") is not None


def _end_marks(store: Store, d: dict) -> None:
    """A coding ends the reviewer's no-role marks on the sentences it covers."""
    sents = sentence_range(store, d["sentence_id"], d["end_sentence_id"])
    for mark in overlapping_codings(store, d["reviewer"], sents, marks=True):
        _end_coding(store, mark["id"], d["id"])


def effective_decisions(store: Store, reviewer: str) -> list[dict]:
    """A reviewer's decisions that are not undone (and not undos), in replay order."""
    return store.query(
        "SELECT * FROM decisions d WHERE reviewer = ? AND action != 'undo' AND NOT EXISTS "
        "(SELECT 1 FROM decisions u WHERE u.action = 'undo' AND u.target_uuid = d.uuid) "
        "ORDER BY created_at, uuid", (reviewer,))


def rebuild_reviewer(store: Store, reviewer: str) -> None:
    """Recompute a reviewer's codings and proposal statuses from their effective decisions.

    Writes only what differs, never deletes; run inside the caller's transaction."""
    undone_by = {r["target_uuid"]: r["id"] for r in store.query(
        "SELECT target_uuid, id FROM decisions WHERE reviewer = ? AND action = 'undo'",
        (reviewer,))}
    codings = {r["uuid"]: r for r in store.query(
        "SELECT id, uuid, active, ended_by FROM codings WHERE reviewer = ?", (reviewer,))}
    for d in store.query("SELECT * FROM decisions WHERE reviewer = ? AND action IN "
                         "('accept', 'recode', 'code', 'resolve') AND (code_id IS NOT NULL "
                         "OR role IS NOT NULL)", (reviewer,)):
        if d["uuid"] not in codings:  # e.g. a decision brought in by merge
            cid = _insert_coding(store, d, active=False)
            codings[d["uuid"]] = {"id": cid, "uuid": d["uuid"], "active": 0, "ended_by": None}
    state: dict[str, tuple[int, int | None]] = {
        u: (0, undone_by.get(u)) for u in codings}  # default: undone (or never effective)
    reviews: dict[int, tuple[str, int | None, str | None]] = {}
    decisions = effective_decisions(store, reviewer)
    spans = _spans(store, decisions)
    marks: dict[str, tuple[int, int, int]] = {}  # active no-role marks: uuid -> span

    def created(d: dict) -> None:
        state[d["uuid"]] = (1, None)
        span = spans[d["uuid"]]
        if d["role"] == NO_ROLE:
            marks[d["uuid"]] = span
            return
        for u, (doc, a, b) in list(marks.items()):
            if doc == span[0] and a <= span[2] and span[1] <= b:
                state[u] = (0, d["id"])
                del marks[u]

    for d in decisions:
        action, pid = d["action"], d["proposal_id"]
        if action in PROPOSAL_ACTIONS:
            prev = reviews.get(pid)
            if prev and prev[2] is not None:
                state[prev[2]] = (0, d["id"])
            if action != "reject":
                created(d)
            status = {"accept": "accepted", "recode": "recoded", "reject": "rejected"}[action]
            reviews[pid] = (status, d["id"], d["uuid"] if action != "reject" else None)
        elif action in ("code", "resolve") and _creates_coding(d):
            created(d)
        elif action == "uncode" and state.get(d["target_uuid"], (0,))[0]:
            state[d["target_uuid"]] = (0, d["id"])
            marks.pop(d["target_uuid"], None)
            if pid is not None and reviews.get(pid, (None, None, None))[2] == d["target_uuid"]:
                reviews[pid] = ("pending", None, None)
    for u, (active, ended_by) in state.items():
        c = codings[u]
        if (c["active"], c["ended_by"]) != (active, ended_by):
            store.conn.execute("UPDATE codings SET active = ?, ended_by = ? WHERE id = ?",
                               (active, ended_by, c["id"]))
    current = {r["proposal_id"]: r for r in store.query(
        "SELECT * FROM proposal_reviews WHERE reviewer = ?", (reviewer,))}
    for pid in set(current) | set(reviews):
        status, did, cu = reviews.get(pid, ("pending", None, None))
        cid = codings[cu]["id"] if cu else None
        cur = current.get(pid)
        if cur is None or (cur["status"], cur["decision_id"], cur["coding_id"]) != (status, did,
                                                                                     cid):
            _set_review(store, pid, reviewer, status, did, cid)


def _spans(store: Store, decisions: list[dict]) -> dict[str, tuple[int, int, int]]:
    """``{decision uuid: (document_id, first seq, last seq)}`` of decisions with a fragment."""
    ids = {i for d in decisions for i in (d["sentence_id"], d["end_sentence_id"]) if i}
    where: dict[int, tuple[int, int]] = {}
    listed = sorted(ids)
    for i in range(0, len(listed), 500):
        chunk = listed[i:i + 500]
        for r in store.query(f"SELECT id, document_id, seq FROM sentences WHERE id IN "
                             f"({','.join('?' * len(chunk))})", tuple(chunk)):
            where[r["id"]] = (r["document_id"], r["seq"])
    return {d["uuid"]: (where[d["sentence_id"]][0], where[d["sentence_id"]][1],
                        where[d["end_sentence_id"] or d["sentence_id"]][1])
            for d in decisions if d["sentence_id"] in where}
