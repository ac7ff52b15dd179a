"""Proposals in the store: written by ``propose``, read by ``proposals`` and the exports.

A proposal row is never deleted, and never changed once a reviewer has decided it (decisions
point at it); an undecided *role* proposal is re-scored when a newer role detector reads its
sentence again.
Superseding is recorded beside it, in ``proposal_supersessions``: when a newer version of a
codebook has been run over a sentence, the older version's *undecided* proposals for that
sentence are superseded (hidden from the pending queue); decided ones are left alone.
``proposal_passes`` records each finished (codebook, document) run, so that a re-run or an
interrupted run skips what is done.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence

from realistcoder.store.db import Store, utcnow

STATUSES = ("pending", "decided", "superseded", "withdrawn", "all")
ALL_SECTIONS = "*"


def _table_exists(store: Store, name: str) -> bool:
    return bool(store.query("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)))


def _touched_sql(store: Store, alias: str = "p") -> str:
    """SQL condition: a reviewer has acted on proposal ``alias`` (review tables, if present)."""
    parts = []
    if _table_exists(store, "decisions"):
        parts.append(f"EXISTS (SELECT 1 FROM decisions x WHERE x.proposal_id = {alias}.id)")
    if _table_exists(store, "proposal_reviews"):
        parts.append(
            f"EXISTS (SELECT 1 FROM proposal_reviews r WHERE r.proposal_id = {alias}.id "
            "AND r.status != 'pending')"
        )
    return "(" + " OR ".join(parts) + ")" if parts else "0"


def _in(values: Sequence) -> str:
    return ",".join("?" * len(values))


# -- what to run ------------------------------------------------------------------------------
def documents_to_propose(store: Store, document_ids: Sequence[int] | None = None) -> list[dict]:
    """Current documents (id, file_name), optionally only ``document_ids``."""
    sql = "SELECT id, file_name FROM documents WHERE status = 'ok'"
    params: tuple = ()
    if document_ids is not None:
        sql += f" AND id IN ({_in(document_ids)})"
        params = tuple(document_ids)
    return store.query(sql + " ORDER BY id", params)


def sections_key(sections: Sequence[str] | None) -> str:
    """How a set of section kinds is recorded in ``proposal_passes``."""
    return ALL_SECTIONS if sections is None else ",".join(sorted(set(sections)))


def pass_done(
    store: Store, codebook_id: int, document_id: int, sections: Sequence[str] | None,
    min_score: float, matcher: str,
) -> bool:
    """Whether an earlier finished run covers this one (same matcher, codebook and document,
    the same or more sections, the same or a lower score threshold)."""
    rows = store.query(
        "SELECT sections, min_score FROM proposal_passes WHERE codebook_id = ? AND document_id = ?"
        " AND matcher = ?",
        (codebook_id, document_id, matcher),
    )
    wanted = None if sections is None else set(sections)
    for row in rows:
        covers = row["sections"] == ALL_SECTIONS or (
            wanted is not None and wanted <= set(row["sections"].split(","))
        )
        if covers and row["min_score"] <= min_score + 1e-9:
            return True
    return False


def count_sentences(store: Store, document_id: int, sections: Sequence[str] | None) -> int:
    sql = "SELECT COUNT(*) AS n FROM sentences WHERE document_id = ?"
    params: tuple = (document_id,)
    if sections is not None:
        sql += f" AND section IN ({_in(sections)})"
        params += tuple(sections)
    return store.query(sql, params)[0]["n"]


def sentence_batches(
    store: Store, document_id: int, sections: Sequence[str] | None, batch_size: int
) -> Iterable[list[dict]]:
    """Sentences (id, text) of a document in id order, ``batch_size`` at a time."""
    last = 0
    while True:
        sql = "SELECT id, text FROM sentences WHERE document_id = ? AND id > ?"
        params: tuple = (document_id, last)
        if sections is not None:
            sql += f" AND section IN ({_in(sections)})"
            params += tuple(sections)
        rows = store.query(sql + " ORDER BY id LIMIT ?", (*params, batch_size))
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def older_versions(store: Store, codebook_id: int) -> list[int]:
    """Ids of earlier stored versions of the same codebook (same name)."""
    rows = store.query(
        "SELECT o.id FROM codebooks o JOIN codebooks c ON c.name = o.name "
        "WHERE c.id = ? AND o.id < c.id",
        (codebook_id,),
    )
    return [r["id"] for r in rows]


# -- writing ----------------------------------------------------------------------------------
def decided_in_older(
    store: Store, older: Sequence[int], sentence_ids: Sequence[int]
) -> set[tuple[int, str, str, str | None]]:
    """(sentence_id, code, role, theory) already decided under an older codebook version."""
    if not older or not sentence_ids:
        return set()
    rows = store.query(
        f"SELECT p.sentence_id, p.code, p.role, p.theory FROM proposals p "
        f"WHERE p.codebook_id IN ({_in(older)}) AND p.sentence_id IN ({_in(sentence_ids)}) "
        f"AND {_touched_sql(store)}",
        (*older, *sentence_ids),
    )
    return {(r["sentence_id"], r["code"], r["role"], r["theory"]) for r in rows}


def insert_proposals(store: Store, rows: list[dict]) -> Counter:
    """Insert proposals, ignoring any (sentence, code version) already proposed; returns the
    number really inserted per role. Call inside ``store.transaction()``."""
    inserted: Counter = Counter()
    now = utcnow()
    sql = (
        "INSERT OR IGNORE INTO proposals (sentence_id, code_id, codebook_id, code, role, theory,"
        " score, method, matched, flags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    by_role: dict[str, list[tuple]] = {}
    for r in rows:
        by_role.setdefault(r["role"], []).append((
            r["sentence_id"], r["code_id"], r["codebook_id"], r["code"], r["role"], r["theory"],
            r["score"], r["method"], json.dumps(r["matched"], ensure_ascii=False),
            json.dumps(r["flags"]), now,
        ))
    for role, values in by_role.items():
        before = store.conn.total_changes
        store.conn.executemany(sql, values)
        inserted[role] += store.conn.total_changes - before
    return inserted


def supersede_older(
    store: Store, codebook_id: int, older: Sequence[int], sentence_ids: Sequence[int]
) -> int:
    """Mark undecided, not yet superseded proposals of older versions on these sentences as
    superseded by ``codebook_id``; returns how many. Call inside ``store.transaction()``."""
    if not older or not sentence_ids:
        return 0
    before = store.conn.total_changes
    store.conn.execute(
        f"INSERT OR IGNORE INTO proposal_supersessions (proposal_id, codebook_id, superseded_at) "
        f"SELECT p.id, ?, ? FROM proposals p WHERE p.codebook_id IN ({_in(older)}) "
        f"AND p.sentence_id IN ({_in(sentence_ids)}) AND NOT {_touched_sql(store)}",
        (codebook_id, utcnow(), *older, *sentence_ids),
    )
    return store.conn.total_changes - before


def record_pass(
    store: Store, codebook_id: int, document_id: int, sections: Sequence[str] | None,
    min_score: float, matcher: str, n_sentences: int, n_proposals: int,
) -> None:
    """Record a finished (codebook, document) run. Call inside ``store.transaction()``."""
    store.db["proposal_passes"].insert({
        "codebook_id": codebook_id,
        "document_id": document_id,
        "sections": sections_key(sections),
        "min_score": min_score,
        "matcher": matcher,
        "n_sentences": n_sentences,
        "n_proposals": n_proposals,
        "finished_at": utcnow(),
    })


# -- reading ----------------------------------------------------------------------------------
def _decided_sql(store: Store, reviewer: str | None, unblinded: bool) -> tuple[str, list]:
    """SQL condition (and params): proposal ``p`` is decided for the listing's point of view.

    With ``reviewer``: decided by that reviewer (their current state, so an undone decision is
    pending again). Unblinded without a reviewer: decided by anyone. Blinded without a reviewer:
    never (nobody's decisions are consulted)."""
    if reviewer is not None:
        if not _table_exists(store, "proposal_reviews"):
            return "0", []
        return ("EXISTS (SELECT 1 FROM proposal_reviews r WHERE r.proposal_id = p.id "
                "AND r.reviewer = ? AND r.status != 'pending')", [reviewer])
    if unblinded:
        return _touched_sql(store), []
    return "0", []


def list_proposals(
    store: Store,
    *,
    codes: Sequence[str] = (),
    roles: Sequence[str] = (),
    theories: Sequence[str] = (),
    document_ids: Sequence[int] = (),
    codebook_ids: Sequence[int] = (),
    status: str = "all",
    min_score: float | None = None,
    limit: int | None = None,
    reviewer: str | None = None,
    unblinded: bool = False,
) -> list[dict]:
    """Proposals with their sentence, document and code version, best score first within each
    document's reading order.

    ``status`` is per reviewer (blinding): pending = not yet decided by ``reviewer`` (and not
    superseded), decided = accepted, rejected or recoded by ``reviewer``, superseded = replaced
    by a newer codebook version and not decided by ``reviewer``, withdrawn = undecided and
    scored below its role's threshold by ``reviewer``'s learned model, all = all but superseded
    and withdrawn (plus those ``reviewer`` decided). Without ``reviewer``, ``unblinded=True`` counts
    anyone's decisions; blinded without a reviewer, pending and decided raise BlindedError and
    each row's status is ``superseded`` or ``blinded``."""
    if reviewer is None and not unblinded and status in ("pending", "decided"):
        from realistcoder.store.review_read import BlindedError

        raise BlindedError(
            f"--status {status} is per reviewer while the review is blinded",
            subject="blinding",
            fix="pass --reviewer NAME for your own, or --unblind for anyone's decisions")
    touched, touched_params = _decided_sql(store, reviewer, unblinded)
    blind = reviewer is None and not unblinded
    # learned proposals are one reviewer's: others never see them (blinding)
    score, scored, score_params, hidden, why = "p.score", "", [], "0", "NULL"
    if reviewer is not None:  # the reviewer's learned model re-scores and may withdraw
        score = "coalesce(ps.score, p.score)"
        scored = ("LEFT JOIN proposal_scores ps ON ps.proposal_id = p.id AND ps.reviewer = ?")
        score_params = [reviewer]
        hidden, why = "coalesce(ps.shown, 1) = 0", "ps.explanation"
    superseded = "EXISTS (SELECT 1 FROM proposal_supersessions z WHERE z.proposal_id = p.id)"
    if reviewer is not None:
        where, params = ["(p.reviewer IS NULL OR p.reviewer = ?)"], [reviewer]
    elif unblinded:
        where, params = ["1"], []
    else:
        where, params = ["p.reviewer IS NULL"], []
    for column, values in (("p.code", codes), ("p.role", roles), ("p.theory", theories),
                           ("s.document_id", document_ids), ("p.codebook_id", codebook_ids)):
        if values:
            where.append(f"{column} IN ({_in(values)})")
            params.extend(values)
    if min_score is not None:
        where.append(f"{score} >= ?")
        params.append(min_score)
    if status == "pending":
        where.append(f"NOT {touched} AND NOT {superseded} AND NOT {hidden}")
        params.extend(touched_params)
    elif status == "decided":
        where.append(touched)
        params.extend(touched_params)
    elif status == "superseded":
        where.append(f"{superseded} AND NOT {touched}")
        params.extend(touched_params)
    elif status == "withdrawn":
        where.append(f"{hidden} AND NOT {superseded} AND NOT {touched}")
        params.extend(touched_params)
    else:
        where.append(f"((NOT {superseded} AND NOT {hidden}) OR {touched})")
        params.extend(touched_params)
    open_status = "'blinded'" if blind else "'pending'"
    sql = f"""
        SELECT p.id AS proposal_id, d.file_name AS document, s.document_id, s.page_no AS page,
               p.sentence_id, s.text, s.section, p.code, k.label, p.role, k.mechanism_type,
               p.theory, {score} AS score, p.method, p.matched, p.flags, c.name AS codebook,
               c.version AS codebook_version, p.codebook_id, p.code_id, p.created_at,
               p.reviewer AS learned_for, p.model_id, {why} AS learned_explanation,
               CASE WHEN {touched} THEN 'decided'
                    WHEN {superseded} THEN 'superseded'
                    WHEN {hidden} THEN 'withdrawn' ELSE {open_status} END AS status
        FROM proposals p
        JOIN sentences s ON s.id = p.sentence_id
        JOIN documents d ON d.id = s.document_id
        LEFT JOIN codes k ON k.id = p.code_id
        LEFT JOIN codebooks c ON c.id = p.codebook_id
        {scored}
        WHERE {" AND ".join(where)}
        ORDER BY s.document_id, s.seq, {score} DESC, p.role, p.code"""
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = store.query(sql, (*touched_params, *score_params, *params))
    for row in rows:
        row["matched"] = json.loads(row["matched"])
        row["flags"] = json.loads(row["flags"])
        why = row.pop("learned_explanation")
        if why:  # the reviewer's model's reasons replace the cues
            row["matched"] = json.loads(why) or row["matched"]
    return rows


def proposal_counts(store: Store) -> dict[str, int]:
    """Number of proposals every reviewer sees, per role (superseded and learned ones
    excluded)."""
    rows = store.query(
        "SELECT role, COUNT(*) AS n FROM proposals p WHERE p.reviewer IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM proposal_supersessions z WHERE z.proposal_id = p.id) GROUP BY role"
    )
    return {r["role"]: r["n"] for r in rows}


# -- role proposals ------------------------------------------------------------------------------
def role_pass_done(store: Store, document_id: int, detector: str,
                   sections: Sequence[str] | None) -> bool:
    """Whether this detector version already read these sections of the document."""
    wanted = None if sections is None else set(sections)
    for row in store.query("SELECT sections FROM role_passes WHERE document_id = ? AND "
                           "detector = ?", (document_id, detector)):
        if row["sections"] == ALL_SECTIONS or (
                wanted is not None and wanted <= set(row["sections"].split(","))):
            return True
    return False


def record_role_pass(store: Store, document_id: int, detector: str,
                     sections: Sequence[str] | None, n_sentences: int, n_proposals: int) -> None:
    """Record a finished role-detector run. Call inside ``store.transaction()``."""
    store.db["role_passes"].insert({
        "document_id": document_id, "detector": detector, "sections": sections_key(sections),
        "n_sentences": n_sentences, "n_proposals": n_proposals, "finished_at": utcnow()})


def write_role_proposals(store: Store, sentence_ids: Sequence[int], rows: list[dict]
                         ) -> tuple[Counter, int]:
    """Make the shared role proposals of these sentences what a detector run found: new ones
    inserted, undecided ones re-scored (or superseded when the detector no longer proposes
    them); a proposal anyone has decided is never changed. Returns (new per role,
    superseded). Call inside ``store.transaction()``."""
    if not sentence_ids:
        return Counter(), 0
    existing = {(r["sentence_id"], r["role"]): r for r in store.query(
        f"SELECT p.id, p.sentence_id, p.role, {_touched_sql(store)} AS touched, "
        "EXISTS (SELECT 1 FROM proposal_supersessions z WHERE z.proposal_id = p.id) AS gone "
        f"FROM proposals p WHERE p.code_id IS NULL AND p.reviewer IS NULL AND "
        f"p.sentence_id IN ({_in(sentence_ids)})", tuple(sentence_ids))}
    now, new, seen, inserts = utcnow(), Counter(), set(), []
    for r in rows:
        key = (r["sentence_id"], r["role"])
        seen.add(key)
        old = existing.get(key)
        matched = json.dumps(r["matched"], ensure_ascii=False, separators=(",", ":"))
        flags = json.dumps(r["flags"])
        if old is None:
            inserts.append((r["sentence_id"], r["role"], r["score"], r["method"], matched,
                            flags, now))
            new[r["role"]] += 1
        elif not old["touched"]:
            store.conn.execute("UPDATE proposals SET score = ?, matched = ?, flags = ? "
                               "WHERE id = ?", (r["score"], matched, flags, old["id"]))
            if old["gone"]:
                store.conn.execute("DELETE FROM proposal_supersessions WHERE proposal_id = ?",
                                   (old["id"],))
    store.conn.executemany(
        "INSERT INTO proposals (sentence_id, role, score, method, matched, flags, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", inserts)
    superseded = 0
    for key, old in existing.items():
        if key not in seen and not old["touched"] and not old["gone"]:
            store.conn.execute("INSERT INTO proposal_supersessions (proposal_id, codebook_id, "
                               "superseded_at) VALUES (?, NULL, ?)", (old["id"], now))
            superseded += 1
    return new, superseded
