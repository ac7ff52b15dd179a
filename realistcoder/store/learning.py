"""What the learned proposer reads and writes: a reviewer's labelled sentences, the model
ledger (``role_models``), per-reviewer scores (``proposal_scores``) and learned proposals.

Blinding: everything here is one reviewer's; nothing reads another reviewer's decisions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from realistcoder.store.db import Store, utcnow

EVIDENCE = ("context", "mechanism", "outcome")


def _in(values: Sequence) -> str:
    return ",".join("?" * len(values))


def coded_sentences(store: Store, reviewer: str) -> list[dict]:
    """Every sentence covered by the reviewer's active codings and no-role marks: sentence_id,
    document_id, text, role (``none`` for a mark), source (accepted, recoded, hand,
    consensus)."""
    return store.query(
        "SELECT s.id AS sentence_id, s.document_id, s.text, c.role, c.source FROM codings c "
        "JOIN sentences a ON a.id = c.sentence_id JOIN sentences b ON b.id = c.end_sentence_id "
        "JOIN sentences s ON s.document_id = c.document_id AND s.seq BETWEEN a.seq AND b.seq "
        "JOIN documents d ON d.id = s.document_id "
        "WHERE c.reviewer = ? AND c.active = 1 AND d.status = 'ok'", (reviewer,))


def decided_proposals(store: Store, reviewer: str) -> list[dict]:
    """The reviewer's decided proposals: sentence_id, document_id, text, role, status."""
    return store.query(
        "SELECT p.sentence_id, s.document_id, s.text, p.role, r.status FROM proposal_reviews r "
        "JOIN proposals p ON p.id = r.proposal_id JOIN sentences s ON s.id = p.sentence_id "
        "JOIN documents d ON d.id = s.document_id "
        "WHERE r.reviewer = ? AND r.status != 'pending' AND d.status = 'ok'", (reviewer,))


def decision_count(store: Store, reviewer: str) -> tuple[int, int | None]:
    """(number of the reviewer's decisions, id of the newest)."""
    row = store.query("SELECT count(*) AS n, max(id) AS last FROM decisions WHERE reviewer = ?",
                      (reviewer,))[0]
    return row["n"], row["last"]


def open_proposals(store: Store, reviewer: str, *, learned_only: bool = False) -> list[dict]:
    """Proposals the reviewer sees and has not decided (shared ones and their own learned ones,
    not superseded): id, sentence_id, role, code, score, reviewer."""
    only = "p.reviewer = ?" if learned_only else "(p.reviewer IS NULL OR p.reviewer = ?)"
    return store.query(
        "SELECT p.id, p.sentence_id, p.role, p.code, p.score, p.reviewer FROM proposals p "
        "JOIN sentences s ON s.id = p.sentence_id JOIN documents d ON d.id = s.document_id "
        f"WHERE d.status = 'ok' AND {only} AND NOT EXISTS (SELECT 1 FROM proposal_reviews r "
        "WHERE r.proposal_id = p.id AND r.reviewer = ? AND r.status != 'pending') "
        "AND NOT EXISTS (SELECT 1 FROM proposal_supersessions z WHERE z.proposal_id = p.id)",
        (reviewer, reviewer))


def sentences_to_score(store: Store, sections: Sequence[str],
                       document_ids: Iterable[int] | None = None) -> list[dict]:
    """Sentences of current documents in these sections: id, document_id, text."""
    sql = ("SELECT s.id, s.document_id, s.text FROM sentences s JOIN documents d ON "
           f"d.id = s.document_id WHERE d.status = 'ok' AND s.section IN ({_in(sections)})")
    params: list = list(sections)
    if document_ids is not None:
        ids = list(document_ids)
        sql += f" AND s.document_id IN ({_in(ids)})"
        params += ids
    return store.query(sql + " ORDER BY s.document_id, s.seq", tuple(params))


# -- the ledger ----------------------------------------------------------------------------------
def record_model(store: Store, row: dict) -> int:
    """Append a trained model to the ledger; returns its id. Call inside a transaction."""
    row = {**row, "created_at": row.get("created_at") or utcnow()}
    for key in ("examples", "settings", "metrics", "parameters"):
        if not isinstance(row.get(key), str):
            row[key] = json.dumps(row.get(key) or {}, separators=(",", ":"))
    return store.db["role_models"].insert(row).last_pk


def latest_model(store: Store, reviewer: str) -> dict | None:
    rows = store.query("SELECT * FROM role_models WHERE reviewer = ? AND parameters != '{}' "
                       "ORDER BY id DESC LIMIT 1", (reviewer,))
    return rows[0] if rows else None


def models(store: Store, reviewer: str | None = None) -> list[dict]:
    """The ledger (without parameters), oldest first; one reviewer's or everyone's."""
    sql = ("SELECT id, uuid, reviewer, method, version, created_at, n_decisions, "
           "last_decision_id, n_sentences, examples, settings, metrics FROM role_models")
    if reviewer is not None:
        return store.query(sql + " WHERE reviewer = ? ORDER BY id", (reviewer,))
    return store.query(sql + " ORDER BY id")


def prune_parameters(store: Store, reviewer: str, keep: int = 2) -> None:
    """Drop the parameters of all but the reviewer's ``keep`` newest models (their ledger rows
    and provenance stay). Call inside a transaction."""
    store.conn.execute(
        "UPDATE role_models SET parameters = '{}' WHERE reviewer = ? AND id NOT IN "
        "(SELECT id FROM role_models WHERE reviewer = ? ORDER BY id DESC LIMIT ?)",
        (reviewer, reviewer, keep))


# -- scores and learned proposals ----------------------------------------------------------------
def set_scores(store: Store, reviewer: str, model_id: int, rows: list[dict]) -> None:
    """Upsert the reviewer's learned score (and whether it is shown) per proposal. Call inside
    a transaction."""
    now = utcnow()
    store.conn.executemany(
        "INSERT INTO proposal_scores (proposal_id, reviewer, score, model_id, shown, "
        "explanation, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (proposal_id, "
        "reviewer) DO UPDATE SET score = excluded.score, model_id = excluded.model_id, "
        "shown = excluded.shown, explanation = excluded.explanation, "
        "updated_at = excluded.updated_at",
        [(r["proposal_id"], reviewer, r["score"], model_id, int(r["shown"]),
          json.dumps(r["explanation"], ensure_ascii=False), now) for r in rows])


def insert_learned(store: Store, reviewer: str, model_id: int, rows: list[dict]) -> int:
    """Add learned role proposals for the reviewer (one per sentence and role); returns how
    many were new. Call inside a transaction."""
    before = store.conn.total_changes
    now = utcnow()
    store.conn.executemany(
        "INSERT OR IGNORE INTO proposals (sentence_id, role, score, method, matched, flags, "
        "created_at, reviewer, model_id) VALUES (?, ?, ?, 'learned', ?, '[]', ?, ?, ?)",
        [(r["sentence_id"], r["role"], r["score"], json.dumps(r["explanation"],
                                                                ensure_ascii=False),
          now, reviewer, model_id) for r in rows])
    return store.conn.total_changes - before
