"""Theory refinement history (CMOC and programme-theory versions, the refinement trail) and
CMO chains drawn as a programme-theory diagram (SVG, PNG, Graphviz DOT)."""

from __future__ import annotations

import json
import shutil
import subprocess
from xml.etree import ElementTree

import pytest
from synthesis_support import build

from realistcoder.export.theory_graph import theory_diagram
from realistcoder.store import open_store


@pytest.fixture
def review(rc, tmp_path):
    ids = build(rc, tmp_path / "docs")
    c = ids["c"]
    rc("cmoc", "add", "--theory", "workforce", "--title", "Trust and mentoring",
       "--context", c[("hubs.txt", 0)], "--reasoning", c[("hubs.txt", 1, "wf_confidence")],
       "--outcome", c[("hubs.txt", 2)], "--if", "GPs trust the new practitioners",
       "--then", "patients are seen sooner", "--because", "nurses feel able to prescribe",
       "--reason", "first reading of the hub report", "-r", "alice")
    rc("cmoc", "add", "--theory", "people", "--title", "Being heard",
       "--reasoning", c[("garden.txt", 0)], "--outcome", c[("garden.txt", 1)],
       "--if", "residents sit on the board", "--then", "they set the priorities",
       "--because", "they feel confident to speak", "-r", "alice")
    rc("cmoc", "add", "--theory", "people", "--title", "Ownership",
       "--reasoning", c[("garden.txt", 2)], "--outcome", c[("garden.txt", 3)],
       "--then", "older residents walk more", "--because", "the project feels theirs",
       "-r", "alice")
    return ids


def history(rc, cmoc: int) -> list[dict]:
    return json.loads(rc("cmoc", "history", str(cmoc), "--format", "json").stdout)["versions"]


def test_edit_keeps_the_old_statement_who_when_why_and_evidence(rc, review):
    c = review["c"]
    out = rc("cmoc", "edit", "1", "--because", "mentoring gives nurses confidence",
             "--reason", "the clinics report credits mentoring", "--prompted-by",
             c[("clinics.txt", 2)], "-r", "bob").stdout
    assert "CMOC 1 updated (version 2)" in out
    v1, v2 = history(rc, 1)
    assert (v1["version"], v1["reason"], v1["reviewer"]) == (1, "first reading of the hub "
                                                                 "report", "alice")
    assert v2["changed"] == {"because_text": ["nurses feel able to prescribe",
                                              "mentoring gives nurses confidence"]}
    assert (v2["reviewer"], v2["reason"]) == ("bob", "the clinics report credits mentoring")
    (evidence,) = v2["evidence"]
    assert evidence["coding_id"] == c[("clinics.txt", 2)]
    assert evidence["text"].startswith("Shared clinics helped")
    text = rc("cmoc", "history", "1").stdout
    assert "was: because nurses feel able to prescribe" in text
    assert "prompted by coding" in text and "(clinics.txt p. 1)" in text
    # an edit that changes nothing adds no version
    assert "nothing changed" in rc("cmoc", "edit", "1", "--because",
                                   "mentoring gives nurses confidence", "-r", "bob").stdout
    assert len(history(rc, 1)) == 2


def test_versions_record_links_and_judgements(rc, review):
    c = review["c"]
    rc("cmoc", "edit", "1", "--add-outcome", c[("hubs.txt", 3)], "--refutes",
       c[("hubs.txt", 3)], "--reason", "admissions did not fall", "-r", "alice")
    rc("cmoc", "judge", "1", str(c[("hubs.txt", 3)]), "--refines", "--note", "short follow-up",
       "-r", "bob")
    rc("cmoc", "edit", "1", "--remove", c[("hubs.txt", 2)], "-r", "alice")
    _, v2, v3, v4 = history(rc, 1)
    assert v2["added"] == [[c[("hubs.txt", 3)], "outcome", "refutes"]]
    assert v2["change"] == f"outcome {c[('hubs.txt', 3)]} added; coding " \
                           f"{c[('hubs.txt', 3)]} now refutes"
    assert v3["rejudged"] == [[c[("hubs.txt", 3)], "refutes", "refines"]]
    assert v3["reason"] == "short follow-up" and v3["reviewer"] == "bob"
    assert v4["removed"] == [[c[("hubs.txt", 2)], "outcome"]]


def test_theory_refine_keeps_the_initial_theory_as_version_1(rc, review):
    out = rc("theory", "refine", "workforce", "--statement",
             "Trusted, mentored nurses see patients sooner; admissions are unchanged.",
             "--reason", "admissions did not fall", "--cmoc", "1", "--evidence",
             review["c"][("hubs.txt", 3)], "-r", "alice").stdout
    assert "initial theory kept as version 1" in out and "version 2 recorded" in out
    rc("theory", "refine", "workforce", "--statement", "A third statement.", "-r", "bob")
    v1, v2, v3 = json.loads(rc("theory", "history", "workforce", "--format", "json").stdout)
    assert v1["statement"].startswith("Trusted, trained practitioners take on new work")
    assert v1["reason"] == "initial programme theory, from codebook synthesis-test 1"
    assert v2["cmocs"][0]["title"] == "Trust and mentoring"
    assert v2["evidence"][0]["text"].startswith("There was no reduction")
    assert v3["version"] == 3 and v3["reviewer"] == "bob"
    shown = rc("theory", "show", "workforce").stdout
    assert "version 3 by bob" in shown and "A third statement." in shown
    bad = rc("theory", "refine", "nowhere", "--statement", "x", "-r", "a", ok=False)
    assert bad.exit_code == 1 and "no theory 'nowhere'" in bad.stderr
    for command in ("show", "history"):
        bad = rc("theory", command, "nowhere", ok=False)
        assert bad.exit_code == 1 and bad.stderr.startswith("error: THEORY: no theory")


def test_export_refinement_trail_from_initial_to_refined(rc, review, tmp_path):
    rc("cmoc", "edit", "1", "--because", "mentoring gives nurses confidence",
       "--reason", "mentoring, not trust alone", "--prompted-by", review["c"][("hubs.txt", 1)],
       "-r", "bob")
    rc("theory", "refine", "workforce", "--statement", "Mentored nurses see patients sooner.",
       "--cmoc", "1", "-r", "alice")
    rc("cmoc", "chain", "2", "3", "--as", "mechanism", "--note", "priorities became theirs",
       "-r", "alice")
    out = tmp_path / "trail.md"
    said = rc("export", "refinement", "-o", out).stdout
    assert "refinement steps" in said
    text = out.read_text(encoding="utf-8")
    workforce = text[text.index("## T1 workforce"):text.index("## T3 people")]
    assert workforce.index("initial theory") < workforce.index("Mentored nurses see")
    assert "because nurses feel able to prescribe" in workforce  # Before
    assert "because mentoring gives nurses confidence" in workforce  # Now
    assert "\u201cMentoring sessions gave the nurses" in workforce  # evidence, quoted
    assert "mentoring, not trust alone" in workforce
    people = text[text.index("## T3 people"):]
    assert "outcome of CMOC 2 made the mechanism of CMOC 3" in people
    xlsx = tmp_path / "trail.xlsx"
    rc("export", "refinement", "-o", xlsx)
    assert xlsx.read_bytes()[:2] == b"PK"


def test_chain_errors_and_show(rc, review):
    rc("cmoc", "chain", "2", "3", "--as", "mechanism", "-r", "alice")
    for args, needle in ((["2", "2"], "cannot feed itself"),
                         (["2", "3", "--as", "mechanism"], "already feeds"),
                         (["2", "9"], "no CMOC with id 9")):
        bad = rc("cmoc", "chain", *args, "-r", "alice", ok=False)
        assert bad.exit_code == 1 and needle in bad.stderr
    rc("cmoc", "edit", "1", "--retire", "-r", "alice")
    bad = rc("cmoc", "chain", "1", "2", "-r", "alice", ok=False)
    assert "retired" in bad.stderr
    assert "its outcome is the mechanism of CMOC 3" in rc("cmoc", "show", "2").stdout
    assert "the outcome of CMOC 2 (Being heard) is its mechanism" in rc("cmoc", "show",
                                                                        "3").stdout
    rc("cmoc", "chain", "2", "3", "--as", "context", "-r", "alice")
    rc("cmoc", "unchain", "2", "3", "--as", "context", "-r", "alice")
    assert "mechanism of CMOC 3" in rc("cmoc", "show", "2").stdout
    assert "context of CMOC 3" not in rc("cmoc", "show", "2").stdout
    bad = rc("cmoc", "unchain", "3", "2", "-r", "alice", ok=False)
    assert "does not feed" in bad.stderr


def test_export_theory_draws_chains_and_evidence_weight(rc, review, tmp_path):
    c = review["c"]
    rc("cmoc", "edit", "1", "--add-outcome", c[("hubs.txt", 3)], "--refutes",
       c[("hubs.txt", 3)], "--add-context", c[("clinics.txt", 2)], "-r", "alice")
    rc("cmoc", "chain", "2", "3", "--as", "mechanism", "-r", "alice")
    dot = tmp_path / "theory.dot"
    said = rc("export", "theory", "-o", dot).stdout
    assert "wrote 3 configurations, 1 chains" in said
    text = dot.read_text(encoding="utf-8")
    assert text.startswith("digraph theory {")
    assert 'subgraph "cluster_cmoc1"' in text
    assert '"cmoc1_m" -> "cmoc1_o" [color="#d95f02", penwidth=2.2, label="for 2 · against 1"]' \
        in text
    assert '"cmoc2_o" -> "cmoc3_m"' in text and "outcome as mechanism" in text
    if shutil.which("dot"):
        done = subprocess.run(["dot", "-Tsvg", str(dot)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    svg = tmp_path / "theory.svg"
    rc("export", "theory", "-o", svg)
    root = ElementTree.parse(svg).getroot()
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "CMOC 3: Ownership (people)" in texts
    assert "for 2" in texts and "against 1" in texts  # the weight, a part a line
    png = tmp_path / "theory.png"
    rc("export", "theory", "--theory", "people", "-o", png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = rc("export", "theory", "-o", tmp_path / "theory.csv", ok=False)
    assert bad.exit_code == 1 and "use one of the extensions of dot, png, svg" in bad.stderr


def test_chained_configuration_is_placed_under_the_outcome_that_feeds_it(rc, review,
                                                                         db_path):
    rc("cmoc", "chain", "2", "3", "--as", "mechanism", "-r", "alice")
    rc("cmoc", "chain", "3", "1", "--as", "context", "-r", "alice")
    rc("cmoc", "chain", "1", "2", "--as", "context", "-r", "alice")  # a loop: a back edge
    with open_store(db_path) as store:
        diagram = theory_diagram(store)
    x = {n.id: n.x for n in diagram.nodes}
    assert x["cmoc3_m"] == x["cmoc2_o"] and x["cmoc1_c"] == x["cmoc3_o"]
    lanes = {n.id: n.y for n in diagram.nodes}
    assert lanes["cmoc2_o"] < lanes["cmoc3_m"] < lanes["cmoc1_c"]


def test_min_rigour_leaves_evidence_out_of_the_diagram(rc, review, db_path, tmp_path):
    rc("appraise", "hubs.txt", "--relevance", "high", "--rigour", "low", "-r", "alice")
    dot = tmp_path / "t.dot"
    rc("export", "theory", "--theory", "workforce", "--min-rigour", "moderate", "-o", dot)
    text = dot.read_text(encoding="utf-8")
    assert 'label="for 0"' in text and "style=dashed" in text
    assert "left out (rigour at least moderate): hubs.txt" in text
