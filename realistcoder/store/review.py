"""Review decisions and codings: the append-only decision log and the current state derived from it.

Every write goes through :func:`record_decision` (or its wrappers :func:`accept`, :func:`reject`,
:func:`recode`, :func:`code_by_hand`, :func:`uncode`, :func:`undo`, :func:`resolve`): it checks
the request, appends one row to ``decisions`` and updates ``codings`` / ``proposal_reviews`` in
the same transaction, so a decision and its effect are saved together or not at all.

The current state is a pure function of the reviewer's *effective* decisions (those not undone)
replayed in order; :func:`rebuild_reviewer` recomputes it (used by undo and by merge), so undo is
exact by construction.

Blinding: reads take ``viewer`` (the reviewer asking) and ``unblinded``. A viewer sees only their
own codings and decisions unless the team unblinds.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from realistcoder.errors import InputError, NotFoundError
from realistcoder.store.db import Store, insert_row, utcnow
from realistcoder.store.review_lookup import (  # noqa: F401  (part of this module's API)
    CONSENSUS,
    check_reviewer,
    find_code,
    fragment_text,
    get_proposal,
    get_sentence,
    latest_codes,
    neighbour_sentence,
    search_codes,
    sentence_range,
)
from realistcoder.store.review_read import (  # noqa: F401  (part of this module's API)
    NOT_SUPERSEDED,
    STATUSES,
    BlindedError,
    active_coding,
    codings_count,
    current_codings,
    decided_statuses,
    decision_exists,
    decision_log,
    latest_decision,
    overall_progress,
    proposal_status,
    proposal_statuses,
    review_queue,
    status_counts,
)

ACTIONS = ("accept", "reject", "recode", "code", "uncode", "resolve", "undo")
PROPOSAL_ACTIONS = ("accept", "reject", "recode")
CREATING = {"accept": "accepted", "recode": "recoded", "code": "hand", "resolve": "consensus"}


# --------------------------------------------------------------------------- lookups


def reviewers(store: Store) -> list[str]:
    """Everyone who has decided anything (``consensus`` last when present)."""
    names = [r["reviewer"] for r in store.query(
        "SELECT DISTINCT reviewer FROM decisions ORDER BY reviewer")]
    return sorted(names, key=lambda n: (n == CONSENSUS, n))


def get_decision(store: Store, decision_id: int | None = None, uuid: str | None = None) -> dict:
    if uuid is not None:
        rows = store.query("SELECT * FROM decisions WHERE uuid = ?", (uuid,))
    else:
        rows = store.query("SELECT * FROM decisions WHERE id = ?", (int(decision_id),))
    if not rows:
        raise NotFoundError(f"no decision {decision_id or uuid}", subject="decision",
                            fix="list decisions with `realistcoder log --reviewer NAME`")
    return rows[0]


def get_coding(store: Store, coding_id: int) -> dict:
    rows = store.query("SELECT * FROM codings WHERE id = ?", (int(coding_id),))
    if not rows:
        raise NotFoundError(
            f"no coding with id {coding_id}", subject=f"coding {coding_id}",
            fix="list coding ids with `realistcoder export codings --reviewer NAME`")
    return rows[0]


# --------------------------------------------------------------------------- writes


def record_decision(
    store: Store,
    *,
    reviewer: str,
    action: str,
    proposal_id: int | None = None,
    sentence_id: int | None = None,
    end_sentence_id: int | None = None,
    code: str | None = None,
    target_uuid: str | None = None,
    note: str | None = None,
    resolved_by: str | None = None,
    origin: str = "command",
    uuid: str | None = None,
    created_at: str | None = None,
) -> dict:
    """Check, append and apply one decision in one transaction; return the decision row with
    ``coding_id`` (the coding it created, if any). ``uuid`` makes a retry idempotent: a decision
    whose uuid is already stored is returned as is, with ``duplicate=True``."""
    if action not in ACTIONS:
        raise InputError(f"unknown action '{action}'", subject="decision",
                         fix=f"use one of {', '.join(ACTIONS)}")
    if action == "resolve":
        reviewer = CONSENSUS
        resolved_by = check_reviewer(resolved_by)
    elif reviewer != CONSENSUS or action not in ("uncode", "undo"):
        reviewer = check_reviewer(reviewer)
    note = (note or "").strip() or None
    with store.transaction():
        if uuid is not None:
            old = store.query("SELECT * FROM decisions WHERE uuid = ?", (uuid,))
            if old:
                return {**old[0], "coding_id": _coding_id_for(store, old[0]), "duplicate": True}
        row = _prepare(store, reviewer, action, proposal_id, sentence_id, end_sentence_id, code,
                       target_uuid)
        action = row["action"]  # an accept under another code is a recode
        if action in PROPOSAL_ACTIONS:
            same = latest_decision(store, reviewer, row["proposal_id"])
            if same is not None and note in (None, same["note"]) and all(
                    same[k] == row[k] for k in ("action", "code_id", "sentence_id",
                                                "end_sentence_id")):
                # deciding again what already stands changes nothing (and keeps coding ids)
                return {**same, "coding_id": _coding_id_for(store, same), "duplicate": True}
        row.update(uuid=uuid or str(uuidlib.uuid4()), reviewer=reviewer, note=note,
                   resolved_by=resolved_by, origin=origin,
                   created_at=created_at or _next_time(store, reviewer),
                   batch=store.batch.uuid_for(reviewer) if store.batch is not None else None)
        decision_id = insert_row(store.conn, "decisions", row)
        row["id"] = decision_id
        if action == "undo":
            rebuild_reviewer(store, reviewer)
        else:
            _apply(store, row)
        return {**row, "coding_id": _coding_id_for(store, row), "duplicate": False}


def _next_time(store: Store, reviewer: str) -> str:
    """Now, or just after the reviewer's last decision if the clock has not moved on, so that
    replaying the log in time order gives the order the decisions were made in."""
    now = utcnow()
    last = store.query("SELECT max(created_at) AS t FROM decisions WHERE reviewer = ?",
                       (reviewer,))[0]["t"]
    if last and last >= now:
        bumped = datetime.fromisoformat(last) + timedelta(microseconds=1)
        return bumped.isoformat(timespec="microseconds")
    return now


def _coding_id_for(store: Store, decision: dict) -> int | None:
    if decision["action"] not in CREATING:
        return None
    rows = store.query("SELECT id FROM codings WHERE uuid = ?", (decision["uuid"],))
    return rows[0]["id"] if rows else None


def _prepare(store, reviewer, action, proposal_id, sentence_id, end_sentence_id, code,
             target_uuid) -> dict:
    """Validate a request and fill the decision's columns (ids, code version)."""
    row: dict = {"proposal_id": None, "sentence_id": None, "end_sentence_id": None,
                 "code_id": None, "codebook_id": None, "code": None, "target_uuid": None,
                 "action": action}
    if action in PROPOSAL_ACTIONS:
        if proposal_id is None:
            raise InputError(f"{action} needs a proposal id", subject="decision",
                             fix="pass the PROPOSAL_ID")
        p = get_proposal(store, proposal_id)
        start = sentence_id or p["sentence_id"]
        end = end_sentence_id or start
        sents = sentence_range(store, start, end)
        if p["sentence_id"] not in {s["id"] for s in sents}:
            raise InputError("the fragment must include the proposed sentence",
                             subject=f"proposal {proposal_id}",
                             fix=f"start or end the fragment at sentence {p['sentence_id']}")
        c = find_code(store, code, prefer_codebook_id=p["codebook_id"]) if code else None
        if action == "accept" and c is not None and c["id"] != p["code_id"]:
            action = "recode"
        if action == "recode":
            if c is None:
                raise InputError("recode needs the new code", subject=f"proposal {proposal_id}",
                                 fix="pass --code CODE")
        elif action == "accept":
            c = {"id": p["code_id"], "codebook_id": p["codebook_id"], "code": p["code"]}
        row.update(proposal_id=p["id"], sentence_id=sents[0]["id"],
                   end_sentence_id=sents[-1]["id"])
        if action != "reject":
            row.update(code_id=c["id"], codebook_id=c["codebook_id"], code=c["code"])
        row["action"] = action
    elif action in ("code", "resolve"):
        if sentence_id is None:
            raise InputError(f"{action} needs a sentence id", subject="decision",
                             fix="pass SENTENCE_ID or FIRST-LAST")
        sents = sentence_range(store, sentence_id, end_sentence_id)
        row.update(sentence_id=sents[0]["id"], end_sentence_id=sents[-1]["id"])
        if code is None and action == "resolve":
            return row  # consensus that the fragment carries no code: kept in the log
        c = find_code(store, code)
        row.update(code_id=c["id"], codebook_id=c["codebook_id"], code=c["code"])
        dup = store.query(
            "SELECT id FROM codings WHERE reviewer = ? AND active = 1 AND sentence_id = ? "
            "AND end_sentence_id = ? AND code = ?",
            (reviewer, row["sentence_id"], row["end_sentence_id"], c["code"]))
        if dup:
            raise InputError(f"already coded {c['code']} (coding {dup[0]['id']})",
                             subject=f"sentence {sentence_id}",
                             fix="nothing to do; uncode it first to change the note")
    elif action == "uncode":
        rows = store.query("SELECT * FROM codings WHERE uuid = ?", (target_uuid,))
        if not rows:
            raise NotFoundError("no such coding", subject=f"coding {target_uuid}",
                                fix="list coding ids with `realistcoder export codings`")
        coding = rows[0]
        if coding["reviewer"] != reviewer:
            raise InputError(f"coding {coding['id']} was made by another reviewer",
                             subject=f"coding {coding['id']}",
                             fix="a reviewer can only uncode their own codings")
        if not coding["active"]:
            raise InputError(f"coding {coding['id']} is already removed",
                             subject=f"coding {coding['id']}", fix="nothing to do")
        row.update(target_uuid=target_uuid, proposal_id=coding["proposal_id"],
                   sentence_id=coding["sentence_id"], end_sentence_id=coding["end_sentence_id"],
                   code_id=coding["code_id"], codebook_id=coding["codebook_id"],
                   code=coding["code"])
    elif action == "undo":
        target = get_decision(store, uuid=target_uuid)
        if target["reviewer"] != reviewer:
            raise InputError("that decision was made by another reviewer",
                             subject=f"decision {target['id']}",
                             fix="a reviewer can only undo their own decisions")
        if target["action"] == "undo":
            raise InputError("an undo cannot be undone", subject=f"decision {target['id']}",
                             fix="make the decision again instead")
        if store.query("SELECT 1 FROM decisions WHERE action = 'undo' AND target_uuid = ?",
                       (target_uuid,)):
            raise InputError("that decision is already undone",
                             subject=f"decision {target['id']}", fix="nothing to do")
        row.update(target_uuid=target_uuid, proposal_id=target["proposal_id"],
                   sentence_id=target["sentence_id"], end_sentence_id=target["end_sentence_id"],
                   code_id=target["code_id"], codebook_id=target["codebook_id"],
                   code=target["code"])
    return row


def _insert_coding(store: Store, d: dict, active: bool = True) -> int:
    s = get_sentence(store, d["sentence_id"])
    return insert_row(store.conn, "codings", {
        "uuid": d["uuid"], "decision_id": d["id"], "reviewer": d["reviewer"],
        "source": CREATING[d["action"]], "proposal_id": d["proposal_id"],
        "document_id": s["document_id"], "sentence_id": d["sentence_id"],
        "end_sentence_id": d["end_sentence_id"], "code_id": d["code_id"],
        "codebook_id": d["codebook_id"], "code": d["code"], "note": d["note"],
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


def _apply(store: Store, d: dict) -> None:
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
    elif action in ("code", "resolve"):
        if d["code_id"] is not None:
            _insert_coding(store, d)
    elif action == "uncode":
        coding = store.query("SELECT * FROM codings WHERE uuid = ?", (d["target_uuid"],))[0]
        _end_coding(store, coding["id"], d["id"])
        if coding["proposal_id"] is not None:
            cur = store.query("SELECT coding_id FROM proposal_reviews WHERE proposal_id = ? "
                              "AND reviewer = ?", (coding["proposal_id"], reviewer))
            if cur and cur[0]["coding_id"] == coding["id"]:
                _set_review(store, coding["proposal_id"], reviewer, "pending", None, None)


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
                         "('accept', 'recode', 'code', 'resolve') AND code_id IS NOT NULL",
                         (reviewer,)):
        if d["uuid"] not in codings:  # e.g. a decision brought in by merge
            cid = _insert_coding(store, d, active=False)
            codings[d["uuid"]] = {"id": cid, "uuid": d["uuid"], "active": 0, "ended_by": None}
    state: dict[str, tuple[int, int | None]] = {
        u: (0, undone_by.get(u)) for u in codings}  # default: undone (or never effective)
    reviews: dict[int, tuple[str, int | None, str | None]] = {}
    for d in effective_decisions(store, reviewer):
        action, pid = d["action"], d["proposal_id"]
        if action in PROPOSAL_ACTIONS:
            prev = reviews.get(pid)
            if prev and prev[2] is not None:
                state[prev[2]] = (0, d["id"])
            created = d["uuid"] if action != "reject" else None
            if created:
                state[created] = (1, None)
            status = {"accept": "accepted", "recode": "recoded", "reject": "rejected"}[action]
            reviews[pid] = (status, d["id"], created)
        elif action in ("code", "resolve") and d["code_id"] is not None:
            state[d["uuid"]] = (1, None)
        elif action == "uncode" and state.get(d["target_uuid"], (0,))[0]:
            state[d["target_uuid"]] = (0, d["id"])
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


# --------------------------------------------------------------------------- wrappers


def accept(store: Store, proposal_id: int, reviewer: str, *, code: str | None = None,
           sentence_id: int | None = None, end_sentence_id: int | None = None,
           note: str | None = None, origin: str = "command", uuid: str | None = None) -> dict:
    """Accept a proposal (with ``code`` different from the proposed one, it is a recode)."""
    return record_decision(store, reviewer=reviewer, action="accept", proposal_id=proposal_id,
                           code=code, sentence_id=sentence_id, end_sentence_id=end_sentence_id,
                           note=note, origin=origin, uuid=uuid)


def reject(store: Store, proposal_id: int, reviewer: str, *, note: str | None = None,
           origin: str = "command", uuid: str | None = None) -> dict:
    return record_decision(store, reviewer=reviewer, action="reject", proposal_id=proposal_id,
                           note=note, origin=origin, uuid=uuid)


def recode(store: Store, proposal_id: int, reviewer: str, code: str, **kw) -> dict:
    """Accept the proposed fragment under another code."""
    return record_decision(store, reviewer=reviewer, action="recode", proposal_id=proposal_id,
                           code=code, **kw)


def code_by_hand(store: Store, sentence_id: int, code: str, reviewer: str, *,
                 end_sentence_id: int | None = None, note: str | None = None,
                 origin: str = "command", uuid: str | None = None) -> dict:
    """Code a sentence (or a run of sentences) that no proposal found."""
    return record_decision(store, reviewer=reviewer, action="code", sentence_id=sentence_id,
                           end_sentence_id=end_sentence_id, code=code, note=note, origin=origin,
                           uuid=uuid)


def uncode(store: Store, coding_id: int, reviewer: str, *, note: str | None = None,
           origin: str = "command") -> dict:
    """Remove one of the reviewer's codings (the row stays, marked inactive)."""
    coding = get_coding(store, coding_id)
    return record_decision(store, reviewer=reviewer, action="uncode",
                           target_uuid=coding["uuid"], note=note, origin=origin)


def undo(store: Store, reviewer: str, decision_id: int | None = None, *,
         origin: str = "command") -> dict | None:
    """Undo ``decision_id``, or the reviewer's latest decision not yet undone. None if none."""
    if decision_id is not None:
        target = get_decision(store, decision_id)
    else:
        rows = store.query(
            "SELECT * FROM decisions d WHERE reviewer = ? AND action != 'undo' AND NOT EXISTS "
            "(SELECT 1 FROM decisions u WHERE u.action = 'undo' AND u.target_uuid = d.uuid) "
            "ORDER BY id DESC LIMIT 1", (reviewer,))
        if not rows:
            return None
        target = rows[0]
    result = record_decision(store, reviewer=reviewer, action="undo",
                             target_uuid=target["uuid"], origin=origin)
    result["undone"] = target
    return result


def resolve(store: Store, sentence_id: int, codes: Iterable[str], resolved_by: str, *,
            end_sentence_id: int | None = None, note: str | None = None,
            origin: str = "resolve") -> list[dict]:
    """Record the team's agreed codes for a fragment as ``consensus`` codings.

    The consensus codings of exactly that fragment become ``codes``: missing ones are added
    (action ``resolve``, attributed through ``resolved_by``), others are uncoded. An empty
    ``codes`` records that the fragment carries no code. Returns the decisions made."""
    wanted = [c.strip() for c in codes if c and c.strip()]
    resolved_by = check_reviewer(resolved_by)
    made: list[dict] = []
    with store.transaction():
        sents = sentence_range(store, sentence_id, end_sentence_id)
        first, last = sents[0]["id"], sents[-1]["id"]
        wanted_codes = {find_code(store, c)["code"] for c in wanted}
        existing = store.query(
            "SELECT * FROM codings WHERE reviewer = ? AND active = 1 AND sentence_id = ? "
            "AND end_sentence_id = ?", (CONSENSUS, first, last))
        have = {c["code"] for c in existing}
        for c in existing:
            if c["code"] not in wanted_codes:
                made.append(record_decision(store, reviewer=CONSENSUS, action="uncode",
                                            target_uuid=c["uuid"], note=note, origin=origin,
                                            resolved_by=resolved_by))
        for code in sorted(wanted_codes - have):
            made.append(record_decision(store, reviewer=CONSENSUS, action="resolve",
                                        sentence_id=first, end_sentence_id=last, code=code,
                                        note=note, resolved_by=resolved_by, origin=origin))
        if not wanted_codes and not existing:
            made.append(record_decision(store, reviewer=CONSENSUS, action="resolve",
                                        sentence_id=first, end_sentence_id=last, note=note,
                                        resolved_by=resolved_by, origin=origin))
    return made
