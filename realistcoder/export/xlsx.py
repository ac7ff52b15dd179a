"""XLSX (openpyxl): a sheet per section, frozen bold header, autofilter, wrapped text, widths.

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

from realistcoder.export.registry import register
from realistcoder.export.safe import is_formula_like, xml_text
from realistcoder.export.table import Section, Table, text_of

XLSX_CELL_MAX = 32_767
_SHEET_BAD = re.compile(r"[\[\]:*?/\\']")
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of ``[]:*?/\\'``."""
    base = " ".join(_SHEET_BAD.sub(" ", xml_text(title)).split()) or "Sheet"
    base = base[:31]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
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
    for section in table.sections or [Section(table.title)]:
        sheet = workbook.create_sheet(sheet_title(section.title, taken))
        _fill_sheet(sheet, table, section.rows)
    if table.notes:
        notes = workbook.create_sheet(sheet_title("About", taken))
        set_text(notes.cell(1, 1), table.title)
        notes.cell(1, 1).font = Font(bold=True)
        for i, note in enumerate(table.notes, start=2):
            set_text(notes.cell(i, 1), note)
        notes.column_dimensions["A"].width = 100
    workbook.save(path)


def _fill_sheet(sheet, table: Table, rows: list[dict]) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for j, column in enumerate(table.columns, start=1):
        cell = sheet.cell(1, j)
        set_text(cell, column.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        sheet.column_dimensions[get_column_letter(j)].width = min(max(column.width, 6), 80)
    for i, row in enumerate(rows, start=2):
        for j, column in enumerate(table.columns, start=1):
            cell = sheet.cell(i, j)
            set_text(cell, table.cell(row, column))
            cell.alignment = wrap if column.wrap or "\n" in text_of(cell.value) else top
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(table.columns), 1))
    sheet.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 1)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
