"""report rameses: the RAMESES checklist filled with what the store evidences, and what the team
still has to write."""

from __future__ import annotations

import csv

import docx
import pytest
from synthesis_support import build


def read_csv(path) -> dict[int, dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {int(r["Item"]): r for r in csv.DictReader(handle)}


@pytest.fixture
def review(rc, tmp_path):
    return build(rc, tmp_path / "docs")


def test_a_bare_store_leaves_most_items_to_write(rc, review, tmp_path):
    out = tmp_path / "r.csv"
    said = rc("report", "rameses", "-o", out).stdout
    items = read_csv(out)
    assert len(items) == 19
    assert items[1]["Status"] == "to write" and items[1]["From the store"] == ""
    assert "synthesis-test 1 (10 codes)" in items[10]["From the store"]
    assert items[11]["Status"] == "to write"  # no CMOCs yet
    assert items[12]["Status"] == "from the store"  # the flow is always derivable
    assert "19. Funding: write funding and its role" in said


def test_a_worked_review_fills_the_methods_and_results(rc, review, tmp_path):
    c = review["c"]
    for doc, rigour in (("hubs.txt", "moderate"), ("clinics.txt", "high")):
        rc("appraise", doc, "--relevance", "high", "--rigour", rigour, "-r", "alice")
        rc("appraise", doc, "--relevance", "high", "--rigour", "high", "-r", "bob")
    rc("documents", "screen", "hubs.txt", "clinics.txt", "garden.txt", "--include",
       "-r", "alice")
    rc("documents", "edit", "hubs.txt", "--evidence-type", "empirical", "--country", "England")
    rc("flow", "record", "identified", "40", "--label", "database search", "-r", "alice")
    rc("flow", "record", "excluded-title-abstract", "37", "-r", "alice")
    rc("cmoc", "add", "--theory", "workforce", "--title", "Mentoring", "--reasoning",
       c[("hubs.txt", 1, "wf_confidence")], "--outcome", f"{c[('hubs.txt', 2)]},"
       f"{c[('hubs.txt', 3)]}", "--refutes", c[("hubs.txt", 3)], "--then", "patients are seen "
       "sooner", "--because", "mentored nurses feel able to prescribe", "-r", "alice")
    rc("theory", "refine", "workforce", "--statement", "Mentored nurses see patients sooner.",
       "-r", "alice")
    rc("gaps", "add", "--title", "Nothing on costs", "--theory", "workforce", "-r", "alice")
    out = tmp_path / "r.csv"
    rc("report", "rameses", "-o", out)
    items = read_csv(out)
    assert "records identified: 40 (database search 40)" in items[8]["From the store"]
    assert "2 documents appraised for relevance and rigour (2 by two or more reviewers" \
        in items[9]["From the store"]
    assert "agreement on rigour: ordinal Krippendorff's alpha" in items[9]["From the store"]
    assert "inter-coder agreement between alice, bob" in items[10]["From the store"]
    assert "1 CMO configuration across 1 theory; linked evidence: 2 supporting, 1 " \
           "refuting" in items[11]["From the store"]
    assert "identified 40, duplicates 0, screened 40, excluded on title and abstract 37, " \
           "full texts 3" in items[12]["From the store"]
    assert "evidence type: empirical 1" in items[13]["From the store"]
    assert "against 1" in items[14]["From the store"]
    assert "Mentored nurses see patients sooner." in items[15]["From the store"]
    assert "1 open knowledge gap: Nothing on costs (gap, workforce)" in \
        items[16]["From the store"]
    assert {items[n]["Status"] for n in (8, 9, 10, 11, 13, 14, 15, 16)} == {"partly"}
    word = tmp_path / "r.docx"
    rc("report", "rameses", "-o", word)
    text = "\n".join(cell.text for t in docx.Document(word).tables for row in t.rows
                     for cell in row.cells)
    assert "Document flow diagram" in text and "Nothing on costs" in text


def test_evaluation_standard_has_twenty_items(rc, review, tmp_path):
    out = tmp_path / "r.md"
    said = rc("report", "rameses", "--standard", "evaluation", "-o", out).stdout
    assert said.startswith("wrote 20 items")
    text = out.read_text(encoding="utf-8")
    assert "RAMESES II reporting standards for realist evaluations" in text
    assert "| 6 | Methods | Ethical approval |" in text
