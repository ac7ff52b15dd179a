"""Reads of the review state: current codings, proposal statuses, the decision log, the queue.

Part of :mod:`realistcoder.store.review` (which re-exports everything here). Blinding: a
``viewer`` sees only their own rows; ``unblinded=True`` shows everyone's.
"""

from __future__ import annotations

from collections.abc import Iterable

from realistcoder.errors import InputError
from realistcoder.store.db import Store
from realistcoder.store.review_lookup import check_reviewer, fragment_text

STATUSES = ("pending", "accepted", "rejected", "recoded")
# a newer codebook version's run hides the older version's undecided proposals
NOT_SUPERSEDED = ("NOT EXISTS (SELECT 1 FROM proposal_supersessions z "
                  "WHERE z.proposal_id = p.id)")


class BlindedError(InputError):
    """Reading other reviewers' work while the review is still blinded."""


def _blind_filter(store: Store, reviewers, viewer, unblinded, table: str) -> tuple[str, list]:
    """SQL condition and params selecting the reviewers a viewer may see."""
    if unblinded:
        if reviewers:
            names = list(reviewers)
            return f"{table}.reviewer IN ({','.join('?' * len(names))})", names
        return "1", []
    if viewer is not None:
        viewer = check_reviewer(viewer)
        others = [r for r in (reviewers or []) if r != viewer]
        if others:
            raise BlindedError(
                f"the review is blinded: {viewer} cannot see {', '.join(others)}'s codings",
                subject="blinding", fix="pass --unblind once every reviewer has finished")
        return f"{table}.reviewer = ?", [viewer]
    names = list(reviewers or [])
    if len(names) == 1:
        return f"{table}.reviewer = ?", names
    present = [r["reviewer"] for r in store.query(
        f"SELECT DISTINCT reviewer FROM {table} ORDER BY reviewer")]
    if names:
        present = [r for r in present if r in names]
    if len(present) > 1:
        raise BlindedError(
            f"the review is blinded and {len(present)} reviewers have coded "
            f"({', '.join(present)})", subject="blinding",
            fix="pass --reviewer NAME for your own codings, or --unblind for everyone's")
    return "1", []


def current_codings(
    store: Store,
    reviewers: Iterable[str] | None = None,
    viewer: str | None = None,
    unblinded: bool = False,
    *,
    document_id: int | None = None,
    code: str | None = None,
    theory: str | None = None,
    role: str | None = None,
    include_removed: bool = False,
    with_marks: bool = False,
) -> list[dict]:
    """Current (active) codings with their text, page, code version, role and provenance.

    A role-only coding has ``code`` None and its ``role``. No-role marks (role ``none``) are
    left out unless ``with_marks``.
    Blinding: ``unblinded`` shows everyone's (or ``reviewers``'); a ``viewer`` sees only their
    own; with neither, the result may hold one reviewer's codings only, else BlindedError.
    ``status`` is ``consensus`` for resolved codings, else ``reviewer``."""
    reviewers = list(reviewers) if reviewers else None
    cond, params = _blind_filter(store, reviewers, viewer, unblinded, "codings")
    where = [cond] if include_removed else [cond, "codings.active = 1"]
    if not with_marks and role != "none":
        where.append("codings.role != 'none'")
    for column, value in (("codings.document_id", document_id), ("codings.code", code),
                          ("k.theory", theory), ("codings.role", role)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    rows = store.query(
        "SELECT codings.id AS coding_id, codings.uuid, codings.decision_id, "
        "codings.sentence_id, codings.end_sentence_id, codings.document_id, "
        "d.file_name AS document, d.title AS document_title, s1.page_no AS page, "
        "s2.page_no AS end_page, s1.paragraph, s1.seq, s2.seq AS end_seq, "
        "CASE WHEN codings.sentence_id = codings.end_sentence_id THEN s1.text END AS text, "
        "codings.code, codings.code_id, codings.codebook_id, b.name AS codebook, "
        "b.version AS codebook_version, k.label, codings.role, k.theory, k.mechanism_type, "
        "codings.reviewer, codings.proposal_id, codings.source, "
        "CASE codings.source WHEN 'consensus' THEN 'consensus' ELSE 'reviewer' END AS status, "
        "codings.note, codings.resolved_by, codings.created_at, codings.active, "
        "codings.ended_by "
        "FROM codings JOIN sentences s1 ON s1.id = codings.sentence_id "
        "JOIN sentences s2 ON s2.id = codings.end_sentence_id "
        "JOIN documents d ON d.id = codings.document_id "
        "LEFT JOIN codes k ON k.id = codings.code_id "
        "LEFT JOIN codebooks b ON b.id = codings.codebook_id "
        f"WHERE {' AND '.join(where)} ORDER BY codings.document_id, s1.seq, codings.reviewer, "
        "codings.code, codings.id", tuple(params))
    for r in rows:
        if r["text"] is None:
            r["text"] = fragment_text(store, r["sentence_id"], r["end_sentence_id"])
    return rows


def proposal_status(store: Store, reviewer: str,
                    proposal_ids: Iterable[int] | None = None) -> dict[int, str]:
    """``{proposal_id: pending|accepted|rejected|recoded}`` for one reviewer (all proposals,
    or those given)."""
    rows = store.query(
        "SELECT p.id, coalesce(r.status, 'pending') AS status FROM proposals p "
        "LEFT JOIN proposal_reviews r ON r.proposal_id = p.id AND r.reviewer = ?", (reviewer,))
    status = {r["id"]: r["status"] for r in rows}
    if proposal_ids is not None:
        return {int(p): status.get(int(p), "pending") for p in proposal_ids}
    return status


def proposal_statuses(store: Store, viewer: str | None = None,
                      unblinded: bool = False) -> dict[int, dict[str, str]]:
    """``{proposal_id: {reviewer: status}}`` for decided proposals that the viewer may see."""
    if unblinded:
        rows = store.query("SELECT * FROM proposal_reviews WHERE status != 'pending'")
    elif viewer is not None:
        rows = store.query("SELECT * FROM proposal_reviews WHERE status != 'pending' AND "
                           "reviewer = ?", (check_reviewer(viewer),))
    else:
        raise BlindedError("the review is blinded", subject="blinding",
                           fix="pass --reviewer NAME for your own decisions, or --unblind")
    out: dict[int, dict[str, str]] = {}
    for r in rows:
        out.setdefault(r["proposal_id"], {})[r["reviewer"]] = r["status"]
    return out


def decision_log(store: Store, reviewers: Iterable[str] | None = None,
                 viewer: str | None = None, unblinded: bool = False) -> list[dict]:
    """The audit trail: every decision in order, with ``undone_by`` (the undo's id or None)
    and ``batch_id`` (the import batch it belongs to, or None)."""
    reviewers = list(reviewers) if reviewers else None
    cond, params = _blind_filter(store, reviewers, viewer, unblinded, "decisions")
    return store.query(
        "SELECT decisions.*, (SELECT u.id FROM decisions u WHERE u.action = 'undo' AND "
        "u.target_uuid = decisions.uuid) AS undone_by, "
        "(SELECT b.id FROM batches b WHERE b.uuid = decisions.batch) AS batch_id FROM decisions "
        f"WHERE {cond} ORDER BY decisions.id", tuple(params))


def codings_count(store: Store, reviewer: str) -> int:
    """The reviewer's active codings (no-role marks not counted)."""
    return store.query("SELECT count(*) AS n FROM codings WHERE reviewer = ? AND active = 1 "
                       "AND role != 'none'", (reviewer,))[0]["n"]


def review_queue(store: Store, reviewer: str, *, code: str | None = None,
                 role: str | None = None, theory: str | None = None,
                 document_id: int | None = None, min_score: float | None = None,
                 statuses: Iterable[str] = ("pending",)) -> list[dict]:
    """Proposals for a reviewer in reading order (document, sentence, highest score first),
    with the reviewer's ``status`` and current ``score`` (their learned score where a model
    re-scored it); only the reviewer's own decisions and learned proposals are consulted."""
    statuses = list(statuses)
    where, params = [f"coalesce(r.status, 'pending') IN ({','.join('?' * len(statuses))})",
                     "(p.reviewer IS NULL OR p.reviewer = ?)"], [
        reviewer, reviewer, *statuses, reviewer]
    for column, value in (("p.code", code), ("p.role", role), ("p.theory", theory),
                          ("s.document_id", document_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if min_score is not None:
        where.append("coalesce(ps.score, p.score) >= ?")
        params.append(float(min_score))
    return store.query(
        "SELECT p.id, p.sentence_id, p.code, p.role, coalesce(ps.score, p.score) AS score, "
        "coalesce(r.status, 'pending') AS status "
        "FROM proposals p JOIN sentences s ON s.id = p.sentence_id "
        "JOIN documents d ON d.id = s.document_id "
        "LEFT JOIN proposal_reviews r ON r.proposal_id = p.id AND r.reviewer = ? "
        "LEFT JOIN proposal_scores ps ON ps.proposal_id = p.id AND ps.reviewer = ? "
        f"WHERE d.status = 'ok' AND {' AND '.join(where)} AND (({NOT_SUPERSEDED} "
        "AND coalesce(ps.shown, 1) = 1) OR coalesce(r.status, 'pending') != 'pending') "
        "ORDER BY s.document_id, s.seq, coalesce(ps.score, p.score) DESC, p.id",
        tuple(params))


def latest_decision(store: Store, reviewer: str, proposal_id: int) -> dict | None:
    """The reviewer's effective decision on a proposal (None when pending)."""
    rows = store.query(
        "SELECT d.* FROM proposal_reviews r JOIN decisions d ON d.id = r.decision_id "
        "WHERE r.proposal_id = ? AND r.reviewer = ?", (int(proposal_id), reviewer))
    return rows[0] if rows else None


def status_counts(store: Store) -> dict:
    """Raw figures for ``realistcoder status`` (the caller applies blinding)."""
    q = store.query
    return {
        "documents": q("SELECT status, count(*) AS n FROM documents GROUP BY status"),
        "proposals": q("SELECT count(*) AS n FROM proposals p JOIN sentences s ON "
                       "s.id = p.sentence_id JOIN documents d ON d.id = s.document_id "
                       f"WHERE d.status = 'ok' AND {NOT_SUPERSEDED}")[0]["n"],
        "reviews": q("SELECT r.reviewer, r.status, count(*) AS n FROM proposal_reviews r "
                     "JOIN proposals p ON p.id = r.proposal_id JOIN sentences s ON "
                     "s.id = p.sentence_id JOIN documents d ON d.id = s.document_id "
                     "WHERE d.status = 'ok' GROUP BY r.reviewer, r.status"),
        "codings": q("SELECT c.reviewer, coalesce(k.theory, '-') AS theory, c.role, "
                     "count(*) AS n FROM codings c LEFT JOIN codes k ON k.id = c.code_id "
                     "WHERE c.active = 1 AND c.role != 'none' "
                     "GROUP BY c.reviewer, k.theory, c.role"),
        "appraised": q("SELECT reviewer, count(DISTINCT document_id) AS n FROM appraisals a "
                       "JOIN documents d ON d.id = a.document_id WHERE d.status = 'ok' "
                       "GROUP BY reviewer"),
    }


def active_coding(store: Store, reviewer: str, sentence_id: int, end_sentence_id: int,
                  code: str | None, *, role: str | None = None) -> int | None:
    """Id of the reviewer's current coding of exactly this fragment with this code (or, with
    ``code`` None, role-only with ``role``), if any."""
    match, value = ("code = ?", code) if code is not None else ("code IS NULL AND role = ?",
                                                                   role)
    rows = store.query(
        "SELECT id FROM codings WHERE reviewer = ? AND active = 1 AND sentence_id = ? "
        f"AND end_sentence_id = ? AND {match}", (reviewer, sentence_id, end_sentence_id, value))
    return rows[0]["id"] if rows else None


def decision_exists(store: Store, uuid: str) -> bool:
    return bool(store.query("SELECT 1 FROM decisions WHERE uuid = ?", (uuid,)))


def overall_progress(store: Store, reviewer: str) -> tuple[int, int]:
    """(decided by ``reviewer``, total) over the current proposals of current documents."""
    row = store.query(
        "SELECT count(*) AS total, count(r.proposal_id) AS decided FROM proposals p "
        "JOIN sentences s ON s.id = p.sentence_id JOIN documents d ON d.id = s.document_id "
        "LEFT JOIN proposal_reviews r ON r.proposal_id = p.id AND r.reviewer = ? "
        "AND r.status != 'pending' "
        f"WHERE d.status = 'ok' AND ({NOT_SUPERSEDED} OR r.proposal_id IS NOT NULL)",
        (reviewer,))[0]
    return row["decided"], row["total"]


def decided_statuses(store: Store, reviewer: str) -> dict[int, str]:
    """``{proposal_id: status}`` of the proposals the reviewer has decided (not pending)."""
    return {r["proposal_id"]: r["status"] for r in store.query(
        "SELECT proposal_id, status FROM proposal_reviews WHERE reviewer = ? AND "
        "status != 'pending'", (reviewer,))}
