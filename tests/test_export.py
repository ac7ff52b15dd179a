"""Report exports over the bundled corpus with simulated codings: every format is read back by
the program its users open it with, and quotes and pages must match the store exactly.

``build_review_store`` (also used by test_refi*.py) ingests two corpus documents and a small
text with formula-like sentences, proposes codes, and codes them as two reviewers would.
"""

from __future__ import annotations

import csv
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from realistcoder.cli.main import cli
from realistcoder.store import cmoc, open_store, review

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
PDF_DOC = "hub-roles-evaluation.pdf"
MD_DOC = "mdt-huddles-practice-note.md"
TRICKY_TEXT = (
    "=SUM(A1:A2) was what the practice manager typed into the budget sheet.\n\n"
    "+44 staff joined the hub in its first year, and trust between professionals grew.\n\n"
    "@mentions in the team chat replaced phone calls between GPs and nurses.\n\n"
    "-Nurses said the new roles improved access\x01 to care for older <patients> & carers.\n"
)


def run(db: Path, *args: str, ok: bool = True):
    result = CliRunner().invoke(cli, ["--db", str(db), *map(str, args)])
    if ok and result.exit_code != 0:
        raise AssertionError(f"{args} exited {result.exit_code}: {result.output}")
    return result


def build_review_store(folder: Path) -> Path:
    """A store with codings by alice and bob (agreed, single, resolved, a two-page fragment),
    appraisals and one CMOC."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "review.db"
    docs = folder / "docs"
    docs.mkdir()
    for name in (PDF_DOC, MD_DOC):
        shutil.copy(CORPUS / name, docs / name)
    (docs / "tricky.txt").write_text(TRICKY_TEXT, encoding="utf-8")
    run(db, "ingest", docs)
    run(db, "propose")
    store = open_store(db)
    try:
        proposals = store.query("SELECT id FROM proposals ORDER BY id")
        for i, p in enumerate(proposals):
            if i % 2 == 0:
                review.accept(store, p["id"], "alice", note="clear example" if i % 8 == 0 else None)
            if i % 3 == 0:
                review.accept(store, p["id"], "bob")
            elif i % 3 == 1:
                review.reject(store, p["id"], "bob")
        tricky = store.query(
            "SELECT s.id FROM sentences s JOIN documents d ON d.id = s.document_id "
            "WHERE d.file_name = 'tricky.txt' ORDER BY s.seq")
        for s in tricky:
            if not store.query("SELECT 1 FROM codings WHERE sentence_id = ? AND active = 1 AND "
                               "reviewer = 'alice' AND code = ?",
                               (s["id"], "t1_trust_between_professionals")):
                review.code_by_hand(store, s["id"], "t1_trust_between_professionals", "alice",
                                    note="=HYPERLINK(\"http://x\") pasted by mistake")
        # a fragment that runs over a page break
        pair = store.query(
            "SELECT a.id AS first, b.id AS last FROM sentences a JOIN sentences b "
            "ON b.document_id = a.document_id AND b.seq = a.seq + 1 "
            "WHERE b.page_no = a.page_no + 1 AND a.section = 'body' LIMIT 1")[0]
        review.code_by_hand(store, pair["first"], "t1_willingness", "bob",
                            end_sentence_id=pair["last"])
        disputed = store.query(
            "SELECT sentence_id FROM codings WHERE active = 1 AND reviewer = 'alice' "
            "ORDER BY id LIMIT 1")[0]["sentence_id"]
        review.resolve(store, disputed, ["t1_staff_satisfaction"], "alice")
        doc_id = store.query("SELECT id FROM documents WHERE file_name = ?", (PDF_DOC,))[0]["id"]
        cmoc.add_appraisal(store, doc_id, "alice", "high", "moderate", "small sample")
        cmoc.add_appraisal(store, doc_id, "bob", "high", "high")
        links = store.query(
            "SELECT c.id, k.role, k.mechanism_type FROM codings c JOIN codes k "
            "ON k.id = c.code_id WHERE c.active = 1 AND c.reviewer = 'alice' LIMIT 6")
        cmoc.add_cmoc(store, theory="workforce", reviewer="alice",
                      links=[(r["id"], r["mechanism_type"] or r["role"]) for r in links],
                      title="Trust opens the door", if_text="practitioners trust each other",
                      then_text="hospital referrals fall", because_text="GPs hand over work")
    finally:
        store.close()
    return db


@pytest.fixture(scope="module")
def review_db(tmp_path_factory) -> Path:
    return build_review_store(tmp_path_factory.mktemp("export") / "store")


@pytest.fixture
def db(review_db: Path, tmp_path: Path) -> Path:
    """A private copy of the module's store (tests may write to it)."""
    copy = tmp_path / "review.db"
    shutil.copy(review_db, copy)
    return copy


def stored_codings(db: Path) -> list[dict]:
    with open_store(db) as store:
        return review.current_codings(store, unblinded=True)


def fragment_texts(db: Path) -> dict[str, dict]:
    """Exact text of each coded fragment → its page span, from the store."""
    out = {}
    for c in stored_codings(db):
        pages = str(c["page"])
        if c["page"] != c["end_page"]:
            pages += f"\u2013{c['end_page']}"
        out[c["text"]] = {"pages": pages, "document": c["document"]}
    return out


# ---------------------------------------------------------------- reading exports back


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


class TableParser(HTMLParser):
    """Collects <td data-col=...> cells per row, and whether any <script src> or link exists."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self.col: str | None = None
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.rows.append({})
        if tag == "td":
            self.col = attrs.get("data-col")
            self.rows[-1][self.col] = ""
        for key in ("src", "href"):
            if attrs.get(key):
                self.external.append(attrs[key])

    def handle_endtag(self, tag):
        if tag == "td":
            self.col = None

    def handle_data(self, data):
        if self.col:
            self.rows[-1][self.col] += data


def html_rows(path: Path) -> tuple[list[dict], TableParser]:
    parser = TableParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return [r for r in parser.rows if r], parser


def xml_clean(text: str) -> str:
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


# ---------------------------------------------------------------- tests


def test_evidence_needs_unblinding_when_two_reviewers_coded(db):
    result = run(db, "export", "evidence", "-o", db.parent / "e.csv", ok=False)
    assert result.exit_code == 1
    assert "blinded" in result.stderr and "--unblind" in result.stderr
    assert not (db.parent / "e.csv").exists()
    run(db, "export", "evidence", "--reviewer", "bob", "-o", db.parent / "bob.csv")
    rows = read_csv(db.parent / "bob.csv")
    assert rows and {r["Reviewers"] for r in rows} == {"bob"}


def test_csv_quotes_pages_and_status_match_the_store(db):
    out = db.parent / "evidence.csv"
    run(db, "export", "evidence", "--unblind", "-o", out)
    rows = read_csv(out)
    truth = fragment_texts(db)
    assert len(rows) == len({(c["sentence_id"], c["end_sentence_id"], c["code"] or c["role"])
                             for c in stored_codings(db)})
    for row in rows:
        quote = row["Quote"]
        if quote.startswith("'") and quote[1:2] in ("=", "+", "-", "@"):
            quote = quote[1:]  # the formula guard
        assert quote in truth, quote
        assert row["Page"] == truth[quote]["pages"]
        assert row["File"] == truth[quote]["document"]
    statuses = {r["Status"] for r in rows}
    assert {"agreed", "confirmed by one", "resolved"} <= statuses
    assert any("\u2013" in r["Page"] for r in rows), "the two-page fragment"


def test_pages_are_the_pdf_pages_the_quotes_are_printed_on(db):
    out = db.parent / "evidence.csv"
    run(db, "export", "evidence", "--unblind", "--document", PDF_DOC, "-o", out)
    rows = read_csv(out)
    assert rows

    def letters(text: str) -> str:
        return re.sub(r"[^a-z]", "", text.lower())

    with pdfplumber.open(CORPUS / PDF_DOC) as pdf:
        pages = [letters(page.extract_text() or "") for page in pdf.pages]
    for row in rows:
        first = int(row["Page"].split("\u2013")[0])
        head = letters(row["Quote"])[:40]
        assert head in pages[first - 1], (row["Page"], row["Quote"][:60])


def test_xlsx_sheets_per_theory_frozen_filtered_and_exact(db):
    out = db.parent / "evidence.xlsx"
    run(db, "export", "evidence", "--unblind", "-o", out)
    truth = fragment_texts(db)
    book = load_workbook(out)
    assert len(book.sheetnames) >= 2
    seen = 0
    for sheet in book.worksheets:
        if sheet.title in ("About", "References"):
            continue
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        header = [c.value for c in sheet[1]]
        q, p = header.index("Quote") + 1, header.index("Page") + 1
        assert sheet.cell(2, q).alignment.wrap_text
        assert sheet.column_dimensions["F"].width >= 40  # the quote column is wide
        for r in range(2, sheet.max_row + 1):
            quote = sheet.cell(r, q).value
            assert sheet.cell(r, q).data_type == "s"  # never a formula
            match = next(t for t in truth if xml_clean(t) == quote)
            assert str(sheet.cell(r, p).value) == truth[match]["pages"]
            seen += 1
    assert seen == len(read_csv_after(db))


def read_csv_after(db: Path) -> list[dict]:
    out = db.parent / "count.csv"
    run(db, "export", "evidence", "--unblind", "-o", out)
    return read_csv(out)


def test_docx_landscape_table_per_theory_with_exact_quotes(db):
    from docx import Document
    from docx.enum.section import WD_ORIENT

    out = db.parent / "evidence.docx"
    run(db, "export", "evidence", "--unblind", "-o", out)
    document = Document(str(out))
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 2")]
    assert headings[-1] == "References"
    assert len(document.tables) == len(headings) - 1 >= 2
    truth = {xml_clean(t) for t in fragment_texts(db)}
    quotes = []
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        assert "Theory" not in header  # the heading says it
        q = header.index("Quote")
        quotes += [row.cells[q].text for row in table.rows[1:]]
    assert quotes and set(quotes) <= truth


def test_html_is_standalone_searchable_sortable_and_exact(db):
    out = db.parent / "evidence.html"
    run(db, "export", "evidence", "--unblind", "-o", out)
    rows, parser = html_rows(out)
    assert parser.external == []  # no network, no external files
    page = out.read_text(encoding="utf-8")
    assert 'id="q"' in page and "localeCompare" in page
    assert "<patients>" not in page and "&lt;patients&gt;" in page
    truth = {xml_clean(t) for t in fragment_texts(db)}
    assert {r["quote"] for r in rows} <= truth
    assert len(rows) == len(read_csv_after(db))


def test_markdown_and_latex_escape_every_cell(db):
    md, tex = db.parent / "evidence.md", db.parent / "evidence.tex"
    run(db, "export", "evidence", "--unblind", "-o", md)
    run(db, "export", "evidence", "--unblind", "--format", "tex", "-o", tex)
    text = md.read_text(encoding="utf-8")
    assert r"\<patients\>" in text
    truth = {xml_clean(t) for t in fragment_texts(db)}
    quotes = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| Role |"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            quotes.append(re.sub(r"\\(.)", r"\1", cells[4].replace("<br>", "\n")))
    assert quotes and set(quotes) <= truth
    for line in text.splitlines():
        if line.startswith("| ") and "patients" in line:
            assert line.count(" | ") == line.replace(r"\|", "").count(" | ")
    latex = tex.read_text(encoding="utf-8")
    assert r"\begin{longtable}" in latex and r"\end{document}" in latex
    assert r"\textless{}patients\textgreater{} \& carers" in latex
    assert "\x01" not in latex


def test_filters_and_grouping(db):
    out = db.parent / "f.csv"
    run(db, "export", "evidence", "--unblind", "--role", "outcome", "--status", "agreed",
        "-o", out)
    rows = read_csv(out)
    assert rows and {r["Role"] for r in rows} == {"outcome"} and {r["Status"] for r in rows} == {
        "agreed"}
    run(db, "export", "evidence", "--unblind", "--code", "t1_trust_between_professionals",
        "--group-by", "document", "-o", db.parent / "g.xlsx")
    book = load_workbook(db.parent / "g.xlsx")
    assert any("tricky" in name for name in book.sheetnames)
    run(db, "export", "evidence", "--unblind", "--status", "proposed", "-o", out)
    assert {r["Status"] for r in read_csv(out)} == {"proposed"}


def test_unknown_extension_is_one_line_error(db):
    result = run(db, "export", "evidence", "--unblind", "-o", db.parent / "e.pdf", ok=False)
    assert result.exit_code == 1 and "--format" in result.stderr
    assert "Traceback" not in result.output


def test_cmoc_table_quotes_linked_evidence(db):
    out = db.parent / "cmoc.xlsx"
    run(db, "export", "cmoc", "-o", out)
    sheet = load_workbook(out).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = {h: sheet.cell(2, i + 1).value for i, h in enumerate(header)}
    assert row["Configuration (if … then … because …)"].startswith(
        "Trust opens the door: If practitioners trust each other, then hospital referrals fall")
    evidence = "\n".join(str(row[k] or "") for k in ("Context", "Mechanism: resource",
                                                      "Mechanism: reasoning", "Outcome"))
    truth = fragment_texts(db)
    quoted = re.findall(r"\u201c(.*?)\u201d \(", evidence)
    assert quoted and all(q in truth for q in quoted)
    assert "p." in row["Sources"]
    run(db, "export", "cmoc", "-o", db.parent / "cmoc.docx")


def test_map_table_and_heatmaps(db):
    out = db.parent / "map.csv"
    run(db, "export", "map", "--unblind", "--by", "theory", "-o", out)
    rows = read_csv(out)
    assert {r["File"] for r in rows} == {PDF_DOC, MD_DOC, "tricky.txt"}
    total = sum(int(r["Total"]) for r in rows)
    assert total == len(read_csv_after(db))
    run(db, "export", "map", "--unblind", "-o", db.parent / "map.png")
    run(db, "export", "map", "--unblind", "-o", db.parent / "map.svg")
    assert (db.parent / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from xml.etree import ElementTree

    root = ElementTree.parse(db.parent / "map.svg").getroot()
    assert root.tag.endswith("svg")
    result = run(db, "export", "evidence", "--unblind", "-o", db.parent / "e.png", ok=False)
    assert result.exit_code == 1


def test_documents_table_appraisal_and_counts(db):
    out = db.parent / "documents.xlsx"
    run(db, "export", "documents", "--unblind", "-o", out)
    sheet = load_workbook(out).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = [{h: sheet.cell(r, i + 1).value for i, h in enumerate(header)}
            for r in range(2, sheet.max_row + 1)]
    hub = next(r for r in rows if r["File"] == PDF_DOC)
    assert hub["Relevance"] == "high"
    assert hub["Rigour"] == "moderate (alice); high (bob)"
    assert hub["Pages"] == 3
    assert hub["Coded"] == hub["C"] + hub["M"] + hub["O"] + hub["Other"] > 0
