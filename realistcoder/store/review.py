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
from realistcoder.store.review_state import (  # noqa: F401  (part of this module's API)
    CODING_ROLES,
    CREATING,
    EVIDENCE_ROLES,
    NO_ROLE,
    PROPOSAL_ACTIONS,
    apply_decision,
    code_role,
    decision_role,
    effective_decisions,
    overlapping_codings,
    rebuild_reviewer,
)

ACTIONS = ("accept", "reject", "recode", "code", "uncode", "resolve", "undo")


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
    role: str | None = None,
    target_uuid: str | None = None,
    note: str | None = None,
    resolved_by: str | None = None,
    origin: str = "command",
    uuid: str | None = None,
    created_at: str | None = None,
) -> dict:
    """Check, append and apply one decision in one transaction; return the decision row with
    ``coding_id`` (the coding it created, if any). ``uuid`` makes a retry idempotent: a decision
    whose uuid is already stored is returned as is, with ``duplicate=True``.

    ``role`` without ``code`` makes a role-only coding (``context``, ``mechanism``,
    ``outcome``) or, with ``none``, a no-role mark; accepting a role proposal without a code
    codes its role."""
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
                       role, target_uuid)
        action = row["action"]  # an accept under another code is a recode
        if action in PROPOSAL_ACTIONS:
            same = latest_decision(store, reviewer, row["proposal_id"])
            if same is not None and note in (None, same["note"]) and all(
                    same[k] == row[k] for k in ("action", "code_id", "sentence_id",
                                                "end_sentence_id")) and (
                    decision_role(store, same) == decision_role(store, row)):
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
            apply_decision(store, row)
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


def _check_role(role: str | None, allowed: tuple[str, ...] = (*EVIDENCE_ROLES, NO_ROLE)
                ) -> str | None:
    if role is None:
        return None
    value = role.strip().lower()
    if value not in allowed:
        raise InputError(f"unknown role '{role}'", subject="--role",
                         fix=f"use one of {', '.join(allowed)}")
    return value


def _prepare(store, reviewer, action, proposal_id, sentence_id, end_sentence_id, code, role,
             target_uuid) -> dict:
    """Validate a request and fill the decision's columns (ids, code version, role)."""
    row: dict = {"proposal_id": None, "sentence_id": None, "end_sentence_id": None,
                 "code_id": None, "codebook_id": None, "code": None, "role": None,
                 "target_uuid": None, "action": action}
    role = _check_role(role)
    if code and role:
        raise InputError("give a code or a role, not both", subject="decision",
                         fix="a code carries its own role; pass --role only for role-only codings")
    if action in PROPOSAL_ACTIONS:
        if proposal_id is None:
            raise InputError(f"{action} needs a proposal id", subject="decision",
                             fix="pass the PROPOSAL_ID")
        p = get_proposal(store, proposal_id)
        if p.get("reviewer") not in (None, reviewer):
            raise InputError("that proposal was learned for another reviewer",
                             subject=f"proposal {proposal_id}",
                             fix="decide the proposals `realistcoder review` shows you")
        if role == NO_ROLE:
            raise InputError("a proposal is rejected, not accepted as 'none'",
                             subject=f"proposal {proposal_id}", fix="reject it instead")
        start = sentence_id or p["sentence_id"]
        end = end_sentence_id or start
        sents = sentence_range(store, start, end)
        if p["sentence_id"] not in {s["id"] for s in sents}:
            raise InputError("the fragment must include the proposed sentence",
                             subject=f"proposal {proposal_id}",
                             fix=f"start or end the fragment at sentence {p['sentence_id']}")
        c = find_code(store, code, prefer_codebook_id=p["codebook_id"]) if code else None
        if action == "accept":
            action, c, role = _accepted_as(p, c, role)
        if action == "recode":
            if c is None and role is None:
                raise InputError("recode needs the new code or role",
                                 subject=f"proposal {proposal_id}", fix="pass --code CODE")
            if c is not None and p["code_id"] is None and code_role(c) == p["role"]:
                action = "accept"  # a role proposal accepted with a code of that role
        row.update(proposal_id=p["id"], sentence_id=sents[0]["id"],
                   end_sentence_id=sents[-1]["id"])
        if action != "reject":
            if c is not None:
                row.update(code_id=c["id"], codebook_id=c["codebook_id"], code=c["code"])
            else:
                row["role"] = role
        row["action"] = action
    elif action in ("code", "resolve"):
        if sentence_id is None:
            raise InputError(f"{action} needs a sentence id", subject="decision",
                             fix="pass SENTENCE_ID or FIRST-LAST")
        sents = sentence_range(store, sentence_id, end_sentence_id)
        row.update(sentence_id=sents[0]["id"], end_sentence_id=sents[-1]["id"])
        if code is None and role is None:
            if action == "resolve":
                return row  # consensus that the fragment carries no code: kept in the log
            raise InputError("code needs a code or a role", subject=f"sentence {sentence_id}",
                             fix="pass --code CODE, or --role context|mechanism|outcome|none")
        if code is not None:
            c = find_code(store, code)
            row.update(code_id=c["id"], codebook_id=c["codebook_id"], code=c["code"])
            label, dup_sql, dup_value = c["code"], "code = ?", c["code"]
        else:
            row["role"] = role
            label, dup_sql, dup_value = role, "code IS NULL AND role = ?", role
        dup = store.query(
            "SELECT id FROM codings WHERE reviewer = ? AND active = 1 AND sentence_id = ? "
            f"AND end_sentence_id = ? AND {dup_sql}",
            (reviewer, row["sentence_id"], row["end_sentence_id"], dup_value))
        if dup:
            what = "marked as carrying no role" if role == NO_ROLE else f"coded {label}"
            raise InputError(f"already {what} (coding {dup[0]['id']})",
                             subject=f"sentence {sentence_id}",
                             fix="nothing to do; uncode it first to change the note")
        if role == NO_ROLE:
            coded = overlapping_codings(store, reviewer, sents, marks=False)
            if coded:
                raise InputError(
                    f"the fragment has {len(coded)} coding(s) of yours (first: coding "
                    f"{coded[0]['id']})", subject=f"sentence {sentence_id}",
                    fix="uncode them first, or leave the fragment coded")
    elif action in ("uncode", "undo"):
        target = _target(store, reviewer, action, target_uuid)
        row.update(target_uuid=target_uuid, proposal_id=target["proposal_id"],
                   sentence_id=target["sentence_id"], end_sentence_id=target["end_sentence_id"],
                   code_id=target["code_id"], codebook_id=target["codebook_id"],
                   code=target["code"], role=target.get("role"))
    return row


def _accepted_as(p: dict, c: dict | None, role: str | None) -> tuple[str, dict | None, str | None]:
    """What accepting proposal ``p`` (optionally with code ``c`` or role ``role``) records:
    ``(action, code row, role)``. Accepting under another code or role is a recode."""
    if c is not None:
        if p["code_id"] is not None:
            return ("recode" if c["id"] != p["code_id"] else "accept"), c, None
        return ("accept" if code_role(c) == p["role"] else "recode"), c, None
    if role is not None and (p["code_id"] is not None or role != p["role"]):
        return "recode", None, role
    if p["code_id"] is not None:
        return "accept", {"id": p["code_id"], "codebook_id": p["codebook_id"],
                          "code": p["code"]}, None
    return "accept", None, p["role"]


def _target(store: Store, reviewer: str, action: str, target_uuid: str | None) -> dict:
    """The coding an uncode removes, or the decision an undo reverses (checked)."""
    if action == "uncode":
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
        return coding
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
    return target


# --------------------------------------------------------------------------- wrappers


def accept(store: Store, proposal_id: int, reviewer: str, *, code: str | None = None,
           role: str | None = None, sentence_id: int | None = None,
           end_sentence_id: int | None = None, note: str | None = None,
           origin: str = "command", uuid: str | None = None) -> dict:
    """Accept a proposal. A role proposal accepted without ``code`` codes its role (role-only);
    with ``code`` it is coded under that code. A code or role other than the proposed one
    makes it a recode."""
    return record_decision(store, reviewer=reviewer, action="accept", proposal_id=proposal_id,
                           code=code, role=role, sentence_id=sentence_id,
                           end_sentence_id=end_sentence_id, note=note, origin=origin, uuid=uuid)


def reject(store: Store, proposal_id: int, reviewer: str, *, note: str | None = None,
           origin: str = "command", uuid: str | None = None) -> dict:
    return record_decision(store, reviewer=reviewer, action="reject", proposal_id=proposal_id,
                           note=note, origin=origin, uuid=uuid)


def recode(store: Store, proposal_id: int, reviewer: str, code: str | None = None, *,
           role: str | None = None, **kw) -> dict:
    """Accept the proposed fragment under another code (or, with ``role``, role-only)."""
    return record_decision(store, reviewer=reviewer, action="recode", proposal_id=proposal_id,
                           code=code, role=role, **kw)


def code_by_hand(store: Store, sentence_id: int, code: str | None, reviewer: str, *,
                 role: str | None = None, end_sentence_id: int | None = None,
                 note: str | None = None, origin: str = "command",
                 uuid: str | None = None) -> dict:
    """Code a sentence (or a run of sentences) that no proposal found: with a ``code``, or
    role-only with ``role`` (``none`` marks it as read and carrying no role)."""
    return record_decision(store, reviewer=reviewer, action="code", sentence_id=sentence_id,
                           end_sentence_id=end_sentence_id, code=code, role=role, note=note,
                           origin=origin, uuid=uuid)


def mark_no_role(store: Store, sentence_id: int, reviewer: str, *,
                 end_sentence_id: int | None = None, note: str | None = None,
                 origin: str = "command", refuse_if_coded: bool = True) -> list[dict]:
    """The sentence (or run) carries no role: reject the reviewer's pending proposals on it and
    mark it (a ``none`` coding, which the reviewer's model learns from), in one transaction.
    Where the reviewer has coded it already, nothing is done (InputError: uncode first), or
    with ``refuse_if_coded=False`` the proposals are rejected and no mark is added (``x`` in
    ``review`` on a sentence whose other proposal was just accepted). Returns the decisions."""
    sents = sentence_range(store, sentence_id, end_sentence_id)
    ids = {s["id"] for s in sents}
    made = []
    with store.transaction():
        for p in review_queue(store, reviewer, document_id=sents[0]["document_id"]):
            if p["sentence_id"] in ids:
                made.append(reject(store, p["id"], reviewer, note=note, origin=origin))
        if refuse_if_coded or not overlapping_codings(store, reviewer, sents, marks=False):
            made.append(code_by_hand(store, sentence_id, None, reviewer, role=NO_ROLE,
                                     end_sentence_id=end_sentence_id, note=note, origin=origin))
    return made


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
        rows = store.query(  # (not what ingest did for the reviewer: carrying codings)
            "SELECT * FROM decisions d WHERE reviewer = ? AND action != 'undo' AND NOT EXISTS "
            "(SELECT 1 FROM decisions u WHERE u.action = 'undo' AND u.target_uuid = d.uuid) "
            "AND origin != 'carry' ORDER BY id DESC LIMIT 1", (reviewer,))
        if not rows:
            return None
        target = rows[0]
    with store.transaction():
        result = record_decision(store, reviewer=reviewer, action="undo",
                                 target_uuid=target["uuid"], origin=origin)
        result["undone"] = target
        from realistcoder.store.carry import undo_carried  # (carry uses this module)

        result["also_undone"] = undo_carried(store, reviewer, target, origin)
    return result


def resolve(store: Store, sentence_id: int, codes: Iterable[str], resolved_by: str, *,
            roles: Iterable[str] = (), end_sentence_id: int | None = None,
            note: str | None = None, origin: str = "resolve") -> list[dict]:
    """Record the team's agreed codes (and role-only codings, ``roles``) for a fragment as
    ``consensus`` codings.

    The consensus codings of exactly that fragment become ``codes`` plus ``roles``: missing
    ones are added (action ``resolve``, attributed through ``resolved_by``), others are
    uncoded. Nothing wanted records that the fragment carries no code. Returns the decisions
    made."""
    wanted = [c.strip() for c in codes if c and c.strip()]
    wanted_roles = {_check_role(r, EVIDENCE_ROLES) for r in roles if r and r.strip()}
    resolved_by = check_reviewer(resolved_by)
    made: list[dict] = []
    with store.transaction():
        sents = sentence_range(store, sentence_id, end_sentence_id)
        first, last = sents[0]["id"], sents[-1]["id"]
        wanted_codes = {find_code(store, c)["code"] for c in wanted}
        existing = store.query(
            "SELECT * FROM codings WHERE reviewer = ? AND active = 1 AND sentence_id = ? "
            "AND end_sentence_id = ?", (CONSENSUS, first, last))
        have = {c["code"] for c in existing if c["code"] is not None}
        have_roles = {c["role"] for c in existing if c["code"] is None}
        for c in existing:
            keep = (c["code"] in wanted_codes if c["code"] is not None
                    else c["role"] in wanted_roles)
            if not keep:
                made.append(record_decision(store, reviewer=CONSENSUS, action="uncode",
                                            target_uuid=c["uuid"], note=note, origin=origin,
                                            resolved_by=resolved_by))
        for code in sorted(wanted_codes - have):
            made.append(record_decision(store, reviewer=CONSENSUS, action="resolve",
                                        sentence_id=first, end_sentence_id=last, code=code,
                                        note=note, resolved_by=resolved_by, origin=origin))
        for role in sorted(wanted_roles - have_roles):
            made.append(record_decision(store, reviewer=CONSENSUS, action="resolve",
                                        sentence_id=first, end_sentence_id=last, role=role,
                                        note=note, resolved_by=resolved_by, origin=origin))
        if not wanted_codes and not wanted_roles and not existing:
            made.append(record_decision(store, reviewer=CONSENSUS, action="resolve",
                                        sentence_id=first, end_sentence_id=last, note=note,
                                        resolved_by=resolved_by, origin=origin))
    return made
