"""Safe output: formula-like quotes stay inert in CSV/XLSX, XML-illegal characters never make a
DOCX/XLSX unreadable, HTML/Markdown/LaTeX are escaped. Writers are driven with hostile cells."""

from __future__ import annotations

import csv
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from realistcoder.export import registry
from realistcoder.export.safe import spreadsheet_text, xml_text
from realistcoder.export.table import Column, Section, Table

FORMULAS = ["=1+1", "+44 staff", "-Nurses said", "@SUM(A1)", "\tindented", "\rreturn",
            '=HYPERLINK("http://evil","x")']
ILLEGAL = "bad\x00nul \x01soh \x0bvt \x0cff \x1fus \ud800lone \ufffe end"
HOSTILE = '</td></script><script>alert(1)</script> | pipe \\ & % $ # _ { } ~ ^ <b>'


def hostile_table() -> Table:
    rows = [{"quote": q, "page": 3, "n": i} for i, q in enumerate(FORMULAS)]
    rows.append({"quote": ILLEGAL, "page": 4, "n": 99})
    rows.append({"quote": HOSTILE, "page": 5, "n": -1})
    columns = [Column("quote", "Quote", 40, wrap=True), Column("page", "Page", 5, numeric=True),
               Column("n", "N", 4, numeric=True)]
    return Table("evidence", "Hostile =title", columns,
                 [Section("T1 [a]: b/c?*", rows[:4]), Section("T1 [a]: b/c?*", rows[4:])])


@pytest.fixture
def table() -> Table:
    return hostile_table()


def write(table: Table, tmp_path: Path, fmt: str) -> Path:
    path = tmp_path / f"out.{fmt}"
    registry.write_table(table, path)
    return path


def test_csv_prefixes_formula_like_text_only(table, tmp_path):
    path = write(table, tmp_path, "csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row, quote in zip(rows, FORMULAS, strict=False):
        assert row["Quote"] == "'" + quote
    assert rows[-1]["Quote"] == HOSTILE
    assert rows[-1]["N"] == "-1"  # numbers are numbers, not guarded text


def test_xlsx_never_stores_a_formula_and_keeps_the_characters(table, tmp_path):
    path = write(table, tmp_path, "xlsx")
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = load_workbook(path)
    # valid, unique names: the title before its subtitle; the full titles are on "About"
    assert book.sheetnames == ["T1 a", "T1 a (2)", "About"]
    cells = [c for ws in book.worksheets[:2] for c in ws["A"][1:]]
    for cell, quote in zip(cells, FORMULAS, strict=False):
        assert cell.data_type == "s" and cell.value == quote
        assert cell.quotePrefix
    assert cells[len(FORMULAS)].value == xml_text(ILLEGAL)
    assert book.worksheets[1]["C6"].value == -1  # numbers stay numbers


def test_docx_with_xml_illegal_characters_opens(table, tmp_path):
    from docx import Document

    path = write(table, tmp_path, "docx")
    document = Document(str(path))
    texts = [cell.text for t in document.tables for row in t.rows for cell in row.cells]
    assert xml_text(ILLEGAL).replace("\r", "\n") in texts
    assert HOSTILE in texts


def test_html_escapes_everything(table, tmp_path):
    path = write(table, tmp_path, "html")

    class Counter(HTMLParser):
        scripts = 0
        cells: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag == "script":
                self.scripts += 1
            if tag == "td":
                self.cells.append("")

        def handle_data(self, data):
            if self.cells:
                self.cells[-1] += data

    parser = Counter()
    parser.feed(path.read_text(encoding="utf-8"))
    assert parser.scripts == 1  # ours only
    assert HOSTILE in parser.cells


def test_markdown_and_latex_escape(table, tmp_path):
    md = write(table, tmp_path, "md").read_text(encoding="utf-8")
    line = next(x for x in md.splitlines() if "pipe" in x)
    assert line.count("|") - line.count(r"\|") == 4  # three columns: four unescaped bars
    tex = write(table, tmp_path, "tex").read_text(encoding="utf-8")
    assert (r"\textbar" in tex or r"| pipe" in tex) and r"\& \% \$ \# \_ \{ \}" in tex
    assert "\x00" not in tex and "\x01" not in tex


def test_spreadsheet_and_xml_guards():
    assert [spreadsheet_text(q)[0] for q in FORMULAS] == ["'"] * len(FORMULAS)
    assert spreadsheet_text("Trust grew") == "Trust grew"
    assert xml_text(ILLEGAL) == "badnul soh  vt  ff us lone  end"
    assert xml_text("emoji 😀 and é") == "emoji 😀 and é"
