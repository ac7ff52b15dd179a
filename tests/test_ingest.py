"""Ingest through the CLI: cleaning rules on generated PDFs, provenance, versions, exports."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfgen import make_pdf, register_dejavu

from realistcoder.errors import InputError
from realistcoder.ingest.pipeline import extract

TOPICS = ["nurses", "pharmacists", "link workers", "practice managers", "volunteers",
          "care coordinators", "paramedics", "health visitors", "social prescribers"]


WHAT = ["shared planning", "joint visits", "weekly huddles", "a common record", "peer support",
        "named contacts", "clear referral routes"]
WHOM = ["patients", "carers", "families", "local groups", "practice staff"]
WHEN = ["first months", "second year", "winter", "whole pilot"]


def sentence(n: int, topic: str = "nurses") -> str:
    """A distinct sentence; lines of a page never repeat on other pages."""
    return (f"In site {n} the {TOPICS[n % len(TOPICS)]} and {topic} reported that "
            f"{WHAT[n % len(WHAT)]} built trust with {WHOM[n % len(WHOM)]} over the "
            f"{WHEN[n % len(WHEN)]} of the pilot.")


def paragraphs(count: int, per: int = 4, start: int = 0, topic: str = "nurses"):
    n = start
    out = []
    for _ in range(count):
        out.append(("para", " ".join(sentence(n + k, topic) for k in range(per))))
        n += per
    return out


def sentences_of(rc) -> list[dict]:
    return rc.jsonl("export", "sentences", "--format", "jsonl")


def texts(rows):
    return [r["text"] for r in rows]


def test_two_columns_read_column_by_column(rc, tmp_path):
    items = [("title", "Shared planning in community care")] + paragraphs(12)
    pdf = make_pdf(tmp_path / "two.pdf", items, columns=2)
    rc("ingest", pdf)
    got = texts(s for s in sentences_of(rc) if s["section"] == "body")
    expected = [sentence(n) for n in range(48)]
    assert got == expected


def test_three_columns(rc, tmp_path):
    items = paragraphs(15, per=3)
    make_pdf(tmp_path / "three.pdf", items, columns=3, size=8, margin=40, gutter=14)
    rc("ingest", tmp_path / "three.pdf")
    assert texts(sentences_of(rc)) == [sentence(n) for n in range(45)]


def test_running_heads_and_page_numbers_removed(rc, tmp_path):
    items = paragraphs(30)
    make_pdf(tmp_path / "heads.pdf", items, columns=2, header="Journal of Realist Testing 12(3)",
             footer="Licensed under CC BY 4.0. Smith et al.", page_numbers=True)
    rc("ingest", tmp_path / "heads.pdf")
    rows = sentences_of(rc)
    assert len({r["page"] for r in rows}) >= 3
    assert texts(rows) == [sentence(n) for n in range(120)]
    assert not any("Journal of Realist" in t or "Licensed" in t for t in texts(rows))


def test_hyphenation_rejoined_and_real_hyphens_kept(rc, tmp_path):
    lines = (
        "Staff said the new organ-\n"
        "isation of clinics helped. Teams used evidence-\n"
        "based tools and self-\n"
        "reported scores to plan care. The imple-\n"
        "mentation took a year, and well-being and long-\n"
        "term follow-up were tracked with care -\n"
        "and patience."
    )
    make_pdf(tmp_path / "hyph.pdf", [("lines", lines)])
    rc("ingest", tmp_path / "hyph.pdf")
    assert texts(sentences_of(rc)) == [
        "Staff said the new organisation of clinics helped.",
        "Teams used evidence-based tools and self-reported scores to plan care.",
        "The implementation took a year, and well-being and long-term follow-up were tracked "
        "with care - and patience.",
    ]


def test_sentence_across_page_break_is_one_sentence(rc, tmp_path):
    # 57 lines of 10 pt fit on a page: the long sentence starts on line 56 of page 1
    filler = "\n".join(f"Note {n} was filed by the team." for n in range(55))
    long = ("Across the two vanguard sites the community teams that met every week with "
            "general practitioners described a growing willingness to share records "
            "because they had come to trust each other.")
    lines = ("Across the two vanguard sites the community teams that met\n"
             "every week with general practitioners described a growing\n"
             "willingness to share records because they had come to trust\n"
             "each other. Then the pilot ended.")
    make_pdf(tmp_path / "cross.pdf", [("lines", filler), ("lines", lines)], page_numbers=True)
    rc("ingest", tmp_path / "cross.pdf")
    rows = sentences_of(rc)
    hit = [r for r in rows if r["text"] == long]
    assert len(hit) == 1, texts(rows)[-3:]
    sid = hit[0]["sentence_id"]
    rows_db = _db_rows(rc, "SELECT page_no, bbox FROM sentences WHERE id = ?", (sid,))
    pages = {box[0] for box in json.loads(rows_db[0][1])}
    assert pages == {1, 2}, "the sentence should really cross the page break"
    assert hit[0]["page"] == 1 == rows_db[0][0]


def test_ligatures_repaired(rc, tmp_path):
    font = register_dejavu()
    if font is None:
        pytest.skip("DejaVu Sans (with ligature glyphs) is not installed")
    text = "The \ufb01ndings were con\ufb01rmed by staff at the \ufb02agship clinic. " * 3
    make_pdf(tmp_path / "lig.pdf", [("para", text)], font=font, bold=font)
    rc("ingest", tmp_path / "lig.pdf")
    got = texts(sentences_of(rc))
    assert got == ["The findings were confirmed by staff at the flagship clinic."] * 3


def test_headings_captions_references_front_matter(rc, tmp_path):
    items = [
        ("title", "Trust and shared records in integrated care"),
        ("para", "Correspondence: a.author@example.org"),
        ("heading", "Introduction"),
        *paragraphs(2),
        ("caption", "Figure 1. Programme theory of shared records across sites."),
        ("heading", "Methods"),
        *paragraphs(2, start=8),
        ("heading", "References"),
        ("ref", "1. Pawson R, Tilley N. Realistic Evaluation. London: Sage; 1997."),
        ("ref", "2. Wong G, et al. RAMESES publication standards. BMC Med. 2013;11:21."),
    ]
    make_pdf(tmp_path / "sections.pdf", items, columns=1)
    rc("ingest", tmp_path / "sections.pdf")
    rows = sentences_of(rc)
    kind = {r["text"]: r["section"] for r in rows}
    assert kind["Introduction"] == "heading" and kind["Methods"] == "heading"
    assert kind["Trust and shared records in integrated care"] == "front_matter"
    assert kind["Correspondence: a.author@example.org"] == "front_matter"
    assert kind["Figure 1. Programme theory of shared records across sites."] == "caption"
    assert kind[sentence(0)] == "body" and kind[sentence(8)] == "body"
    refs = [r for r in rows if r["section"] == "references"]
    assert " ".join(texts(refs)) == (
        "1. Pawson R, Tilley N. Realistic Evaluation. London: Sage; 1997. "
        "2. Wong G, et al. RAMESES publication standards. BMC Med. 2013;11:21.")
    # a heading never merges into the sentence after it
    assert not any(t.startswith(("Introduction ", "Methods ")) for t in kind)


def test_offsets_pages_and_boxes_are_consistent(rc, tmp_path):
    make_pdf(tmp_path / "a.pdf", paragraphs(20), columns=2, header="Running head",
             page_numbers=True)
    make_pdf(tmp_path / "b.pdf", paragraphs(6, topic="managers"), columns=3, size=8)
    (tmp_path / "c.md").write_text("# Aims\n\nWe asked why. It worked.\n\n- first item\n- second\n")
    rc("ingest", tmp_path)
    assert assert_provenance(rc.db_path) == 3


@pytest.mark.slow
def test_provenance_over_the_shared_health_pdfs(rc, shared):
    result = rc("ingest", shared / "pdfs" / "health", "--jobs", "2")
    assert "0 failed" in result.stdout
    assert assert_provenance(rc.db_path) == len(list((shared / "pdfs" / "health").glob("*.pdf")))


def _printed_as(clean: str, printed: str) -> bool:
    """``printed`` (pages.text) is the page's range of the document text with only raised
    reference marks (digits, footnote symbols, their separators) put back."""
    from realistcoder.ingest.marks import MARK_CHARS

    i = 0
    for ch in printed:
        if i < len(clean) and ch == clean[i]:
            i += 1
        elif ch not in MARK_CHARS:
            return False
    return i == len(clean)


def assert_provenance(db_path) -> int:
    """Offsets, pages and boxes agree for every stored document; returns how many."""
    con = sqlite3.connect(db_path)
    docs = con.execute("SELECT id, text FROM documents WHERE status = 'ok'").fetchall()
    for doc_id, text in docs:
        pages = con.execute('SELECT page_no, start, "end", text FROM pages WHERE document_id = ? '
                            "ORDER BY page_no", (doc_id,)).fetchall()
        assert pages[0][1] == 0 and pages[-1][2] == len(text)
        for (_, _, end, _), (_, start, _, _) in zip(pages, pages[1:], strict=False):
            assert end == start
        assert all(_printed_as(text[s:e], t) for _, s, e, t in pages)
        last_end = 0
        for page_no, start, end, stext, bbox in con.execute(
            'SELECT page_no, start, "end", text, bbox FROM sentences WHERE document_id = ? '
            "ORDER BY seq", (doc_id,)
        ):
            assert text[start:end] == stext and stext == stext.strip() and stext
            assert start >= last_end
            last_end = end
            owner = [p for p, s, e, _ in pages if s <= start < e]
            assert owner == [page_no]
            if bbox:
                boxes = json.loads(bbox)
                assert boxes[0][0] == page_no
                assert all(b[1] <= b[3] and b[2] <= b[4] for b in boxes)
    con.close()
    return len(docs)


def test_reingest_is_noop_and_changed_file_is_new_version(rc, tmp_path):
    pdf = make_pdf(tmp_path / "paper.pdf", paragraphs(3), columns=1)
    original = pdf.read_bytes()
    rc("ingest", pdf)
    first = sentences_of(rc)
    again = rc("ingest", pdf)
    assert "1 unchanged" in again.stdout
    assert sentences_of(rc) == first
    make_pdf(pdf, paragraphs(4, topic="managers"), columns=1)
    out = rc("ingest", pdf)
    assert "1 new versions" in out.stdout
    rows = _db_rows(rc, "SELECT id, status, version, supersedes FROM documents ORDER BY id")
    assert rows == [(1, "superseded", 1, None), (2, "ok", 2, 1)]
    # the old version keeps its sentences (codings point at them); exports show the current one
    assert _db_rows(rc, "SELECT count(*) FROM sentences WHERE document_id = 1")[0][0] == len(first)
    now = sentences_of(rc)
    assert {r["document_id"] for r in now} == {2} and len(now) == 16
    listing = rc("documents", "list", "--all").stdout
    assert "superseded" in listing
    # going back to the first content makes that version current again (nothing re-extracted)
    pdf.write_bytes(original)
    assert "1 restored" in rc("ingest", pdf).stdout
    rows = _db_rows(rc, "SELECT id, status FROM documents ORDER BY id")
    assert rows == [(1, "ok"), (2, "superseded")]
    assert sentences_of(rc) == first


def test_text_and_markdown_files(rc, tmp_path):
    (tmp_path / "notes.txt").write_text(
        "Background\n\nStaff felt supported by the link\nworker. Referrals fell by a third.\n",
        encoding="utf-8")
    (tmp_path / "memo.md").write_text(
        "# Findings\n\nTeams met weekly (e.g. on Mondays). Trust grew.\n\n"
        "* Shared records\n* Joint visits\n\n| site | n |\n|---|---|\n| A | 3 |\n")
    rc("ingest", tmp_path)
    rows = sentences_of(rc)
    got = [(r["document"], r["text"], r["section"]) for r in rows]
    assert ("notes.txt", "Background", "heading") in got
    assert ("notes.txt", "Staff felt supported by the link worker.", "body") in got
    assert ("memo.md", "Teams met weekly (e.g. on Mondays).", "body") in got
    assert ("memo.md", "Shared records", "list") in got
    assert ("memo.md", "A | 3", "table") in got


def test_metadata_sentences_search_and_csv(rc, tmp_path):
    pdf = make_pdf(tmp_path / "meta.pdf", paragraphs(2), title="Trust in shared care teams",
                   author="A. Author; B. Author")
    rc("ingest", pdf)
    listing = rc.jsonl("documents", "list", "--format", "jsonl")
    assert listing[0]["title"] == "Trust in shared care teams"
    assert listing[0]["authors"] == "A. Author; B. Author"
    shown = rc("sentences", "meta.pdf").stdout
    assert sentence(1) in shown
    assert rc.jsonl("sentences", "1", "--section", "heading", "--format", "jsonl") == []
    hits = rc.jsonl("search", "pharmacists", "--format", "jsonl")
    assert hits and all("pharmacists" in h["text"] for h in hits)
    assert "no matches" in rc("search", "nothing-like-this").stderr
    bad = rc("search", 'unbalanced "quote', ok=False)  # bad syntax is an error, not "no matches"
    assert bad.exit_code == 1 and "not a valid search" in bad.stderr
    out = rc("export", "sentences", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0].keys() >= {"sentence_id", "document", "page", "start", "end", "text", "section"}
    assert len(rows) == 8
    missing = rc("sentences", "nope.pdf", ok=False)
    assert missing.exit_code == 1 and "nope.pdf" in missing.stderr


def test_jobs_two_gives_the_same_sentences(rc, tmp_path, db_path):
    for k in range(3):
        make_pdf(tmp_path / f"p{k}.pdf", paragraphs(3, start=10 * k), columns=2)
    rc("ingest", tmp_path, "--jobs", "2")
    parallel = [(r["document"], r["text"], r["page"]) for r in sentences_of(rc)]
    rc.db_path = db_path.with_name("serial.db")
    rc("ingest", tmp_path)
    serial = [(r["document"], r["text"], r["page"]) for r in sentences_of(rc)]
    assert sorted(parallel) == sorted(serial) and len(serial) == 36


def _db_rows(rc, sql, params=()):
    con = sqlite3.connect(rc.db_path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


WORDS = ["care", "trust", "Teams", "e.g.", "Dr.", "et", "al.", "(2019)", "5.4", "nurses", "-",
         "self-report", "“quoted”", "ﬁnding", "#", "*", "1.", "|", "Figure", "References"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
                         min_size=1, max_size=4), min_size=1, max_size=6),
       st.sampled_from([".txt", ".md"]))
def test_text_file_offsets_property(tmp_path_factory, paras, suffix):
    """Whatever the text, every sentence is an exact, trimmed slice of the stored text."""
    text = "\n\n".join("\n".join(" ".join(words) + "." for words in lines) for lines in paras)
    path = tmp_path_factory.mktemp("prop") / f"doc{suffix}"
    path.write_text(text, encoding="utf-8")
    try:
        record = extract(path)
    except InputError:
        return  # nothing but markup: refused with a message, which is fine
    assert record.pages[0].start == 0 and record.pages[-1].end == len(record.text)
    last = 0
    for s in record.sentences:
        assert record.text[s.start:s.end] == s.text == s.text.strip() != ""
        assert s.start >= last and s.page_no == 1
        last = s.end
