"""Codings in and out of files: ``export codings`` (the records) and ``import codings``
(a CSV of hand codings, ``sentence_id,code[,note]``, all rows or none)."""

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
    importing the same file twice adds nothing."""
    reviewer = rv.check_reviewer(reviewer)
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError("hand codings come as a CSV file", subject=path,
                         fix="save the sheet as .csv with columns sentence_id,code[,note]")
    rows, owner = read_rows(path)
    if owner and owner != reviewer:  # e.g. another reviewer's `export codings` file
        raise InputError(f"these codings are {owner}'s, not {reviewer}'s", subject=path,
                         fix=f"import it with --reviewer {owner}")
    if rows and not {"sentence_id", "code"} <= set(rows[0][1]):
        raise InputError("the header must name sentence_id and code", subject=path,
                         fix="first line: sentence_id,code,note")
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
            code = rv.find_code(store, row.get("code", ""))["code"]
        except (NotFoundError, InputError) as err:
            problems.append(f"{where}: {err.message}" + (f" ({err.fix})" if err.fix else ""))
            continue
        key = (sents[0]["id"], sents[-1]["id"], code)
        if key in seen:
            continue
        seen.add(key)
        planned.append((*key, row.get("note") or None))
    if problems:
        raise RowsError(f"{len(problems)} bad row(s); nothing was imported", subject=path,
                        fix="correct the rows listed and import the file again",
                        problems=problems)
    report = ImportReport()
    with store.transaction():
        for first, last, code, note in planned:
            if rv.active_coding(store, reviewer, first, last, code):
                report.unchanged += 1
                continue
            report.decisions.append(rv.code_by_hand(store, first, code, reviewer,
                                                    end_sentence_id=last, note=note,
                                                    origin="import"))
            report.imported += 1
    return report
