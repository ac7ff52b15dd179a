"""Text a reviewer can quote: raised reference numbers left out of sentences (kept in the page
text), contents pages marked and cut into entries, line-end hyphens rejoined where the whole is
a word. PDFs are made here (tests/pdfgen.py); real ones are checked in the slow test."""

from __future__ import annotations

import re
import sqlite3

import pytest
from pdfgen import make_pdf

from realistcoder.ingest.pipeline import extract


def sentences(pdf, section=None) -> list[str]:
    record = extract(pdf)
    return [s.text for s in record.sentences if section is None or s.section == section]


def test_raised_reference_numbers_leave_the_quote_and_stay_on_the_page(rc, tmp_path):
    pdf = make_pdf(tmp_path / "refs.pdf", [("lines", "\n".join([
        "Mechanisms can be inferred from data in the review process.^{15} Outcomes are the",
        "measured effects of interventions on patients^{16,17} and on staff.^{3–5} A mean body",
        "mass index of 31 kg/m^{2} was reported, and doses of 10^{6} cells were given.",
        "People living with frailty^{1} , a state of vulnerability^{2} , take more medicines^{3} .",
    ]))])
    got = sentences(pdf)
    assert got == [
        "Mechanisms can be inferred from data in the review process.",
        "Outcomes are the measured effects of interventions on patients and on staff.",
        "A mean body mass index of 31 kg/m2 was reported, and doses of 106 cells were given.",
        "People living with frailty, a state of vulnerability, take more medicines.",
    ]
    rc("ingest", pdf)
    page = sqlite3.connect(rc.db_path).execute("SELECT text FROM pages").fetchone()[0]
    assert "review process.15 Outcomes" in page and "patients16,17 and" in page
    assert "staff.3–5 A mean" in page
    hits = rc.jsonl("search", "review process", "--format", "jsonl")
    assert hits and hits[0]["text"].endswith("review process.")


CONTENTS = [
    ("heading", "Contents"),
    ("lines", "\n".join([
        "Background ........................................................ 2",
        "Methods and data sources ...................................... 3",
        "Findings: trust between professionals and the training that new",
        "roles need ........................................................... 4",
        "Appendix A: interview guide ……………………………………….",
    ])),
    ("heading", "Appendices"),
    ("lines", "Appendix B Logic model\nAppendix C Sites visited"),
    ("heading", "List of tables"),
    ("lines", "Table 1: Sites and staff interviewed .......................... 5"),
    ("heading", "Background"),
    ("para", "The hub opened in 2016. Staff trust grew as the practices worked together."),
]


def test_a_contents_page_is_marked_and_cut_into_entries(rc, tmp_path):
    pdf = make_pdf(tmp_path / "report.pdf", CONTENTS)
    record = extract(pdf)
    entries = [s.text for s in record.sentences if s.section == "contents"]
    assert len(entries) == 8, entries
    assert all(re.search(r"(\.{5,} ?\d|…\.)$", e) for e in entries[:4] + entries[-1:])
    assert entries[2].startswith("Findings: trust") and entries[2].endswith("4")
    assert entries[4:7] == ["Appendices", "Appendix B Logic model", "Appendix C Sites visited"]
    assert entries[7].startswith("Table 1: Sites")
    body = [s.text for s in record.sentences if s.section == "body"]
    assert body == ["The hub opened in 2016.",
                    "Staff trust grew as the practices worked together."]
    assert max(len(s.text) for s in record.sentences) < 200
    rc("ingest", pdf)  # propose reads body and list items only: no contents entry
    assert rc.jsonl("sentences", "report.pdf", "--section", "contents", "--format",
                    "jsonl")[0]["text"].startswith("Background ...")


def test_a_contents_list_without_leaders_under_its_heading(tmp_path):
    pdf = make_pdf(tmp_path / "short.pdf", [
        ("heading", "Contents"),
        ("lines", "ABSTRACT\nINTRODUCTION\nMETHODS\nRESULTS\nDISCUSSION"),
        ("heading", "Introduction"),
        ("para", "Shared records let the teams see the same plan. Visits fell by a third."),
    ])
    record = extract(pdf)
    assert [s.text for s in record.sentences if s.section == "contents"] == [
        "ABSTRACT", "INTRODUCTION", "METHODS", "RESULTS", "DISCUSSION"]
    assert "Visits fell by a third." in [s.text for s in record.sentences if s.section == "body"]


@pytest.mark.parametrize("lines, expected", [
    (["Sessions were led by staff with clinical ex-", "pertise and time to teach."],
     "Sessions were led by staff with clinical expertise and time to teach."),
    (["The model favoured analytical infor-", "mation-processing pathways in teaching."],
     "The model favoured analytical information-processing pathways in teaching."),
    (["Confidence was measured with self-", "report scales at each of the sites."],
     "Confidence was measured with self-report scales at each of the sites."),
    (["Hospices shared their end-", "of-life care plans with the GP practices."],
     "Hospices shared their end-of-life care plans with the GP practices."),
])
def test_line_end_hyphens_are_rejoined_where_the_whole_is_a_word(tmp_path, lines, expected):
    pdf = make_pdf(tmp_path / "hyphen.pdf", [("lines", "\n".join(lines))])
    assert sentences(pdf) == [expected]
