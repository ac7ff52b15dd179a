"""Read queries for the audit: who reviewed which document, the sentence units, proposals with
every reviewer's status, and the decision timeline. Codings come from :mod:`store.review`.

The audit compares reviewers, so it reads every reviewer's work (it is the team's unblinding
step); nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable

from realistcoder.store.db import Store
from realistcoder.store.documents import OLDER_CODED
from realistcoder.store.review import CONSENSUS

# proposals that still count: not superseded by a newer codebook version, or decided by someone
LIVE = ("(NOT EXISTS (SELECT 1 FROM proposal_supersessions z WHERE z.proposal_id = p.id) "
        "OR EXISTS (SELECT 1 FROM proposal_reviews r WHERE r.proposal_id = p.id "
        "AND r.status != 'pending'))")


def _in(values: Iterable) -> tuple[str, list]:
    values = list(values)
    return ",".join("?" * len(values)), values


def documents(store: Store) -> list[dict]:
    """Every current document (id, file name, title), and every older version of a changed
    file that still holds codings not carried to the new version, named "FILE (older version
    N)" and flagged ``older``: the audit compares them as documents of their own."""
    return store.query(
        "SELECT id, CASE WHEN status = 'ok' THEN file_name ELSE file_name || ' (older version ' "
        "|| version || ')' END AS document, title, status != 'ok' AS older FROM documents d "
        f"WHERE status = 'ok' OR ({OLDER_CODED}) ORDER BY id")


def activity(store: Store) -> list[dict]:
    """Per document and reviewer: proposals decided, active codings (any source).

    A reviewer *reviewed* a document when they decided at least one proposal in it or have at
    least one coding in it (the audit's definition; undone decisions do not count)."""
    return store.query(
        """
        WITH decided AS (
            SELECT s.document_id, r.reviewer, count(*) AS n_decided,
                   sum(r.status = 'accepted') AS n_accepted,
                   sum(r.status = 'rejected') AS n_rejected,
                   sum(r.status = 'recoded') AS n_recoded
            FROM proposal_reviews r JOIN proposals p ON p.id = r.proposal_id
            JOIN sentences s ON s.id = p.sentence_id
            WHERE r.status != 'pending' GROUP BY s.document_id, r.reviewer),
        coded AS (
            SELECT document_id, reviewer, count(*) AS n_codings,
                   sum(source = 'hand') AS n_hand
            FROM codings WHERE active = 1 GROUP BY document_id, reviewer),
        keys AS (SELECT document_id, reviewer FROM decided
                 UNION SELECT document_id, reviewer FROM coded)
        SELECT k.document_id, k.reviewer,
               coalesce(d.n_decided, 0) AS n_decided, coalesce(d.n_accepted, 0) AS n_accepted,
               coalesce(d.n_rejected, 0) AS n_rejected, coalesce(d.n_recoded, 0) AS n_recoded,
               coalesce(c.n_codings, 0) AS n_codings, coalesce(c.n_hand, 0) AS n_hand
        FROM keys k LEFT JOIN decided d USING (document_id, reviewer)
        LEFT JOIN coded c USING (document_id, reviewer)
        ORDER BY k.document_id, k.reviewer
        """)


def consensus_resolutions(store: Store) -> list[dict]:
    """Effective consensus decisions that record "no code" for a fragment."""
    return store.query(
        "SELECT d.sentence_id, d.end_sentence_id, d.resolved_by, d.created_at FROM decisions d "
        "WHERE d.reviewer = ? AND d.action = 'resolve' AND d.code IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM decisions u WHERE u.action = 'undo' AND u.target_uuid = d.uuid)",
        (CONSENSUS,))


def proposal_counts(store: Store) -> dict[int, int]:
    """Proposals per document (superseded undecided ones left out)."""
    rows = store.query(
        "SELECT s.document_id, count(*) AS n FROM proposals p "
        f"JOIN sentences s ON s.id = p.sentence_id WHERE {LIVE} GROUP BY s.document_id")
    return {r["document_id"]: r["n"] for r in rows}


def sentences(store: Store, document_ids: Iterable[int]) -> list[dict]:
    """The sentences of these documents, in reading order."""
    marks, ids = _in(document_ids)
    if not ids:
        return []
    return store.query(
        "SELECT s.id, s.document_id, d.file_name AS document, s.page_no AS page, s.seq, "
        f"s.section, s.text FROM sentences s JOIN documents d ON d.id = s.document_id "
        f"WHERE s.document_id IN ({marks}) ORDER BY s.document_id, s.seq", tuple(ids))


def codes(store: Store) -> dict[str, dict]:
    """Code id -> label, role, theory (from the latest codebook version holding it)."""
    rows = store.query(
        "SELECT c.code, c.label, c.role, c.theory FROM codes c WHERE c.codebook_id = "
        "(SELECT max(c2.codebook_id) FROM codes c2 WHERE c2.code = c.code)")
    return {r["code"]: r for r in rows}


def proposals(store: Store, document_ids: Iterable[int]) -> list[dict]:
    """Proposals in these documents with score, code, role and theory (superseded undecided
    ones left out, and learned ones: each is one reviewer's, not the proposer's)."""
    marks, ids = _in(document_ids)
    if not ids:
        return []
    return store.query(
        "SELECT p.id, p.sentence_id, s.document_id, p.code, p.role, p.theory, p.score "
        f"FROM proposals p JOIN sentences s ON s.id = p.sentence_id "
        f"WHERE s.document_id IN ({marks}) AND {LIVE} AND p.reviewer IS NULL ORDER BY p.id",
        tuple(ids))


def proposal_reviews(store: Store, reviewers: Iterable[str]) -> list[dict]:
    """Every decided proposal status of these reviewers, with the recoded code if any."""
    marks, names = _in(reviewers)
    if not names:
        return []
    return store.query(
        "SELECT r.proposal_id, r.reviewer, r.status, r.updated_at, c.code AS coded_as "
        "FROM proposal_reviews r LEFT JOIN codings c ON c.id = r.coding_id "
        f"WHERE r.status != 'pending' AND r.reviewer IN ({marks})", tuple(names))


def proposal_decisions(store: Store, reviewers: Iterable[str]) -> list[dict]:
    """Effective (not undone) accept / reject / recode decisions, oldest first."""
    marks, names = _in(reviewers)
    if not names:
        return []
    return store.query(
        "SELECT d.reviewer, d.action, d.proposal_id, s.document_id, d.created_at "
        "FROM decisions d JOIN proposals p ON p.id = d.proposal_id "
        "JOIN sentences s ON s.id = p.sentence_id "
        f"WHERE d.reviewer IN ({marks}) AND d.action IN ('accept', 'reject', 'recode') "
        "AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.action = 'undo' "
        "AND u.target_uuid = d.uuid) ORDER BY d.created_at, d.id", tuple(names))
