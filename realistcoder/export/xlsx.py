"""XLSX (openpyxl): a sheet per section, frozen bold header, autofilter, wrapped text, column
widths from the content and row heights that fit the wrapped text (LibreOffice and Excel do not
grow a row by themselves when a file sets none, so long quotes would overlap the next rows);
a "References" sheet lists the documents cited.

Every text cell is written as typed text (never a formula) with Excel's quote prefix when it
starts like a formula, so the characters stay exact and a double-click cannot turn it into
one; characters XML forbids are dropped, since one would make the whole workbook unreadable.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from realistcoder.export.layout import lines_needed, measure
from realistcoder.export.registry import register
from realistcoder.export.safe import is_formula_like, xml_text
from realistcoder.export.table import Section, Table, text_of

XLSX_CELL_MAX = 32_767
_SHEET_BAD = re.compile(r"[\[\]:*?/\\']")
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
CHAR_EMS = 0.5  # an Excel width unit (the width of "0" in Calibri 11) is about half an em
LINE_PT = 15.0  # a line of Calibri 11
LONG_TEXT_EMS = 42.0  # quotes and notes wrap at about 85 characters
SHORT_TEXT_EMS = 22.0
MAX_ROW_PT = 409.0  # Excel's limit


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of ``[]:*?/\\'``, the title
    before its subtitle ("T1 workforce: new and ..." -> "T1 workforce") or whole words."""
    clean = " ".join(xml_text(title).split())
    main = clean.split(":", 1)[0].strip()
    base = main if main and len(main) <= 31 else clean
    base = " ".join(_SHEET_BAD.sub(" ", base).split()) or "Sheet"
    if len(base) > 31:
        cut = base[:30].rsplit(" ", 1)[0] if " " in base[:30] else base[:30]
        base = cut.rstrip(" ,;-") + "…"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    taken.add(name.lower())
    return name


def set_text(cell, value: object) -> None:
    """Store ``value``: numbers as numbers, anything else as inert text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
        return
    text = xml_text(text_of(value))
    if len(text) > XLSX_CELL_MAX:
        text = text[: XLSX_CELL_MAX - 1] + "…"
    cell.value = text
    cell.data_type = TYPE_STRING  # openpyxl would otherwise store "=..." as a formula
    if is_formula_like(text):
        cell.quotePrefix = True


@register("xlsx", extensions=(".xlsx",), description="Excel workbook, a sheet per group")
def write_xlsx(table: Table, path: Path) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    widths = _widths(table)
    sheets: list[tuple[str, str]] = []
    for section in table.sections or [Section(table.title)]:
        sheet = workbook.create_sheet(sheet_title(section.title, taken))
        sheets.append((sheet.title, section.title))
        if table.extra.get("narrative"):  # only the documents with evidence for this theory
            block, rows = table.blocks(section)[0]
            _fill_sheet(sheet, block, rows, _widths(block))
        else:
            _fill_sheet(sheet, table, section.rows, widths)
    if table.references:
        _two_columns(workbook.create_sheet(sheet_title("References", taken)),
                     ("Source", "Reference"), table.references, (22, 100))
    if table.notes or len(sheets) > 1:
        notes = workbook.create_sheet(sheet_title("About", taken))
        set_text(notes.cell(1, 1), table.title)
        notes.cell(1, 1).font = Font(bold=True)
        for i, note in enumerate(table.notes, start=2):
            set_text(notes.cell(i, 1), note)
        if len(sheets) > 1:  # sheet names are short: the full titles are here
            at = len(table.notes) + 3
            _two_columns(notes, ("Sheet", "Group"), sheets, (32, 100), first_row=at)
        notes.column_dimensions["A"].width = max(notes.column_dimensions["A"].width or 0, 32)
    workbook.save(path)


def _widths(table: Table) -> list[float]:
    """Each column's width in ems: its longest word at least, its typical text at most (long
    text wraps at :data:`LONG_TEXT_EMS`)."""
    rows = table.rows
    out = []
    for column in table.columns:
        m = measure(table, rows, column)
        cap = LONG_TEXT_EMS if m.long_text else SHORT_TEXT_EMS
        out.append(max(m.floor, min(m.want, cap)) + 1.0)
    return out


def _fit_height(sheet, row: int, texts: list[str], widths: list[float]) -> None:
    lines = max((lines_needed(t, w - 1.0) for t, w in zip(texts, widths, strict=True) if t),
                default=1)
    sheet.row_dimensions[row].height = min(lines * LINE_PT + 3, MAX_ROW_PT)


def _two_columns(sheet, header: tuple[str, str], rows, widths: tuple[int, int],
                 first_row: int = 1) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    for j, name in enumerate(header, start=1):
        cell = sheet.cell(first_row, j)
        set_text(cell, name)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(j)].width = widths[j - 1]
    for i, pair in enumerate(rows, start=first_row + 1):
        for j, value in enumerate(pair, start=1):
            set_text(sheet.cell(i, j), value)
            sheet.cell(i, j).alignment = wrap
        _fit_height(sheet, i, [text_of(v) for v in pair], [w * CHAR_EMS for w in widths])


def _fill_sheet(sheet, table: Table, rows: list[dict], widths: list[float]) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for j, (column, width) in enumerate(zip(table.columns, widths, strict=True), start=1):
        cell = sheet.cell(1, j)
        set_text(cell, column.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        sheet.column_dimensions[get_column_letter(j)].width = round(width / CHAR_EMS, 1)
    _fit_height(sheet, 1, [c.header for c in table.columns], widths)
    for i, row in enumerate(rows, start=2):
        texts = []
        for j, column in enumerate(table.columns, start=1):
            cell = sheet.cell(i, j)
            set_text(cell, table.cell(row, column))
            texts.append(text_of(cell.value))
            cell.alignment = top if column.numeric else wrap
        _fit_height(sheet, i, texts, widths)
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(table.columns), 1))
    sheet.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 1)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
