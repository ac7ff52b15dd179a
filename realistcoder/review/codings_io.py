"""Codings in and out of files: ``export codings`` (the records) and ``import codings``
(a CSV of hand codings, ``sentence_id`` with ``code`` and/or ``role`` and an optional ``note``;
all rows or none)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from realistcoder.errors import InputError, NotFoundError
from realistcoder.review.worksheet import ImportReport, RowsError, read_rows
from realistcoder.store import review as rv
from realistcoder.store.db import Store

FIELDS = ["coding_id", "sentence_id", "end_sentence_id", "document", "document_id", "page",
          "text", "code", "label", "role", "mechanism_type", "theory", "reviewer",
          "proposal_id", "source", "status", "codebook", "codebook_version", "codebook_id",
          "code_id", "note", "resolved_by", "created_at", "uuid"]
RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


def coding_records(store: Store, *, viewer: str | None = None, unblinded: bool = False,
                   reviewers: Iterable[str] | None = None, **filters) -> list[dict]:
    """Current codings as export records (the contract fields first)."""
    rows = rv.current_codings(store, reviewers=reviewers, viewer=viewer, unblinded=unblinded,
                              **filters)
    return [{f: r.get(f) for f in FIELDS} for r in rows]


def import_codings(store: Store, path: Path, reviewer: str) -> ImportReport:
    """Add hand codings from a CSV (``sentence_id`` may be a range ``12-14``); validate every
    row, then add all in one transaction. Rows already coded by the reviewer are skipped, so
    importing the same file twice adds nothing.

    A row names a ``code``, or a ``role`` (``context``, ``mechanism``, ``outcome``: a role-only
    coding; ``none``: read, carries no role), or both (the role must then be the code's)."""
    reviewer = rv.check_reviewer(reviewer)
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError("hand codings come as a CSV file", subject=path,
                         fix="save the sheet as .csv with columns sentence_id,code[,note]")
    rows, owner = read_rows(path)
    if owner and owner != reviewer:  # e.g. another reviewer's `export codings` file
        raise InputError(f"these codings are {owner}'s, not {reviewer}'s", subject=path,
                         fix=f"import it with --reviewer {owner}")
    header = set(rows[0][1]) if rows else set()
    if rows and not ("sentence_id" in header and header & {"code", "role"}):
        raise InputError("the header must name sentence_id, and code or role", subject=path,
                         fix="first line: sentence_id,code,note (or sentence_id,role)")
    problems, planned, seen = [], [], set()
    for number, row in rows:
        where = f"row {number}"
        m = RANGE.match(row.get("sentence_id", ""))
        if not m:
            problems.append(f"{where}: sentence_id '{row.get('sentence_id', '')}' is not an id "
                            "or a range like 12-14")
            continue
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        try:
            sents = rv.sentence_range(store, first, last)
            code, role = _code_and_role(store, row)
        except (NotFoundError, InputError) as err:
            problems.append(f"{where}: {err.message}" + (f" ({err.fix})" if err.fix else ""))
            continue
        key = (sents[0]["id"], sents[-1]["id"], code, role)
        if key in seen:
            continue
        seen.add(key)
        planned.append((*key, row.get("note") or None, where, sents))
    problems += _contradictions(store, reviewer, planned)
    if problems:
        raise RowsError(f"{len(problems)} bad row(s); nothing was imported", subject=path,
                        fix="correct the rows listed and import the file again",
                        problems=problems)
    report = ImportReport()
    with store.transaction():
        for first, last, code, role, note, _where, _sents in planned:
            if rv.active_coding(store, reviewer, first, last, code, role=role):
                report.unchanged += 1
                continue
            report.decisions.append(rv.code_by_hand(store, first, code, reviewer, role=role,
                                                    end_sentence_id=last, note=note,
                                                    origin="import"))
            report.imported += 1
    return report


def _code_and_role(store: Store, row: dict) -> tuple[str | None, str | None]:
    """(code, None) or (None, role) for one import row."""
    code_text, role_text = (row.get("code") or "").strip(), (row.get("role") or "").strip()
    role = role_text.lower() or None
    if role is not None and role not in (*rv.EVIDENCE_ROLES, rv.NO_ROLE):
        raise InputError(f"role '{role_text}' is not context, mechanism, outcome or none",
                         subject="role", fix="use one of context, mechanism, outcome, none")
    if not code_text:
        if role is None:
            raise InputError("the row has neither a code nor a role", subject="row",
                             fix="fill the code or the role column")
        return None, role
    code = rv.find_code(store, code_text)
    if role is not None and rv.code_role(code) != role:
        raise InputError(f"code {code['code']} is {code['role']}, not {role}", subject="role",
                         fix="leave the role empty, or correct it")
    return code["code"], None


def _contradictions(store: Store, reviewer: str, planned: list[tuple]) -> list[str]:
    """A ``none`` row for a fragment that this file or the reviewer's codings code."""
    coded: dict[int, str] = {}
    for _first, _last, _code, role, _note, where, sents in planned:
        if role != rv.NO_ROLE:
            for s in sents:
                coded.setdefault(s["id"], where)
    out = []
    for first, _last, _code, role, _note, where, sents in planned:
        if role != rv.NO_ROLE:
            continue
        clash = next((coded[s["id"]] for s in sents if s["id"] in coded), None)
        if clash is not None:
            out.append(f"{where}: marks sentence {first} as carrying no role, but {clash} "
                       "codes it")
        elif rv.overlapping_codings(store, reviewer, sents, marks=False):
            out.append(f"{where}: marks sentence {first} as carrying no role, but you have "
                       "coded it (uncode it first)")
    return out
