"""DOCX (python-docx): a landscape section with a heading and a table per group.

Ready for a report appendix: repeated header rows, small type, column widths in proportion to
the content; characters XML forbids are dropped (one would make Word refuse the file).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from realistcoder.export.registry import register
from realistcoder.export.safe import xml_text
from realistcoder.export.table import Table, text_of

FONT_PT = 8


def _landscape(document) -> float:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    return 29.7 - 3.0


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)


def _put(cell, value: object, *, bold: bool = False) -> None:
    lines = xml_text(text_of(value)).replace("\r", "\n").split("\n")
    paragraph = cell.paragraphs[0]
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.font.size = Pt(FONT_PT)
        run.bold = bold
        if i < len(lines) - 1:
            run.add_break()


def add_table(document, table: Table, rows: list[dict], usable_cm: float) -> None:
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    total = sum(c.width for c in table.columns) or 1
    widths = [Cm(usable_cm * c.width / total) for c in table.columns]
    for grid_column, width in zip(grid.columns, widths, strict=True):
        grid_column.width = width  # <w:gridCol>, which LibreOffice and Pages go by
    header = grid.rows[0]
    _repeat_header(header)
    for cell, column, width in zip(header.cells, table.columns, widths, strict=True):
        cell.width = width
        _put(cell, column.header, bold=True)
    for row in rows:
        cells = grid.add_row().cells
        for cell, column, width in zip(cells, table.columns, widths, strict=True):
            cell.width = width
            _put(cell, table.cell(row, column))


@register("docx", extensions=(".docx",), description="Word document, a landscape table per group")
def write_docx(table: Table, path: Path) -> None:
    table = table.report_view()
    document = Document()
    usable = _landscape(document)
    document.add_heading(xml_text(table.title), level=1)
    for note in table.notes:
        document.add_paragraph(xml_text(note))
    for section in table.sections:
        if len(table.sections) > 1 or section.title != table.title:
            document.add_heading(xml_text(section.title), level=2)
        add_table(document, table, section.rows, usable)
    document.save(str(path))
