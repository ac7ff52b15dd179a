"""What ``merge`` checks in another store before it brings anything in.

The other store is someone else's file: it may be damaged (a bad disk page) or edited by hand
or by another program. :func:`check_integrity` runs SQLite's ``quick_check``;
:func:`inconsistencies` reads every row merge would copy and lists those that disagree with
each other or break the rules the CLI enforces: a decision, coding or proposal whose ``code``
is not the code its ``code_id`` names, a reviewer name the CLI would refuse, a fragment whose
sentences are missing, in two documents or backwards, a sentence that is not its document's
text at its offsets, values outside their lists. One such row refuses the whole merge.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from realistcoder.errors import InputError, StoreError
from realistcoder.safe_text import printable
from realistcoder.store.db import Store
from realistcoder.store.review_lookup import CONSENSUS, check_reviewer

ACTIONS = ("accept", "reject", "recode", "code", "uncode", "resolve", "undo")
CONSENSUS_ACTIONS = ("resolve", "uncode", "undo")
LEVELS = ("high", "moderate", "low")
SOURCES = ("accepted", "recoded", "hand", "consensus")
MAX_LISTED = 200


class MergeRefused(StoreError):
    """The other store is refused as a whole; ``problems`` lists the rows at fault."""


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a damaged database file in one line (SQLite's quick_check)."""
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
    except sqlite3.DatabaseError as err:
        rows = [str(err)]
    if rows != ["ok"]:
        raise damaged(path, rows[0] if rows else "no answer")


def damaged(path: Path, detail: str) -> StoreError:
    return StoreError(
        f"the store is damaged ({printable(' '.join(str(detail).split()))[:160]}); nothing "
        "merged", subject=path,
        fix="ask its owner for an undamaged copy or a backup (`sqlite3 FILE '.recover'` may "
        "save its rows)")


def inconsistencies(other: Store) -> list[str]:
    """Every row of ``other`` that merge would copy and that cannot be right."""
    q = other.query
    problems: list[str] = []
    codes = {r["id"]: r["code"] for r in q("SELECT id, code FROM codes")}
    sentences = {r["id"]: r for r in q("SELECT id, document_id, seq FROM sentences")}
    for d in q("SELECT * FROM decisions ORDER BY id"):
        where = f"decision {d['id']}"
        if d["action"] not in ACTIONS:
            problems.append(f"{where}: unknown action {printable(str(d['action']))!r}")
        problems += _reviewer(where, d["reviewer"], d["action"])
        problems += _code(where, d, codes)
        problems += _fragment(where, d["sentence_id"], d["end_sentence_id"], sentences)
    for c in q("SELECT * FROM codings ORDER BY id"):
        where = f"coding {c['id']}"
        problems += _reviewer(where, c["reviewer"], "resolve" if c["source"] == "consensus"
                              else "code")
        problems += _code(where, c, codes)
        problems += _fragment(where, c["sentence_id"], c["end_sentence_id"], sentences)
        first = sentences.get(c["sentence_id"])
        if first is not None and first["document_id"] != c["document_id"]:
            problems.append(f"{where}: its sentences are not in its document {c['document_id']}")
        if c["source"] not in SOURCES:
            problems.append(f"{where}: unknown source {printable(str(c['source']))!r}")
    for p in q("SELECT * FROM proposals ORDER BY id"):
        problems += _code(f"proposal {p['id']}", p, codes)
        if p["sentence_id"] not in sentences:
            problems.append(f"proposal {p['id']}: sentence {p['sentence_id']} does not exist")
    for a in q("SELECT * FROM appraisals ORDER BY id"):
        where = f"appraisal {a['id']}"
        problems += _reviewer(where, a["reviewer"], "code")
        if a["relevance"] not in LEVELS or a["rigour"] not in LEVELS:
            problems.append(f"{where}: relevance and rigour must be one of {', '.join(LEVELS)}")
    for m in q("SELECT id, reviewer FROM cmocs ORDER BY id"):
        problems += _reviewer(f"CMOC {m['id']}", m["reviewer"], "code")
    problems += _sentence_texts(other)
    return problems


def _reviewer(where: str, name, action) -> list[str]:
    if name == CONSENSUS:
        if action in CONSENSUS_ACTIONS:
            return []
        return [f"{where}: '{CONSENSUS}' is reserved for agreed codings (action {action})"]
    try:
        check_reviewer(name if isinstance(name, str) else None)
    except InputError as err:
        return [f"{where}: reviewer {printable(str(name))!r}: {err.message}"]
    return []


def _code(where: str, row: dict, codes: dict[int, str]) -> list[str]:
    code_id, code = row.get("code_id"), row.get("code")
    if code_id is None:
        return [] if code is None else [f"{where}: code {code!r} without a code_id"]
    if code_id not in codes:
        return [f"{where}: code_id {code_id} does not exist"]
    if code != codes[code_id]:
        return [f"{where}: code {printable(str(code))!r} is not the code its code_id {code_id} "
                f"names ({codes[code_id]!r})"]
    return []


def _fragment(where: str, first_id, last_id, sentences: dict[int, dict]) -> list[str]:
    if first_id is None and last_id is None:
        return []
    first, last = sentences.get(first_id), sentences.get(last_id)
    if first is None or last is None:
        return [f"{where}: sentence {first_id if first is None else last_id} does not exist"]
    if first["document_id"] != last["document_id"]:
        return [f"{where}: sentences {first_id}-{last_id} span two documents"]
    if last["seq"] < first["seq"]:
        return [f"{where}: sentences {first_id}-{last_id} end before they start"]
    return []


def _sentence_texts(other: Store) -> list[str]:
    """Each sentence must be its document's text at its offsets (checked in SQL)."""
    rows = other.query(
        "SELECT s.id, s.document_id FROM sentences s JOIN documents d ON d.id = s.document_id "
        'WHERE s.start < 0 OR s."end" < s.start OR s."end" > length(d.text) '
        'OR substr(d.text, s.start + 1, s."end" - s.start) != s.text LIMIT 20')
    return [f"sentence {r['id']}: not the text of document {r['document_id']} at its offsets"
            for r in rows]
