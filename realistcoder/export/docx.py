"""DOCX (python-docx): a landscape section with a heading and a table per group, and the
reference list of the documents cited.

Ready for a report appendix: repeated header rows, small type, column widths from the content
(no column narrower than its longest word, the quotes get the rest of the page: see
:mod:`realistcoder.export.layout`), fixed so that Word and LibreOffice lay it out alike;
characters XML forbids are dropped (one would make Word refuse the file).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from realistcoder.export.layout import column_widths
from realistcoder.export.registry import register
from realistcoder.export.safe import xml_text
from realistcoder.export.table import Table, text_of

FONT_PT = 8
EM_CM = FONT_PT * 2.54 / 72  # one em of the table's type, in cm
CELL_PADDING_CM = 0.38  # Word's default left + right cell margins
WIDE_CHUNK = 4  # a narrative map shows at most this many documents side by side on a page


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


def _put(cell, value: object, *, bold: bool = False, right: bool = False) -> None:
    lines = xml_text(text_of(value)).replace("\r", "\n").split("\n")
    paragraph = cell.paragraphs[0]
    if right:  # counts and pages
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.font.size = Pt(FONT_PT)
        run.bold = bold
        if i < len(lines) - 1:
            run.add_break()


def _fixed_layout(grid) -> None:
    """``<w:tblLayout w:type="fixed">``: the widths given, not Word's guess from the text."""
    props = grid._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    props.append(layout)


def add_table(document, table: Table, rows: list[dict], usable_cm: float) -> None:
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _fixed_layout(grid)
    ems = column_widths(table, table.rows, usable_cm / EM_CM,  # alike in every section
                        padding_ems=CELL_PADDING_CM / EM_CM)
    widths = [Cm(e * EM_CM) for e in ems]
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
            _put(cell, table.cell(row, column), right=column.numeric)


def add_references(document, references: list[tuple[str, str]]) -> None:
    """A "References" heading and one hanging paragraph per cited document."""
    if not references:
        return
    document.add_heading("References", level=2)
    for label, entry in references:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(0.8)
        paragraph.paragraph_format.first_line_indent = Cm(-0.8)
        paragraph.paragraph_format.space_after = Pt(2)
        run = paragraph.add_run(xml_text(label) + ": ")
        run.bold = True
        run.font.size = Pt(FONT_PT + 1)
        paragraph.add_run(xml_text(entry)).font.size = Pt(FONT_PT + 1)


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
        for block, rows in table.blocks(section, chunk=WIDE_CHUNK):
            add_table(document, block, rows, usable)
    add_references(document, table.references)
    document.save(str(path))
