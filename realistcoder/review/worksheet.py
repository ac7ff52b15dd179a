"""The spreadsheet round trip: pending proposals out to XLSX / CSV, decisions back in.

The worksheet carries the reviewer it was exported for (a ``reviewer`` column, and in XLSX an
``about`` sheet), the ids, the sentence with one sentence of context either side, the proposed
code, and three columns to fill: ``decision`` (accept / reject / recode: an Excel drop-down),
``new_code`` (for a recode: a drop-down of the codebook's codes) and ``note``. Importing refuses
a sheet exported for another reviewer, validates every row first and imports all or nothing;
importing the same file again adds nothing (each row's decision has an id derived from its
content). A row with an empty ``code`` is a role proposal, decided by its role (the ``about``
sheet says how).
"""

from __future__ import annotations

import csv
import uuid as uuidlib
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from realistcoder.errors import InputError, NotFoundError
from realistcoder.export.safe import spreadsheet_text
from realistcoder.export.xlsx import set_text
from realistcoder.files import atomic_output
from realistcoder.review.session import Filters
from realistcoder.spreadsheets import reading_workbook, sheet_values
from realistcoder.store import review as rv
from realistcoder.store.db import Store

DECISIONS = ("accept", "reject", "recode")
COLUMNS = [  # (name, width, filled by the reviewer); reviewer last: the rest keep their places
    ("proposal_id", 10, False), ("sentence_id", 10, False), ("document", 22, False),
    ("page", 6, False), ("code", 18, False), ("label", 24, False), ("role", 11, False),
    ("theory", 14, False), ("score", 7, False), ("before", 30, False), ("text", 60, False),
    ("after", 30, False), ("decision", 11, True), ("new_code", 18, True), ("note", 30, True),
    ("reviewer", 12, False),
]
SHEET, ABOUT, CODES = "worksheet", "about", "codes"
NAMESPACE = uuidlib.UUID("5b0c3f6e-6a5f-4a1b-9d1e-7c2b8f4a1e10")
FILL = PatternFill("solid", fgColor="FFF2CC")


class RowsError(InputError):
    """Some rows of an imported file are bad; ``problems`` names each by row number."""


def worksheet_rows(store: Store, reviewer: str, filters: Filters | None = None) -> list[dict]:
    """One row per proposal pending for ``reviewer`` (in reading order)."""
    reviewer = rv.check_reviewer(reviewer)
    f = filters or Filters()
    rows = []
    for item in rv.review_queue(store, reviewer, code=f.code, role=f.role, theory=f.theory,
                                document_id=f.document_id, min_score=f.min_score,
                                statuses=f.statuses()):
        p = rv.get_proposal(store, item["id"])
        before = rv.neighbour_sentence(store, p["sentence_id"], -1)
        after = rv.neighbour_sentence(store, p["sentence_id"], +1)
        rows.append({"reviewer": reviewer, "proposal_id": p["id"], "sentence_id": p["sentence_id"],
                     "document": p["document"], "page": p["page"], "code": p["code"],
                     "label": p["label"], "role": p["role"], "theory": p["theory"] or "",
                     "score": round(p["score"], 3), "before": before["text"] if before else "",
                     "text": p["text"], "after": after["text"] if after else "",
                     "decision": "", "new_code": "", "note": ""})
    return rows


def write_worksheet(store: Store, reviewer: str, path: Path,
                    filters: Filters | None = None) -> int:
    """Write the worksheet to ``path`` (.xlsx or .csv); returns the number of rows."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError(f"cannot write a worksheet as '{suffix or path.name}'", subject=path,
                         fix="name the file .xlsx or .csv")
    rows = worksheet_rows(store, reviewer, filters)
    with atomic_output(path) as tmp:
        if suffix == ".csv":
            with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\r\n")
                writer.writerow([c for c, _, _ in COLUMNS])
                for row in rows:
                    writer.writerow([v if isinstance(v, int | float) else spreadsheet_text(str(v))
                                     for v in (row[c] for c, _, _ in COLUMNS)])
        else:
            _write_xlsx(store, reviewer, tmp, rows, file_name=path.name)
    return len(rows)


def _write_xlsx(store: Store, reviewer: str, path: Path, rows: list[dict],
                file_name: str) -> None:
    """The workbook, written to ``path`` (a temporary file); ``file_name`` is the file the
    reviewer will see, quoted in the import instructions."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for j, (name, width, filled) in enumerate(COLUMNS, 1):
        cell = ws.cell(1, j, name)
        cell.font = Font(bold=True)
        if filled:
            cell.fill = FILL
        ws.column_dimensions[get_column_letter(j)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(rows, 2):
        for j, (name, _, filled) in enumerate(COLUMNS, 1):
            cell = ws.cell(i, j)
            set_text(cell, row[name])
            cell.alignment = wrap
            if filled:
                cell.fill = FILL
    last = max(len(rows) + 1, 2)
    col = {name: get_column_letter(j) for j, (name, _, _) in enumerate(COLUMNS, 1)}
    decision = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"',
                              allow_blank=True, showErrorMessage=True,
                              errorTitle="decision", error="Choose accept, reject or recode.")
    decision.add(f"{col['decision']}2:{col['decision']}{last}")
    ws.add_data_validation(decision)
    codes = wb.create_sheet(CODES)
    codes.append(["code", "label", "role", "theory"])
    latest = rv.latest_codes(store)
    for c in latest:
        codes.append([c["code"], c["label"], c["role"], c["theory"] or ""])
    if latest:
        new_code = DataValidation(type="list", formula1=f"{CODES}!$A$2:$A${len(latest) + 1}",
                                  allow_blank=True, showErrorMessage=True, errorTitle="new_code",
                                  error="Pick a code id from the codes sheet.")
        new_code.add(f"{col['new_code']}2:{col['new_code']}{last}")
        ws.add_data_validation(new_code)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    about = wb.create_sheet(ABOUT)
    for line in (["reviewer", reviewer],
                 ["how", "Fill decision (accept, reject or recode), new_code for a recode, and "
                         "an optional note. Leave decision empty to keep a proposal pending."],
                 ["role proposals", "A row with an empty code is a role proposal: the sentence "
                                    "reads as evidence of its role (the role column), with no code "
                                    "yet. Decide it by its role: accept codes the role alone; "
                                    "recode with a code id in new_code gives it that code; reject "
                                    "if the sentence does not carry that role."],
                 ["import", f"realistcoder import decisions {file_name} --reviewer {reviewer}"]):
        about.append(line)
    for row in about.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 100
    wb.save(path)


# ----------------------------------------------------------------------------- import


def read_rows(path: Path) -> tuple[list[tuple[int, dict]], str | None]:
    """(row number, {column: text}) for each data row, and the reviewer the worksheet was
    exported for (its ``about`` sheet, else its ``reviewer`` column; None when it names none).
    A ``reviewer`` column naming several reviewers is refused."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", subject=path, fix="check the path")
    suffix = path.suffix.lower()
    owner = None
    if suffix == ".xlsx":
        table, owner = _read_xlsx(path)
    elif suffix == ".csv":
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                table = list(csv.reader(handle))
        except UnicodeDecodeError as err:
            raise InputError("not UTF-8 text", subject=path,
                             fix="save the CSV as 'CSV UTF-8' from your spreadsheet") from err
    else:
        raise InputError(f"cannot read '{suffix or path.name}' files", subject=path,
                         fix="import an .xlsx or .csv file")
    if not table:
        raise InputError("the file is empty", subject=path, fix="export a worksheet first")
    header = [str(h).strip().lower() for h in table[0]]
    out = []
    for number, values in enumerate(table[1:], 2):
        row = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
        if any(v for k, v in row.items() if k != "reviewer"):
            out.append((number, row))
    named = sorted({r["reviewer"] for _, r in out if r.get("reviewer")})
    if len(named) > 1:
        raise InputError(f"the reviewer column names several reviewers ({', '.join(named)})",
                         subject=path, fix="import each reviewer's rows from their own file")
    if owner is None and named:
        owner = named[0]
    elif owner is not None and named and named != [owner]:
        raise InputError(f"the about sheet names {owner} but the rows name {named[0]}",
                         subject=path, fix="export a fresh worksheet for the reviewer")
    return out, owner


def _read_xlsx(path: Path) -> tuple[list[list], str | None]:
    """The first (or ``worksheet``) sheet's values and the ``about`` sheet's reviewer; a cell
    holding a formula refuses the file, each one listed (see :mod:`realistcoder.spreadsheets`)."""
    owner = None
    with reading_workbook(path) as wb:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        table, formulas = sheet_values(ws)
        if ABOUT in wb.sheetnames:
            for row in wb[ABOUT].iter_rows(values_only=True):
                if row and row[0] == "reviewer" and len(row) > 1:
                    owner = str(row[1])
    if formulas:
        raise RowsError(f"{len(formulas)} cell(s) hold formulas, not values; nothing was "
                        "imported", subject=path,
                        fix="type the values themselves, or copy them and paste them as values",
                        problems=formulas)
    return table, owner


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        text = text[1:]  # the apostrophe our CSV writer put before a formula-like note
    return text


def row_uuid(reviewer: str, proposal_id: int, action: str, code: str | None,
             note: str | None) -> str:
    """A decision id derived from the row's content: importing it twice finds it stored."""
    key = "\x1f".join(["worksheet", reviewer, str(proposal_id), action, code or "", note or ""])
    return str(uuidlib.uuid5(NAMESPACE, key))


@dataclass
class ImportReport:
    imported: int = 0
    unchanged: int = 0
    blank: int = 0
    decisions: list[dict] = field(default_factory=list)


def import_decisions(store: Store, path: Path, reviewer: str) -> ImportReport:
    """Validate every row, then record all decisions in one transaction (or none)."""
    reviewer = rv.check_reviewer(reviewer)
    rows, owner = read_rows(path)
    if owner and owner != reviewer:
        raise InputError(f"this worksheet was exported for {owner}, not {reviewer}",
                         subject=path, fix=f"import it with --reviewer {owner}")
    header = set().union(*(r.keys() for _, r in rows)) if rows else set()
    for needed in ("proposal_id", "decision"):
        if rows and needed not in header:
            raise InputError(f"no '{needed}' column", subject=path,
                             fix="use the worksheet from `realistcoder export worksheet`")
    problems, planned, seen = [], [], {}
    report = ImportReport()
    for number, row in rows:
        decision = row.get("decision", "").lower()
        if not decision:
            report.blank += 1
            continue
        where = f"row {number}"
        pid_text = row.get("proposal_id", "")
        if not pid_text.isdigit():
            problems.append(f"{where}: proposal_id '{pid_text}' is not a number")
            continue
        pid = int(pid_text)
        if pid in seen:
            problems.append(f"{where}: proposal {pid} is already decided in row {seen[pid]}")
            continue
        seen[pid] = number
        if decision not in DECISIONS:
            problems.append(f"{where}: decision '{row['decision']}' is not one of "
                            f"{', '.join(DECISIONS)}")
            continue
        try:
            p = rv.get_proposal(store, pid)
        except NotFoundError:
            problems.append(f"{where}: no proposal {pid} in this store")
            continue
        code = row.get("new_code") or None
        if decision == "recode" and not code:
            problems.append(f"{where}: recode needs a new_code")
            continue
        if decision == "reject" and code:
            problems.append(f"{where}: a rejected proposal cannot have a new_code")
            continue
        if code:
            try:
                code = rv.find_code(store, code, prefer_codebook_id=p["codebook_id"])["code"]
            except NotFoundError as err:
                problems.append(f"{where}: {err.message} ({err.fix})")
                continue
            if decision == "accept" and code != p["code"]:
                decision = "recode"
            elif code == p["code"]:
                decision, code = "accept", None
        planned.append((number, pid, decision, code, row.get("note") or None))
    if problems:
        raise RowsError(f"{len(problems)} bad row(s); nothing was imported", subject=path,
                        fix="correct the rows listed and import the file again",
                        problems=problems)
    with store.transaction():
        for _, pid, decision, code, note in planned:
            uid = row_uuid(reviewer, pid, decision, code, note)
            if _already(store, reviewer, pid, decision, code, uid):
                report.unchanged += 1
                continue
            fn = rv.reject if decision == "reject" else rv.accept
            kwargs = {} if decision == "reject" else {"code": code}
            d = fn(store, pid, reviewer, note=note, origin="worksheet", uuid=uid, **kwargs)
            report.decisions.append(d)
            report.imported += 1
    return report


def _already(store: Store, reviewer: str, pid: int, decision: str, code: str | None,
             uid: str) -> bool:
    """True when this row was imported before, or the reviewer's current decision is the same."""
    if rv.decision_exists(store, uid):
        return True
    latest = rv.latest_decision(store, reviewer, pid)
    if latest is None:
        return False
    status = {"accept": "accept", "recode": "recode", "reject": "reject"}[decision]
    return latest["action"] == status and (decision == "reject" or code is None
                                           or latest["code"] == code)
