"""Report-ready tables: DOCX column widths from the content, XLSX row heights that fit the
wrapped text, readable unique sheet names, LaTeX that compiles whatever the quotes hold, and a
reference list of the cited documents. Read back from the files (and, where LibreOffice or a
TeX engine is installed, rendered)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook
from test_export import run

from realistcoder.export import registry
from realistcoder.export.table import Column, Section, Table

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
QUOTE = ("Where GPs and the new practitioners had worked together before the hub opened, "
         "responsibilities were handed over quickly and with little dispute, and the "
         "practice nurses said that the shared training had helped them to trust each other.")
ODD = "Those with large AAA (\ufffd5.5 cm) were seen 😀 by 医生 with \u03b1 \u2264 0.05 ≥ 1"


def evidence_like(notes: bool = False, quote: str = QUOTE) -> Table:
    columns = [Column("role", "Role", 12), Column("code", "Code", 18),
               Column("source", "Source", 14), Column("page", "Page", 5, numeric=True),
               Column("quote", "Quote", 60, wrap=True), Column("who", "Reviewers", 10),
               Column("status", "Status", 10), Column("notes", "Notes", 22, wrap=True),
               Column("year", "Year", 4, numeric=True)]
    rows = [{"role": "mechanism (reasoning)", "code": "Professional willingness to adopt new "
             "ways of working", "source": "Marsh et al. 2018", "page": 12 + i,
             "quote": quote if i % 2 else quote[:90], "who": "alice, bob",
             "status": "confirmed by one", "notes": "a note" if notes else None,
             "year": 2016} for i in range(12)]
    return Table("evidence", "Evidence table",
                 columns, [Section("T1 workforce: new and expanded professional roles", rows)],
                 ["12 coded fragments."],
                 references=[("Marsh et al. 2018", "Marsh, Helen; Nowak, Tomasz (2018). "
                              "Expanding practice roles. Report. [hub-roles-evaluation.pdf]")])


def docx_columns(path: Path) -> tuple[list[str], list[float], float]:
    """(header texts, gridCol widths in cm, usable page width in cm) of the first table."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    table = root.find(f".//{W}tbl")
    assert table.find(f"{W}tblPr/{W}tblLayout").get(f"{W}type") == "fixed"
    widths = [int(g.get(f"{W}w")) / 567 for g in table.iter(f"{W}gridCol")]  # twips -> cm
    first = table.find(f"{W}tr")
    headers = ["".join(t.text or "" for t in cell.iter(f"{W}t")) for cell in first.iter(f"{W}tc")]
    size = root.find(f".//{W}sectPr/{W}pgSz")
    margins = root.find(f".//{W}sectPr/{W}pgMar")
    usable = (int(size.get(f"{W}w")) - int(margins.get(f"{W}left"))
              - int(margins.get(f"{W}right"))) / 567
    return headers, widths, usable


def min_cm(word: str, font_pt: float = 8) -> float:
    """A lower bound for a column that must hold ``word`` unbroken: half an em a character
    (narrower than any text face's average) plus Word's 0.38 cm of cell margins."""
    return len(word) * 0.5 * font_pt * 2.54 / 72 + 0.38


def test_docx_widths_come_from_the_content(tmp_path):
    path = tmp_path / "t.docx"
    registry.write_table(evidence_like(), path)
    headers, widths, usable = docx_columns(path)
    assert "Notes" not in headers  # empty in every row: dropped, the quotes get the room
    by = dict(zip(headers, widths, strict=True))
    for header in headers:  # no header word and no page / year breaks inside
        assert by[header] >= min_cm(header), header
    assert by["Year"] >= min_cm("2016") and by["Page"] >= min_cm("Page")
    assert by["Source"] >= min_cm("Marsh") and by["Code"] >= min_cm("willingness")
    assert max(by, key=by.get) == "Quote" and by["Quote"] >= 0.35 * usable
    assert sum(widths) <= usable + 0.05
    registry.write_table(evidence_like(notes=True), path)
    assert "Notes" in docx_columns(path)[0]  # kept once a row has a note


def test_docx_html_markdown_latex_end_with_the_reference_list(tmp_path):
    from docx import Document

    table = evidence_like()
    for fmt in ("docx", "html", "md", "tex"):
        registry.write_table(table, tmp_path / f"t.{fmt}")
    document = Document(str(tmp_path / "t.docx"))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[-2] == "References"
    assert paragraphs[-1].startswith("Marsh et al. 2018: Marsh, Helen; Nowak, Tomasz (2018).")
    html = (tmp_path / "t.html").read_text(encoding="utf-8")
    assert "<h2 id=\"references\">References</h2>" in html and "<dt>Marsh et al. 2018</dt>" in html
    md = (tmp_path / "t.md").read_text(encoding="utf-8")
    assert "## References\n\n- **Marsh et al. 2018**: Marsh, Helen" in md
    tex = (tmp_path / "t.tex").read_text(encoding="utf-8")
    assert r"\item[Marsh et al. 2018] Marsh, Helen" in tex


def test_xlsx_rows_fit_their_wrapped_text_and_sheet_names_read_well(tmp_path):
    table = evidence_like()
    table.sections.append(Section("T1 workforce: a second group with the same main title",
                                  table.sections[0].rows[:2]))
    table.sections.append(Section("Professional willingness to adopt new ways of working "
                                  "(mapped area)", table.sections[0].rows[:1]))
    path = tmp_path / "t.xlsx"
    registry.write_table(table, path)
    book = load_workbook(path)
    names = book.sheetnames
    assert names[:3] == ["T1 workforce", "T1 workforce (2)", "Professional willingness to…"]
    assert all(len(n) <= 31 for n in names) and {"References", "About"} <= set(names)
    about = [c.value for c in book["About"]["B"]]
    assert "T1 workforce: new and expanded professional roles" in about  # full titles kept
    sheet = book["T1 workforce"]
    header = [c.value for c in sheet[1]]
    q = header.index("Quote") + 1
    quote_chars = sheet.column_dimensions[sheet.cell(1, q).column_letter].width
    for r in range(2, sheet.max_row + 1):
        text = sheet.cell(r, q).value
        lines = -(-len(text) * 1.0 // quote_chars)  # at least: one character a width unit
        height = sheet.row_dimensions[r].height
        assert height is not None and height >= 15 * lines, (r, height, lines)
        for c in range(1, sheet.max_column + 1):  # every text cell wraps: nothing is cut off
            assert sheet.cell(r, c).alignment.wrap_text or isinstance(
                sheet.cell(r, c).value, int)


@pytest.mark.parametrize("engine", ["pdflatex", "xelatex", "lualatex"])
def test_latex_compiles_whatever_the_quotes_hold(tmp_path, engine):
    if shutil.which(engine) is None:
        pytest.skip(f"{engine} is not installed (apt-get install texlive-latex-extra "
                    "texlive-xetex texlive-luatex)")
    probe = tmp_path / "probe.tex"
    probe.write_text("\\documentclass{article}\\usepackage{iftex}\\ifPDFTeX\\else"
                     "\\usepackage{fontspec}\\fi\\begin{document}x\\end{document}\n")
    if subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", probe.name],
                      cwd=tmp_path, capture_output=True, timeout=240).returncode:
        pytest.skip(f"{engine} cannot compile even an empty document with its default font "
                    "here (its fonts or font cache are not set up)")
    path = tmp_path / "t.tex"
    registry.write_table(evidence_like(quote=ODD), path)
    tex = path.read_text(encoding="utf-8")
    assert r"\unichar{FFFD}" in tex and r"\unichar{1F600}" in tex and r"$\leq$" in tex
    assert "characters that LaTeX's standard fonts cannot show" in tex
    done = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", path.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "t.pdf").stat().st_size > 1000


@pytest.mark.slow
def test_docx_rendered_by_libreoffice_breaks_no_word(tmp_path):
    """LibreOffice lays the DOCX out; its text holds every header, year and page whole."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice and poppler-utils are not installed")
    path = tmp_path / "t.docx"
    registry.write_table(evidence_like(), path)
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(path)], capture_output=True, timeout=240, check=True)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "t.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = text.split()
    for whole in ("Role", "Code", "Source", "Page", "Quote", "Reviewers", "Status", "Year",
                  "2016", "confirmed", "willingness", "Marsh"):
        assert whole in words, whole


def test_evidence_export_of_the_review_lists_its_sources(tmp_path):
    from test_export import build_review_store

    db = build_review_store(tmp_path / "store")
    out = tmp_path / "evidence.md"
    run(db, "export", "evidence", "--unblind", "-o", out)
    text = out.read_text(encoding="utf-8")
    references = text.split("## References\n\n", 1)[1].strip().splitlines()
    assert len(references) == 3  # the PDF, the practice note and the small text
    assert any("hub-roles-evaluation.pdf" in line for line in references)
