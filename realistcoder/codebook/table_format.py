"""Spreadsheet codebooks (CSV and XLSX): one code per row, problems named by row number.

A header row with at least ``id, label, role, theory, terms``; optional columns
``mechanism_type, parent, description, inclusion, exclusion, examples, exclude, patterns,
level``.
``terms`` and ``exclude`` hold several items separated by ``;``, ``examples`` by ``|``,
``patterns`` is JSON. Theories are the distinct values of the ``theory`` column. An XLSX
workbook may also have a ``theories`` sheet (id, label, description) and a ``codebook`` sheet
(key/value rows: name, version, description); :func:`write_xlsx` writes both.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, BinaryIO

from realistcoder.codebook.build import Lined, LinedList, Problem, suggest
from realistcoder.codebook.model import Codebook
from realistcoder.errors import CodebookError

REQUIRED_COLUMNS = ("id", "label", "role", "theory", "terms")
OPTIONAL_COLUMNS = ("mechanism_type", "parent", "description", "inclusion", "exclusion",
                    "examples", "exclude", "patterns", "level")
COLUMNS = REQUIRED_COLUMNS[:4] + ("mechanism_type", "parent", "terms") + OPTIONAL_COLUMNS[2:]
SEPARATORS = {"terms": ";", "exclude": ";", "examples": "|"}


def _split(text: str, sep: str) -> list[str]:
    return [part.strip() for part in text.split(sep) if part.strip()]


def rows_to_raw(rows: list[tuple[int, list[Any]]], *, name: str, version: str = "1",
                description: str = "", theories: list[dict] | None = None
                ) -> tuple[Lined | None, list[Problem]]:
    """Spreadsheet rows ``(row_number, cells)``, header first, as builder input."""
    problems: list[Problem] = []
    rows = [(n, cells) for n, cells in rows if any(_cell(c) for c in cells)]
    if not rows:
        return None, [Problem(1, "the spreadsheet is empty: it needs a header row with "
                              f"{', '.join(REQUIRED_COLUMNS)}")]
    header_row, header_cells = rows[0]
    header = [_cell(c).lower().replace(" ", "_") for c in header_cells]
    allowed = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    for column in header:
        if column and column not in allowed:
            problems.append(Problem(header_row, f"unknown column {column!r}"
                                    f"{suggest(column, allowed)}; allowed: {', '.join(allowed)}"))
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.append(Problem(header_row, f"the header row lacks column(s) {', '.join(missing)}"
                                f" (it needs at least {', '.join(REQUIRED_COLUMNS)})"))
        return None, problems
    codes = LinedList(line=header_row + 1)
    seen_theories: list[str] = []
    for number, cells in rows[1:]:
        node = Lined(line=number)
        for column, value in zip(header, cells, strict=False):
            text = _cell(value)
            if not column or column not in allowed or not text:
                continue
            if column in SEPARATORS:
                node[column] = _split(text, SEPARATORS[column])
            elif column == "patterns":
                try:
                    node[column] = json.loads(text)
                except json.JSONDecodeError as err:
                    problems.append(Problem(number, f"the patterns cell is not JSON ({err.msg}): "
                                            'write e.g. [[{"LOWER": "gp"}]]'))
                    continue
            else:
                node[column] = text
            node.lines[column] = number
        if node.get("theory") and node["theory"] not in seen_theories:
            seen_theories.append(node["theory"])
        codes.append(node)
        codes.lines.append(number)
    raw = Lined({"name": name, "version": version, "codes": codes}, line=1)
    if description:
        raw["description"] = description
    raw["theories"] = theories if theories is not None else [
        {"id": t, "label": t} for t in seen_theories
    ]
    return raw, problems


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_csv(path: Path) -> tuple[Lined | None, list[Problem]]:
    raw_bytes = path.read_bytes()
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw_bytes.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    first_line = text.lstrip().split("\n", 1)[0]
    # the header decides the delimiter (terms hold ';', so sniffing the body would mislead)
    delimiter = max((",", "\t", ";"), key=first_line.count)
    # problems name the spreadsheet row (header = row 1), as Excel shows it
    rows = list(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1))
    return rows_to_raw(rows, name=path.stem)


def read_xlsx(path: Path) -> tuple[Lined | None, list[Problem]]:
    from realistcoder.spreadsheets import reading_workbook

    with reading_workbook(path, data_only=True) as workbook:
        sheets = {ws.title.lower(): ws for ws in workbook.worksheets}
        meta = {"name": path.stem, "version": "1", "description": ""}
        if "codebook" in sheets:
            for row in sheets["codebook"].iter_rows(min_row=1, values_only=True):
                if row and _cell(row[0]).lower() in meta and len(row) > 1:
                    meta[_cell(row[0]).lower()] = _cell(row[1])
        theories = None
        if "theories" in sheets:
            theory_rows = [list(r) for r in sheets["theories"].iter_rows(min_row=1,
                                                                          values_only=True)]
            if theory_rows:
                head = [_cell(c).lower() for c in theory_rows[0]]
                theories = [
                    {k: _cell(v) for k, v in zip(head, r, strict=False) if k and _cell(v)}
                    for r in theory_rows[1:] if any(_cell(v) for v in r)
                ]
        code_sheet = sheets.get("codes") or workbook.worksheets[0]
        rows = [(i, list(r)) for i, r in
                enumerate(code_sheet.iter_rows(min_row=1, values_only=True), 1)]
    return rows_to_raw(rows, name=meta["name"], version=meta["version"],
                       description=meta["description"], theories=theories)


def code_rows(codebook: Codebook) -> list[list[str]]:
    """Header and one row per code, as written to CSV and XLSX."""
    rows = [list(COLUMNS)]
    for code in codebook.codes:
        row = []
        for column in COLUMNS:
            value = getattr(code, column)
            if column in SEPARATORS:
                sep = SEPARATORS[column]
                clash = next((item for item in value if sep in item), None)
                if clash is not None:
                    raise CodebookError(
                        f"{column} item {clash!r} of code {code.id!r} contains {sep!r}, which "
                        "separates items in a spreadsheet cell", subject=codebook.name,
                        fix="export to YAML or .qdc instead, or reword the item")
                value = f" {sep} ".join(value)
            elif column == "patterns":
                value = json.dumps(value, ensure_ascii=False) if value else ""
            row.append(value or "")
        rows.append(row)
    return rows


def write_csv(codebook: Codebook) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(code_rows(codebook))
    return out.getvalue()


def write_xlsx(codebook: Codebook, path: Path | BinaryIO) -> None:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "codes"
    for row in code_rows(codebook):
        _append(sheet, row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    theories = workbook.create_sheet("theories")
    _append(theories, ["id", "label", "description"])
    for t in codebook.theories:
        _append(theories, [t.id, t.label, t.description])
    meta = workbook.create_sheet("codebook")
    for key in ("name", "version", "description"):
        _append(meta, [key, getattr(codebook, key)])
    workbook.save(path)


def _append(sheet, row: list[str]) -> None:
    """Append a row of text; text that looks like a formula (``=...``) stays text."""
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
