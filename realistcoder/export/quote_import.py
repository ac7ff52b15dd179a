"""Codings from the quotes other tools export: each row names a document, a code and the
quoted text, which is found in that document and coded on the sentences it covers.

Formats (told apart by their header row, CSV or XLSX):

* **Taguette** highlights export: ``id, document, tag, content`` (one row per highlight and
  tag; tags may be paths such as ``context.trust``). Taguette has no coder: pass a reviewer.
* **QualCoder** coded text (Reports > Coding reports > export as CSV): ``File`` (or ``Case``
  and ``Filename``), ``Coder``, ``Coded``, ``Id``, ``Codename``, ``Coded_Memo``, then
  ``Category`` columns.
* **generic**: a ``document`` (or ``file``, ``source``) column, a ``code`` (or ``tag``,
  ``codename``, or ``role`` for a role-only coding) column and a ``quote`` (or ``text``,
  ``content``, ``coded``) column; optional ``reviewer`` / ``coder`` and ``note`` / ``memo``.

Documents match by file name (with or without its extension), then title; codes by id, label
or, for a tag path, its last part; a quote is found in its document exactly, ignoring
whitespace, or by a close match (>= 90%, reported). A quote that covers part of a sentence is
widened to whole sentences and reported. All rows or none: every problem is listed by row.
Decisions get ids derived from the row, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import re
import uuid as uuidlib
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from rapidfuzz import fuzz

from realistcoder.errors import InputError
from realistcoder.export.refi_import import ROLE_PREFIX, _code_index, _code_or_role, _Doc
from realistcoder.review.worksheet import RowsError, read_rows
from realistcoder.store import export as q
from realistcoder.store import review
from realistcoder.store.review import EVIDENCE_ROLES

NAMESPACE = uuidlib.UUID("2c1e6b7a-4f0d-5a8e-9b3c-7d5e1f2a9c40")
COLUMNS = {  # our field -> the headers that may hold it (lower case), by format
    "taguette": {"document": ("document",), "code": ("tag",), "quote": ("content",)},
    "qualcoder": {"document": ("filename", "file"), "code": ("codename",),
                  "quote": ("coded",), "reviewer": ("coder",), "note": ("coded_memo",)},
    "csv": {"document": ("document", "file", "file_name", "source", "filename"),
            "code": ("code", "tag", "codename", "code_id"), "role": ("role",),
            "quote": ("quote", "text", "content", "coded", "selection"),
            "reviewer": ("reviewer", "coder", "user"), "note": ("note", "memo", "comment")},
}
FORMATS = tuple(COLUMNS)


@dataclass
class QuoteReport:
    format: str = ""
    rows: int = 0
    imported: int = 0
    unchanged: int = 0
    fuzzy: int = 0
    by_reviewer: dict[str, int] = field(default_factory=dict)
    widened: list[str] = field(default_factory=list)


def detect(header: set[str]) -> str:
    """The format a header row says, or an error naming the columns expected."""
    if {"id", "document", "tag", "content"} <= header:
        return "taguette"
    if {"coder", "coded", "codename"} <= header and header & {"file", "filename"}:
        return "qualcoder"
    spec = COLUMNS["csv"]
    if header & set(spec["document"]) and header & set(spec["quote"]) and header & (
            set(spec["code"]) | set(spec["role"])):
        return "csv"
    raise InputError("the header names no known layout", subject=", ".join(sorted(header)),
                     fix="use a Taguette highlights export (id,document,tag,content), "
                     "QualCoder's coded text export, or columns document,code,quote")


def _field(row: dict, fmt: str, name: str) -> str:
    return next((row[h] for h in COLUMNS[fmt].get(name, ()) if row.get(h)), "")


class _Documents:
    """Ingested documents by the names other tools give them."""

    def __init__(self, store):
        self.docs = [_Doc(store, row) for row in q.documents(store)]

    def find(self, name: str) -> _Doc | None:
        folded = _fold(name)
        if not folded:
            return None
        for key in (lambda d: _fold(d.row["file_name"]),
                    lambda d: _fold(PurePath(d.row["file_name"]).stem),
                    lambda d: _fold(d.row.get("title") or "")):
            hits = [d for d in self.docs if key(d) == folded]
            if len(hits) == 1:
                return hits[0]
        stem = _fold(PurePath(name).stem)
        scored = [(max(fuzz.ratio(stem, _fold(PurePath(d.row["file_name"]).stem)),
                       fuzz.ratio(folded, _fold(d.row.get("title") or ""))), d)
                  for d in self.docs]
        best = sorted(scored, key=lambda pair: -pair[0])[:2]
        if best and best[0][0] >= 90 and (len(best) == 1 or best[1][0] < best[0][0] - 5):
            return best[0][1]
        return None


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _code(index: dict[str, str], text: str, role: str) -> str | None:
    """A stored code id or ``role:ROLE`` for a code, a tag path or a role name."""
    if role.lower() in EVIDENCE_ROLES and not text:
        return f"{ROLE_PREFIX}{role.lower()}"
    text = text.strip()
    for key in (text.lower(), re.split(r"[./\\]", text)[-1].strip().lower()):
        if key in index:
            return index[key]
    if text.lower() in EVIDENCE_ROLES:
        return f"{ROLE_PREFIX}{text.lower()}"
    return None


def import_quotes(store, path: Path, *, reviewer: str | None = None, fmt: str | None = None,
                  dry_run: bool = False) -> QuoteReport:
    """Code the quotes of ``path``; see the module docstring."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError("quotes come as a CSV or XLSX file", subject=path,
                         fix="export the highlights / coded text as .csv or .xlsx")
    rows, _ = read_rows(path)
    header = set(rows[0][1]) if rows else set()
    if not rows:
        raise InputError("the file has no rows under its header", subject=path,
                         fix="export the coded text again")
    fmt = fmt or detect(header)
    if reviewer:
        reviewer = review.check_reviewer(reviewer)
    report = QuoteReport(format=fmt, rows=len(rows))
    index = _code_index(store)
    documents = _Documents(store)
    problems, planned, seen = [], [], set()
    for number, row in rows:
        where = f"row {number}"
        name, quote = _field(row, fmt, "document"), _field(row, fmt, "quote")
        code_text, role = _field(row, fmt, "code"), _field(row, fmt, "role")
        who = reviewer or _field(row, fmt, "reviewer")
        if not who:
            problems.append(f"{where}: no reviewer (the file has no coder column: pass "
                            "--reviewer NAME)")
            continue
        doc = documents.find(name)
        if doc is None:
            problems.append(f"{where}: no ingested document is called {name!r}")
            continue
        code = _code(index, code_text, role)
        if code is None:
            problems.append(f"{where}: code {code_text or role!r} is not in any loaded codebook")
            continue
        before = doc.fuzzy
        offsets = doc.find(quote) if quote.strip() else None
        span = doc.span(*offsets) if offsets else None
        if span is None:
            problems.append(f"{where}: the quote is not in {doc.row['file_name']}: "
                            f"{' '.join(quote.split())[:60]!r}")
            continue
        report.fuzzy += doc.fuzzy - before
        if doc.partial(*offsets, span):
            report.widened.append(f"{where}: {' '.join(quote.split())[:60]!r}")
        key = (review.check_reviewer(who), span, code)
        if key in seen:
            continue
        seen.add(key)
        planned.append((key, _field(row, fmt, "note") or None))
    if problems:
        raise RowsError(f"{len(problems)} of {len(rows)} rows cannot be placed; nothing was "
                        "imported", subject=path, fix="correct the rows listed (ingest the "
                        "documents, load the codebook) and import the file again",
                        problems=problems)
    for (who, (first, last), code), _note in planned:
        what = _code_or_role(code)
        if review.active_coding(store, who, first, last, what["code"], role=what.get("role")):
            report.unchanged += 1
            continue
        report.imported += 1
        report.by_reviewer[who] = report.by_reviewer.get(who, 0) + 1
    if dry_run:
        return report
    with store.transaction():
        for (who, (first, last), code), note in planned:
            what = _code_or_role(code)
            if review.active_coding(store, who, first, last, what["code"],
                                    role=what.get("role")):
                continue
            key = "\x1f".join(["quote", who, str(first), str(last), code])
            review.record_decision(store, reviewer=who, action="code", sentence_id=first,
                                   end_sentence_id=last, note=note, origin="import",
                                   uuid=str(uuidlib.uuid5(NAMESPACE, key)), **what)
    return report
