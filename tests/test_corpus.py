"""The sample corpus: PDFs built deterministically from their sources, with honest gold labels.

Checks that corpus/*.pdf are up to date with corpus/src/*.yaml and corpus/build.py, that the
layout has the features ingest must cope with (running headers and footers, two columns,
line-end hyphenation, sentences across page and column breaks), that every gold quote is a
sentence of its source, and that ingest finds every gold quote as one of its sentences.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
import reportlab
import yaml
from click.testing import CliRunner

from realistcoder.cli.main import cli

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLD = ROOT / "tests" / "gold" / "corpus_gold.yaml"
ROLES = {"context", "mechanism", "outcome"}
THEORIES = {"design", "delivery", "management", "people_communities", "workforce",
            "technology", "leadership", "knowledge"}
FLAGS = {"negated", "hedged", "unintended"}
PARTS = {"abstract", "summary", "body", "list"}
# containment slack: bullets, list numbers and run-in labels such as "Conclusions:"
SLACK = 40


def _load_build():
    spec = importlib.util.spec_from_file_location("corpus_build", CORPUS / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


build = _load_build()


def norm(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def gold() -> dict:
    return yaml.load(GOLD.read_text(encoding="utf-8"), Loader=SafeLoader)


@functools.cache
def source_text(document: str) -> str:
    """All text of a document's source, whitespace-normalised."""
    source = ROOT / gold()["documents"][document]["source"]
    if source.suffix == ".yaml":
        return norm(" ".join(text for _, text in build.block_texts(build.load(source))))
    return norm(source.read_text(encoding="utf-8"))


def pdf_texts(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


# ------------------------------------------------------------------------------ build


def test_pdfs_are_up_to_date_with_their_sources():
    assert build.sources(), "no sources in corpus/src"
    assert build.stale() == [], "run: python corpus/build.py"


def test_build_is_deterministic_and_matches_the_shipped_pdfs(tmp_path):
    first = build.build_all(tmp_path / "a")
    second = build.build_all(tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), f"{a.name}: two builds differ"
        shipped = CORPUS / a.name
        assert pdf_texts(a) == pdf_texts(shipped), f"{a.name}: shipped PDF text differs"
        if f"reportlab {reportlab.Version};".encode() in shipped.read_bytes():
            assert a.read_bytes() == shipped.read_bytes(), f"{a.name}: shipped bytes differ"


def test_a_broken_source_is_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\nauthors: [A]\nyear: 2017\nlayout: report\nheader: {all: [a, b]}\n"
                   "footer: [c, d]\nblocks:\n  - ul:\n      - Pawson R (1997) Realist: Sage.\n")
    with pytest.raises(SystemExit, match="not a plain string"):
        build.load(bad)


@pytest.mark.parametrize("src", build.sources(), ids=lambda p: p.stem)
def test_pdf_metadata_is_set(src):
    doc = build.load(src)
    with pdfplumber.open(CORPUS / f"{src.stem}.pdf") as pdf:
        meta = pdf.metadata
    assert meta["Title"] == norm(doc["title"])
    assert meta["Author"] == "; ".join(doc["authors"])
    assert meta["Subject"] == norm(doc["subject"])
    assert meta["CreationDate"].startswith("D:2000")  # reportlab invariant mode


# ------------------------------------------------------------------------------ layout


NAMES = [src.stem for src in build.sources()]


@functools.cache
def layout(name: str) -> tuple[dict, list[dict]]:
    """Per page: header band text, footer band text, body columns as lists of lines."""
    src = build.SRC / f"{name}.yaml"
    doc = build.load(src)
    pages = []
    with pdfplumber.open(CORPUS / f"{src.stem}.pdf") as pdf:
        for page in pdf.pages:
            w, h = page.width, page.height
            top, bottom = build.MARGIN_TOP - 4, h - build.MARGIN_BOTTOM + 4
            start = top
            wide = [r for r in page.rects if r["width"] > 0.8 * (w - 2 * build.MARGIN_X)]
            if doc["layout"] == "journal" and page.page_number == 1 and wide:
                start = max(r["bottom"] for r in wide)  # below the abstract box
            n = 2 if doc["layout"] == "journal" else 1
            edges = [build.MARGIN_X + i * (w - 2 * build.MARGIN_X + build.GAP) / n
                     for i in range(n + 1)]
            columns = [page.crop((edges[i] - 1, start, edges[i + 1] - build.GAP / 2, bottom))
                       .extract_text().splitlines() for i in range(n)]
            middle = [wd for wd in page.crop((0, start, w, bottom)).extract_words()
                      if wd["x0"] < w / 2 < wd["x1"]]
            pages.append({
                "header": page.crop((0, 0, w, top)).extract_text(),
                "footer": page.crop((0, bottom, w, h)).extract_text(),
                "columns": columns,
                "straddling": middle,
            })
    return doc, pages


@pytest.mark.parametrize("name", NAMES)
def test_every_page_has_a_running_header_and_a_numbered_footer(name):
    doc, pages = layout(name)
    assert len(pages) >= 2
    for i, page in enumerate(pages):
        number = int(doc.get("first_page", 1)) + i
        assert page["header"].strip(), f"page {i + 1}: no header"
        assert re.search(rf"\b{number}\b", page["footer"]), f"page {i + 1}: no number"


@pytest.mark.parametrize("name", NAMES)
def test_journal_pages_have_two_columns_and_reports_one(name):
    doc, pages = layout(name)
    for page in pages[1:]:
        if doc["layout"] == "journal":
            assert not page["straddling"], "a body word crosses the column gap"
            assert all(page["columns"]), "an empty column"
        else:
            assert page["straddling"], "one-column text should cross the middle"


def _crossings(name: str) -> list[tuple[bool, str]]:
    """(same page?, text) for each sentence that runs from one column or page into the next."""
    doc, pages = layout(name)
    paragraphs = [norm(text) for kind, text in build.block_texts(doc) if kind in ("p", "ol", "ul")]
    cols = [(i, c) for i, page in enumerate(pages) for c in page["columns"] if c]
    out = []
    for (p1, a), (p2, b) in zip(cols, cols[1:], strict=False):
        if re.search(r"[.!?:]\W?$", a[-1]):
            continue  # the break falls between sentences
        joined = {f"{a[-1]} {b[0]}"} | ({f"{a[-1][:-1]}{b[0]}"} if a[-1].endswith("-") else set())
        if any(norm(j) in p for j in joined for p in paragraphs):
            out.append((p1 == p2, f"{a[-1]} | {b[0]}"))
    return out


def test_sentences_cross_page_and_column_breaks():
    crossings = [c for name in NAMES for c in _crossings(name)]
    assert sum(not same for same, _ in crossings) >= 2, crossings  # across a page break
    assert sum(same for same, _ in crossings) >= 1, crossings  # from one column into the next


def test_some_words_are_hyphenated_at_line_ends():
    found = []
    for name in NAMES:
        _, pages = layout(name)
        text = source_text(name + ".pdf")
        for page in pages:
            for col in page["columns"]:
                for line, nxt in zip(col, col[1:], strict=False):
                    m, n = re.search(r"(\w+)-$", line), re.match(r"(\w+)", nxt)
                    if m and n and re.search(rf"\b{m[1]}{n[1]}\b", text):
                        found.append(m[1] + n[1])
    assert len(found) >= 3, found


# ------------------------------------------------------------------------------ gold


def test_gold_labels_are_well_formed_and_cover_every_document():
    data = gold()
    documents = data["documents"]
    shipped = {p.name for p in CORPUS.iterdir() if p.suffix in (".pdf", ".md", ".txt")
               and p.name != "README.md"}
    assert set(documents) == shipped
    seen = set()
    for label in data["labels"]:
        assert label["document"] in documents, label
        assert label["role"] in ROLES, label
        assert label["theory"] in THEORIES, label
        assert label.get("part", "body") in PARTS, label
        assert set(label.get("flags", [])) <= FLAGS, label
        assert set(label.get("alt_roles", [])) <= ROLES - {label["role"]}, label
        key = (label["document"], norm(label["quote"]), label["role"], label["theory"])
        assert key not in seen, f"duplicate label {key}"
        seen.add(key)
    per_document = Counter(label["document"] for label in data["labels"])
    assert all(per_document[d] >= 8 for d in documents), per_document
    assert {label["role"] for label in data["labels"]} == ROLES


def test_every_gold_quote_is_a_sentence_of_its_source():
    data = gold()
    missing = [(x["document"], x["quote"]) for x in data["labels"] + data["tricky_negatives"]
               if norm(x["quote"]) not in source_text(x["document"])]
    assert not missing, missing


def test_gold_codes_exist_in_the_shipped_codebook():
    codebook = ROOT / "codebooks" / "mcp-realist.yaml"
    coded = [x for x in gold()["labels"] if x.get("codes")]
    if not coded or not codebook.exists():
        pytest.skip("no code ids in the gold labels yet")
    ids = set(re.findall(r"^\s*-?\s*id:\s*(\S+)", codebook.read_text(), re.M))
    unknown = {c for x in coded for c in x["codes"]} - ids
    assert not unknown, unknown


# ------------------------------------------------------------------------------ ingest


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> dict[str, list[dict]]:
    """Sentences per document after `realistcoder ingest` of the corpus documents."""
    db = tmp_path_factory.mktemp("corpus") / "review.db"
    paths = [str(CORPUS / name) for name in gold()["documents"]]
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), "ingest", *paths], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--db", str(db), "export", "sentences", "--format", "jsonl"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    by_document: dict[str, list[dict]] = {}
    for line in result.stdout.splitlines():
        if line.strip():
            row = json.loads(line)
            by_document.setdefault(row["document"], []).append(row)
    return by_document


def found(quote: str, sentences: list[dict]) -> bool:
    q = norm(quote)
    return any(q == norm(s["text"]) or (q in norm(s["text"]) and len(norm(s["text"])) - len(q)
                                        <= SLACK) for s in sentences)


@pytest.mark.parametrize("document", sorted(gold()["documents"]))
def test_ingest_finds_every_gold_quote_as_a_sentence(ingested, document):
    labels = [x for x in gold()["labels"] if x["document"] == document]
    sentences = ingested.get(document, [])
    assert sentences, f"{document} was not ingested"
    missing = sorted({x["quote"] for x in labels if not found(x["quote"], sentences)})
    assert not missing, f"{len(missing)} gold sentences not found in {document}:\n" + \
        "\n".join(missing)
