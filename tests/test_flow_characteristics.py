"""Document characteristics (evidence type, design, setting, country; edited, imported from a
sheet, shown, filtered on, mapped) and the review flow (screening, recorded counts, the
PRISMA-style diagram)."""

from __future__ import annotations

import csv
import json
from xml.etree import ElementTree

import openpyxl
import pytest
from synthesis_support import build, read_csv


@pytest.fixture
def review(rc, tmp_path):
    return build(rc, tmp_path / "docs")


def write_csv(path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def characteristics(rc) -> dict[str, dict]:
    return {r["file_name"]: r for r in rc.jsonl("documents", "--format", "jsonl")}


def test_edit_show_filter_and_map_by_characteristic(rc, review, tmp_path):
    out = rc("documents", "edit", "hubs.txt", "--evidence-type", "empirical", "--design",
             "Mixed-methods evaluation", "--country", "England").stdout
    assert "evidence type empirical, study design Mixed-methods evaluation" in out
    rc("documents", "edit", "clinics.txt", "--evidence-type", "practice", "--country",
       "Wales")
    docs = tmp_path / "docs.csv"
    rc("export", "documents", "--unblind", "-o", docs)
    hub = next(r for r in read_csv(docs) if r["File"] == "hubs.txt")
    assert (hub["Evidence type"], hub["Study design"], hub["Country"]) == (
        "empirical", "Mixed-methods evaluation", "England")
    md = tmp_path / "docs.md"
    rc("export", "documents", "--unblind", "-o", md)
    assert "| Evidence type |" in md.read_text(encoding="utf-8")
    ev = tmp_path / "e.csv"
    rc("export", "evidence", "--unblind", "--evidence-type", "empirical", "-o", ev)
    assert {r["File"] for r in read_csv(ev)} == {"hubs.txt"}
    rc("export", "evidence", "--unblind", "--design", "mixed-methods EVALUATION", "-o", ev)
    assert {r["File"] for r in read_csv(ev)} == {"hubs.txt"}
    rc("export", "evidence", "--unblind", "--country", "Wales", "--country", "England",
       "-o", ev)
    assert {r["File"] for r in read_csv(ev)} == {"hubs.txt", "clinics.txt"}
    mapped = tmp_path / "map.csv"
    rc("export", "map", "--unblind", "--rows", "evidence-type", "--by", "theory", "-o", mapped)
    rows = {r["Evidence type"]: r for r in read_csv(mapped)}
    assert set(rows) == {"empirical", "practice", "(not recorded)"}
    assert rows["empirical"]["Documents"] == "1"
    assert int(rows["empirical"]["Total"]) == 6  # hubs.txt: 6 fragments (bob agrees on 2)
    rc("documents", "edit", "hubs.txt", "--evidence-type", "")
    assert characteristics(rc)["hubs.txt"]["evidence_type"] is None


def test_import_characteristics_checks_every_row_before_writing(rc, review, tmp_path):
    bad = tmp_path / "bad.csv"
    write_csv(bad, [["Document", "Evidence type", "Design", "Stage"],
                    ["hubs.txt", "empirical", "cohort", ""],
                    ["nowhere.pdf", "empirical", "", ""],
                    ["clinics.txt", "anecdote", "", ""],
                    ["garden.txt", "", "", "full-text"]])
    result = rc("documents", "import-characteristics", bad, ok=False)
    assert result.exit_code == 1
    for needle in ("row 3: no document 'nowhere.pdf'", "row 4: unknown evidence type",
                   "row 5: a stage or reason without a screening decision", "nothing was"):
        assert needle in result.stderr
    assert characteristics(rc)["hubs.txt"]["study_design"] is None  # nothing written
    good = tmp_path / "good.xlsx"
    book = openpyxl.Workbook()
    for row in (["document", "evidence_type", "study_design", "setting", "screening",
                 "stage", "reason"],
                ["hubs.txt", "Empirical", "Mixed methods", "Primary care", "included", "", ""],
                [review["docs"]["garden.txt"], "practice", "", "", "excluded", "full-text",
                 "no outcome data"]):
        book.active.append(row)
    book.save(good)
    dry = rc("documents", "import-characteristics", good, "--dry-run").stdout
    assert "would update 2 documents" in dry
    assert characteristics(rc)["hubs.txt"]["evidence_type"] is None
    refused = rc("documents", "import-characteristics", good, ok=False)
    assert "--reviewer" in refused.stderr
    rc("documents", "import-characteristics", good, "-r", "alice")
    docs = characteristics(rc)
    assert (docs["hubs.txt"]["evidence_type"], docs["hubs.txt"]["setting"]) == ("empirical",
                                                                               "Primary care")
    assert (docs["garden.txt"]["screening"], docs["garden.txt"]["exclusion_reason"]) == (
        "excluded", "no outcome data")


def test_screening_excludes_documents_from_reports(rc, review, tmp_path):
    refused = rc("documents", "screen", "garden.txt", "--exclude", "-r", "alice", ok=False)
    assert "needs a reason" in refused.stderr
    said = rc("documents", "screen", "garden.txt", "--exclude", "--reason", "a leaflet",
              "-r", "alice").stdout
    assert "garden.txt: excluded at full text: a leaflet" in said
    rc("documents", "screen", "hubs.txt", "clinics.txt", "--include", "-r", "alice")
    ev = tmp_path / "e.csv"
    rc("export", "evidence", "--unblind", "-o", ev)
    assert "garden.txt" not in {r["File"] for r in read_csv(ev)}
    rc("export", "evidence", "--unblind", "--include-excluded", "-o", ev)
    assert "garden.txt" in {r["File"] for r in read_csv(ev)}
    md = tmp_path / "d.md"
    rc("export", "documents", "--unblind", "-o", md)
    text = md.read_text(encoding="utf-8")
    assert "garden" not in text.split("## Documents")[1]
    assert "1 document(s) excluded at screening are not listed" in text
    rc("documents", "screen", "garden.txt", "--clear", "-r", "alice")
    assert characteristics(rc)["garden.txt"]["screening"] is None


def test_flow_counts_derived_then_recorded(rc, review):
    rc("documents", "screen", "hubs.txt", "clinics.txt", "--include", "-r", "alice")
    rc("documents", "screen", "garden.txt", "--exclude", "--stage", "title-abstract",
       "-r", "alice")
    flow = json.loads(rc("flow", "--format", "json").stdout)
    assert (flow["identified"], flow["identified_recorded"]) == (3, False)
    assert (flow["excluded_title_abstract"], flow["assessed"], flow["included"]) == (1, 2, 2)
    assert flow["coded"] == 2 and flow["warnings"] == []
    rc("flow", "record", "identified", "120", "--label", "database search", "-r", "alice")
    rc("flow", "record", "identified", "100", "--label", "database search", "-r", "alice")
    rc("flow", "record", "duplicates", "10", "-r", "alice")
    rc("flow", "record", "excluded-title-abstract", "87", "--label", "wrong setting",
       "-r", "alice")
    flow = json.loads(rc("flow", "--format", "json").stdout)
    assert flow["identified"] == 100 and flow["screened"] == 90
    assert flow["excluded_title_abstract"] == 88  # 87 recorded + garden.txt
    assert flow["warnings"] == []  # 90 - 88 = 2 full texts, as ingested
    rc("flow", "record", "excluded-full-text", "4", "--label", "no mechanism data",
       "-r", "alice")
    result = rc("flow")
    assert "Full texts assessed" in result.stdout and "do not add up" in result.stderr
    assert "4 too many" in result.stderr
    rc("flow", "record", "excluded-full-text", "0", "--label", "no mechanism data",
       "-r", "alice")
    text = rc("flow").stdout
    lines = {" ".join(line.split()[:-1]): line.split()[-1] for line in text.splitlines()[1:]}
    assert lines["Records identified"] == "100" and lines["database search"] == "100"
    assert lines["Excluded on title and abstract"] == "88" and lines["wrong setting"] == "87"


def test_flow_diagram_formats(rc, review, tmp_path):
    rc("documents", "screen", "hubs.txt", "--include", "-r", "alice")
    rc("documents", "screen", "clinics.txt", "--exclude", "--reason", "one site only",
       "-r", "alice")
    dot = tmp_path / "flow.dot"
    assert "wrote the flow diagram" in rc("flow", "-o", dot).stdout
    text = dot.read_text(encoding="utf-8")
    assert text.startswith("digraph flow {") and "rankdir=TB" in text
    assert '{rank=same; "assessed"; "excluded_ft";}' in text
    labels = text.replace("\\n", " ")
    assert "Full texts excluded, with reasons: 1" in labels and "one site only: 1" in labels
    svg = tmp_path / "flow.svg"
    rc("flow", "-o", svg)
    words = " ".join(t.text or "" for t in ElementTree.parse(svg).getroot().iter(
        "{http://www.w3.org/2000/svg}text"))
    assert "Documents included in the synthesis: 1" in words
    png = tmp_path / "flow.png"
    rc("flow", "-o", png)
    assert png.read_bytes()[:4] == b"\x89PNG"
    refused = rc("flow", "--format", "svg", ok=False)
    assert "needs a file" in refused.stderr


def test_new_version_of_a_file_keeps_characteristics_and_screening(rc, review, tmp_path):
    rc("documents", "edit", "hubs.txt", "--evidence-type", "empirical")
    rc("documents", "screen", "hubs.txt", "--include", "-r", "alice")
    path = tmp_path / "docs" / "hubs.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nA sentence added later.\n",
                    encoding="utf-8")
    rc("ingest", path)
    docs = characteristics(rc)
    assert docs["hubs.txt"]["version"] == 2
    assert (docs["hubs.txt"]["evidence_type"], docs["hubs.txt"]["screening"]) == (
        "empirical", "included")
