"""Sentences where reviewers differ, the consensus worksheet, and recording its resolutions.

A worksheet row is one sentence: document, page, text, each reviewer's codes, the current
consensus (if any) and an empty ``consensus`` column for the meeting to fill: code ids (or
``role:context`` for a role-only coding) separated by ``;``, or ``none`` when the team agrees the
sentence carries no code. ``resolve`` reads it
back, checks every row first (bad rows are reported by row number and nothing is recorded), then
records each filled row as a consensus coding attributed to the person resolving.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from realistcoder.audit.units import Selection, unit_code
from realistcoder.errors import InputError, NotFoundError
from realistcoder.export.safe import spreadsheet_text
from realistcoder.files import atomic_output
from realistcoder.spreadsheets import reading_workbook, sheet_values
from realistcoder.store import audit as q
from realistcoder.store import review as rv
from realistcoder.store.db import Store

NONE_WORDS = {"none", "-", "no code", "nothing", "0"}
FIXED = ["sentence_id", "document", "page", "text"]


def consensus_state(store: Store) -> dict[int, set[str]]:
    """Sentence id -> the agreed codes, for every sentence the team has resolved."""
    out: dict[int, set[str]] = {}
    for r in q.consensus_resolutions(store):
        for s in rv.sentence_range(store, r["sentence_id"], r["end_sentence_id"]):
            out.setdefault(s["id"], set())
    for c in rv.current_codings(store, [rv.CONSENSUS], unblinded=True):
        for s in rv.sentence_range(store, c["sentence_id"], c["end_sentence_id"]):
            out.setdefault(s["id"], set()).add(unit_code(c))
    return out


ROLE_PREFIX = "role:"


def _split_roles(codes: list[str]) -> tuple[list[str], list[str]]:
    """Cells name codes, or ``role:ROLE`` for a role-only coding: (codes, roles)."""
    roles = [c[len(ROLE_PREFIX):].strip() for c in codes if c.lower().startswith(ROLE_PREFIX)]
    return [c for c in codes if not c.lower().startswith(ROLE_PREFIX)], roles


def find(store: Store, sel: Selection) -> list[dict]:
    """Units where the compared reviewers' codes (among the audited codes) differ."""
    agreed = consensus_state(store)
    wanted = set(sel.codes)
    rows = []
    for u in sel.units:
        got = sel.coded.get(u["id"], {})
        per = {r: sorted(got.get(r, set()) & wanted) for r in sel.reviewers
               if sel.has(u["id"], r)}
        if len(per) < 2 or len({tuple(v) for v in per.values()}) == 1:
            continue
        consensus = agreed.get(u["id"])
        rows.append({
            "sentence_id": u["id"], "document_id": u["document_id"], "document": u["document"],
            "page": u["page"], "text": u["text"], "codes": per,
            "consensus": sorted(consensus) if consensus is not None else None,
            "status": "resolved" if consensus is not None else "open",
        })
    return rows


def worksheet_rows(rows: list[dict], reviewers: list[str]) -> tuple[list[str], list[list]]:
    """Header and cells of the consensus worksheet."""
    header = FIXED + reviewers + ["status", "consensus", "note"]
    cells = []
    for r in rows:
        agreed = r["consensus"]
        cells.append([r["sentence_id"], r["document"], r["page"], r["text"]]
                     + ["; ".join(r["codes"].get(name, [])) if name in r["codes"] else "(n/a)"
                        for name in reviewers]
                     + [r["status"],
                        ("; ".join(agreed) or "none") if agreed is not None else "", ""])
    return header, cells


def write_worksheet(path: Path, rows: list[dict], reviewers: list[str],
                    codes: list[str]) -> None:
    """Write the worksheet as .csv or .xlsx (with a sheet listing the code ids), all or nothing.

    Sentence text that a spreadsheet would run as a formula stays inert (a leading ' in CSV,
    a typed text cell in XLSX)."""
    header, cells = worksheet_rows(rows, reviewers)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("the worksheet must be .csv or .xlsx", subject=path,
                         fix="pass -o disagreements.xlsx or -o disagreements.csv")
    with atomic_output(path) as tmp:
        if suffix == ".csv":
            with tmp.open("w", newline="", encoding="utf-8-sig") as fh:
                w = csv.writer(fh)
                w.writerow(header)
                w.writerows([spreadsheet_text(c) if isinstance(c, str) else c for c in row]
                            for row in cells)
        else:
            _write_xlsx(tmp, header, cells, codes)


def _write_xlsx(path: Path, header: list[str], cells: list[list], codes: list[str]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from realistcoder.export.xlsx import set_text

    wb = Workbook()
    ws = wb.active
    ws.title = "disagreements"
    ws.append(header)
    for r, row in enumerate(cells, start=2):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str):
                set_text(ws.cell(row=r, column=c), value)
            else:
                ws.cell(row=r, column=c, value=value)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = {"text": 70, "consensus": 30, "note": 30}
    for i, name in enumerate(header, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = widths.get(name, 14 if i > 4 else 10)
    for row in ws.iter_rows(min_row=2):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
    sheet = wb.create_sheet("codes")
    sheet.append(["code"])
    for c in codes:
        sheet.append([c])
    sheet.append(["none"])
    wb.save(path)


def read_worksheet(path: Path) -> list[tuple[int, dict]]:
    """(row number, {column: text}) for every data row of a .csv or .xlsx worksheet."""
    if not path.exists():
        raise InputError("no such file", subject=path, fix="check the path")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            table = [row for row in csv.reader(fh)]
    elif suffix == ".xlsx":
        with reading_workbook(path) as wb:
            ws = wb["disagreements"] if "disagreements" in wb.sheetnames else wb.worksheets[0]
            values, formulas = sheet_values(ws)
        if formulas:
            raise InputError(f"{len(formulas)} cell(s) hold formulas, not values, first "
                             f"{formulas[0]}; nothing was resolved", subject=path,
                             fix="type the values themselves, or paste them as values")
        table = [[str(v) for v in row] for row in values]
    else:
        raise InputError("the worksheet must be .csv or .xlsx", subject=path,
                         fix="export it with `realistcoder audit --disagreements -o FILE.xlsx`")
    if not table:
        raise InputError("the worksheet is empty", subject=path, fix="pass the filled worksheet")
    header = [h.strip().lower() for h in table[0]]
    for need in ("sentence_id", "consensus"):
        if need not in header:
            raise InputError(f"no '{need}' column", subject=path,
                             fix="use the worksheet written by `realistcoder audit "
                             "--disagreements -o FILE`")
    out = []
    for i, row in enumerate(table[1:], start=2):
        if not any(str(c).strip() for c in row):
            continue
        out.append((i, {h: (row[j] if j < len(row) else "") for j, h in enumerate(header)}))
    return out


def parse_codes(cell: str) -> list[str] | None:
    """Codes in a consensus cell; ``[]`` for 'none'; None for an empty cell (row skipped)."""
    text = (cell or "").strip()
    if not text:
        return None
    if text.lower() in NONE_WORDS:
        return []
    return [c for c in re.split(r"[;,\s]+", text) if c]


def plan(store: Store, rows: list[tuple[int, dict]], path: Path) -> list[dict]:
    """Check every row; return the resolutions to record, or raise listing every bad row."""
    problems, todo = [], []
    for line, row in rows:
        codes = parse_codes(str(row.get("consensus", "")))
        if codes is None:
            continue
        raw = str(row.get("sentence_id", "")).strip()
        try:
            sid = int(float(raw))
            rv.get_sentence(store, sid)
        except (ValueError, NotFoundError):
            problems.append(f"row {line}: no sentence '{raw}'")
            continue
        bad = []
        plain, roles = _split_roles(codes)
        for c in plain:
            try:
                rv.find_code(store, c)
            except NotFoundError:
                bad.append(c)
        bad += [f"{ROLE_PREFIX}{r}" for r in roles if r not in rv.EVIDENCE_ROLES]
        if bad:
            problems.append(f"row {line}: unknown code {', '.join(bad)}")
            continue
        todo.append({"row": line, "sentence_id": sid, "codes": codes,
                     "note": str(row.get("note", "") or "").strip() or None})
    if problems:
        shown = "; ".join(problems[:8]) + (f"; and {len(problems) - 8} more"
                                           if len(problems) > 8 else "")
        raise InputError(f"{len(problems)} bad row(s), nothing recorded: {shown}", subject=path,
                         fix="fix the consensus cells (code ids, or role:ROLE for a role "
                         "alone, separated by ';', or 'none') and run resolve again")
    return todo


def record(store: Store, todo: list[dict], resolved_by: str) -> dict[str, int]:
    """Record the resolutions in one transaction; rows already agreed are left alone."""
    rv.check_reviewer(resolved_by)
    counts = {"resolved": 0, "unchanged": 0, "decisions": 0}
    with store.transaction():
        agreed = consensus_state(store)
        for item in todo:
            plain, roles = _split_roles(item["codes"])
            codes = {rv.find_code(store, c)["code"] for c in plain}
            if agreed.get(item["sentence_id"]) == codes | {f"{ROLE_PREFIX}{r}" for r in roles}:
                counts["unchanged"] += 1
                continue
            made = rv.resolve(store, item["sentence_id"], sorted(codes), resolved_by,
                              roles=roles, note=item["note"])
            counts["resolved"] += 1
            counts["decisions"] += len(made)
    return counts
