"""Evidence maps: the narrative map (quotes in the cells) in Markdown, HTML, XLSX, DOCX and
LaTeX, and heatmaps that stay readable (one panel per theory, wrapped labels, SVG text kept as
text)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook
from test_export import fragment_texts, run

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def maps(tmp_path_factory) -> tuple[Path, Path]:
    from test_export import build_review_store

    folder = tmp_path_factory.mktemp("maps")
    db = build_review_store(folder / "store")
    for ext in ("md", "html", "xlsx", "docx", "csv"):
        run(db, "export", "map", "--quotes", "--unblind", "-o", folder / f"narrative.{ext}")
    return db, folder


def test_narrative_map_holds_every_quote_with_its_page(maps):
    from realistcoder.export.markdown import md_escape

    db, folder = maps
    md = (folder / "narrative.md").read_text(encoding="utf-8")
    for text, where in fragment_texts(db).items():
        assert md_escape(f"\u201c{text}\u201d (p. {where['pages']})") in md, text[:40]
    assert md.startswith("# Narrative evidence map: codes by document")
    assert "## T1 workforce: new and expanded professional roles" in md
    assert "## References" in md


def test_narrative_map_sections_show_only_documents_with_evidence(maps):
    db, folder = maps
    md = (folder / "narrative.md").read_text(encoding="utf-8")
    for block in md.split("\n## ")[1:]:
        lines = [line for line in block.splitlines() if line.startswith("|")]
        if len(lines) < 3:
            continue
        header = [c.strip() for c in lines[0].strip("|").split("|")]
        cells = [[c.strip() for c in re.split(r"(?<!\\)\|", line.strip("|"))]
                 for line in lines[2:]]
        for j, name in enumerate(header):
            if name not in ("Code", "Role", "Fragments"):
                assert any(row[j] for row in cells if j < len(row)), (name, block[:40])


def test_narrative_map_in_xlsx_and_docx(maps):
    db, folder = maps
    book = load_workbook(folder / "narrative.xlsx")
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Theory", "Code"] and "Fragments" in header
    quotes = [c.value for row in sheet.iter_rows(min_row=2) for c in row
              if isinstance(c.value, str) and c.value.startswith("\u201c")]
    assert quotes and all(re.search(r"\(p\. [\d\u2013]+\)", q) for q in quotes)
    with zipfile.ZipFile(folder / "narrative.docx") as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    for table in root.iter(f"{W}tbl"):
        header = ["".join(t.text or "" for t in cell.iter(f"{W}t"))
                  for cell in table.find(f"{W}tr").iter(f"{W}tc")]
        documents = [h for h in header if h not in ("Code", "Role", "Fragments")]
        assert 1 <= len(documents) <= 4  # wide matrices are split into tables of 4 documents


def test_narrative_map_refuses_a_picture(maps, tmp_path):
    db, _ = maps
    result = run(db, "export", "map", "--quotes", "--unblind", "-o", tmp_path / "m.png",
                 ok=False)
    assert result.exit_code == 1 and "not a picture" in result.stderr


def test_heatmap_by_code_is_faceted_wrapped_and_svg_text_stays_text(maps, tmp_path):
    db, _ = maps
    svg = tmp_path / "map.svg"
    run(db, "export", "map", "--unblind", "-o", svg)
    root = etree.parse(str(svg)).getroot()
    texts = [" ".join("".join(t.itertext()).split()) for t in root.iter("{*}text")]
    assert texts, "labels are drawn as text elements, not glyph paths"
    assert not [el for el in root.iter("{*}path") if (el.get("id") or "").startswith(
        "DejaVuSans-")]  # no glyph outlines
    joined = " ".join(texts)
    assert "T1 workforce: new and expanded professional roles" in joined  # a panel per theory
    assert "Trust between" in joined and "professionals" in joined  # wrapped, not cut
    png = tmp_path / "map.png"
    run(db, "export", "map", "--unblind", "-o", png)
    from PIL import Image

    width, height = Image.open(png).size
    assert width <= 2400  # one theory's codes across, not every code of the codebook
