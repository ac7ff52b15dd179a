"""Lookups the review needs: sentences and fragments, proposals, codes, reviewer names.

Part of the review store (see :mod:`realistcoder.store.review`); read-only.
"""

from __future__ import annotations

import re

from realistcoder.errors import InputError, NotFoundError
from realistcoder.store.codebooks import find_code  # noqa: F401  (re-exported for the review)
from realistcoder.store.db import Store
from realistcoder.store.documents import get_sentence

CONSENSUS = "consensus"


def check_reviewer(reviewer: str | None) -> str:
    """A reviewer name: non-empty, no surrounding blanks, not the reserved ``consensus``."""
    name = (reviewer or "").strip()
    if not name:
        raise InputError(
            "no reviewer given", subject="--reviewer",
            fix="pass --reviewer NAME (your initials or name, the same in every session)",
        )
    if name.lower() == CONSENSUS:
        raise InputError(
            f"'{CONSENSUS}' is reserved for agreed codings", subject="--reviewer",
            fix="use your own name; consensus codings are recorded by `realistcoder resolve`",
        )
    if any(c in name for c in ",\n\t"):
        raise InputError("a reviewer name cannot contain commas, tabs or newlines",
                         subject=name, fix="pick a simple name such as 'alice' or 'AB'")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        raise InputError("a reviewer name cannot contain control characters",
                         subject=name.encode("unicode_escape").decode(),
                         fix="pick a simple name such as 'alice' or 'AB'")
    return name


def sentence_range(store: Store, start_id: int, end_id: int | None = None) -> list[dict]:
    """The sentences from ``start_id`` to ``end_id`` (inclusive) of one document, in order."""
    if end_id is not None and int(end_id) < int(start_id):
        raise InputError("the fragment ends before it starts", subject=f"{start_id}-{end_id}",
                         fix="give the first sentence id, then the last")
    first = get_sentence(store, start_id)
    last = first if end_id is None or int(end_id) == int(start_id) else get_sentence(store, end_id)
    if last["document_id"] != first["document_id"]:
        raise InputError(
            "a fragment cannot span two documents", subject=f"sentences {start_id}-{end_id}",
            fix="code each document's sentences separately")
    if last["seq"] < first["seq"]:
        raise InputError("the fragment ends before it starts", subject=f"{start_id}-{end_id}",
                         fix="give the first sentence id, then the last")
    return store.query(
        "SELECT * FROM sentences WHERE document_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
        (first["document_id"], first["seq"], last["seq"]))


def neighbour_sentence(store: Store, sentence_id: int, step: int) -> dict | None:
    """The sentence ``step`` (+1 / -1) places away in the same document, or None."""
    s = get_sentence(store, sentence_id)
    rows = store.query("SELECT * FROM sentences WHERE document_id = ? AND seq = ?",
                       (s["document_id"], s["seq"] + step))
    return rows[0] if rows else None


def fragment_text(store: Store, start_id: int, end_id: int | None = None) -> str:
    """The exact text of a fragment: the document's characters from its first to last sentence."""
    sents = sentence_range(store, start_id, end_id)
    if len(sents) == 1:
        return sents[0]["text"]
    first, last = sents[0], sents[-1]
    row = store.query(
        'SELECT substr(text, ? + 1, ? - ?) AS t FROM documents WHERE id = ?',
        (first["start"], last["end"], first["start"], first["document_id"]))
    text = row[0]["t"] if row else None
    if text and text.startswith(first["text"]) and text.endswith(last["text"]):
        return text
    return " ".join(s["text"] for s in sents)


def get_proposal(store: Store, proposal_id: int) -> dict:
    rows = store.query(
        "SELECT p.*, s.document_id, s.page_no AS page, s.text, s.seq, d.file_name AS document, "
        "c.label, c.description, c.mechanism_type FROM proposals p "
        "JOIN sentences s ON s.id = p.sentence_id JOIN documents d ON d.id = s.document_id "
        "LEFT JOIN codes c ON c.id = p.code_id WHERE p.id = ?", (int(proposal_id),))
    if not rows:
        raise NotFoundError(f"no proposal with id {proposal_id}", subject=f"proposal {proposal_id}",
                            fix="list proposal ids with `realistcoder proposals`")
    return rows[0]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def code_match_score(query: str, row: dict) -> float:
    """How well ``query`` (part of an id, label or description; any case) names a code, 0-100.

    Exact id 100; id prefix 95; every query word at the start of a word of the id or label
    about 88 (more when in order, or in the id); every word a substring of id or label 80; of
    the description 65; else a fuzzy score (typos) scaled into 0-60."""
    q = query.strip().lower()
    code, label = row["code"].lower(), (row["label"] or "").lower()
    description = (row.get("description") or "").lower()
    if not q:
        return 0.0
    if q == code:
        return 100.0
    if code.startswith(q):
        return 95.0 - min(len(code) - len(q), 40) / 10
    words, query_words = _words(f"{code} {label}"), _words(q)
    if query_words and all(any(w.startswith(qw) for w in words) for qw in query_words):
        ordered = " ".join(query_words) in " ".join(words)
        in_id = all(any(w.startswith(qw) for w in _words(code)) for qw in query_words)
        return 87.0 + (2.0 if ordered else 0.0) + (1.0 if in_id else 0.0) - min(len(words), 20) / 20
    hay = f"{code} {label}"
    if query_words and all(qw in hay for qw in query_words):
        return 80.0
    if query_words and all(qw in description for qw in query_words):
        return 65.0
    from rapidfuzz import fuzz  # only when the exact and prefix rules found nothing

    return 0.6 * max(fuzz.WRatio(q, hay), fuzz.partial_ratio(q, label))


def search_codes(store: Store, query: str, limit: int = 8) -> list[dict]:
    """Codes (latest version of each) best first for ``query``: see :func:`code_match_score`.
    Each row gets ``match`` (its score); weak fuzzy matches are left out."""
    rows = latest_codes(store)
    if not query.strip():
        return rows[:limit]
    scored = [(code_match_score(query, r), r) for r in rows]
    best = max((score for score, _ in scored), default=0.0)
    floor = 50.0 if best >= 80 else 33.0  # when some codes really match, drop the near misses
    scored = [(score, r) for score, r in scored if score >= floor]
    scored.sort(key=lambda item: (-item[0], item[1]["code"]))
    return [{**r, "match": round(score, 1)} for score, r in scored[:limit]]


def latest_codes(store: Store) -> list[dict]:
    """One row per code id: the one from the most recently loaded codebook version."""
    return store.query(
        "SELECT c.* FROM codes c WHERE c.codebook_id = (SELECT max(c2.codebook_id) FROM codes c2 "
        "WHERE c2.code = c.code) ORDER BY c.theory, c.role, c.code")
