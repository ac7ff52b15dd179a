"""Coding attributes from the synthesis: polarity (enabling / blocking) with proposals from
barrier and facilitator cues, code levels, the COM-B framework and mappings onto it, the
knowledge-gap register, and code co-occurrence."""

from __future__ import annotations

import shutil

import pytest
from conftest import CODEBOOKS
from synthesis_support import build, read_csv

from realistcoder.codebook import load_codebook, write_codebook
from realistcoder.review.polarity import propose_polarity


@pytest.fixture
def review(rc, tmp_path):
    return build(rc, tmp_path / "docs")


# --------------------------------------------------------------------------- polarity


@pytest.mark.parametrize("text,polarity", [
    ("Lack of protected time was a barrier to supervision.", "blocking"),
    ("Shared clinics helped the two professions to work out who did what.", "enabling"),
    ("The new records did not help staff, who kept paper notes.", "blocking"),
    ("Funding cuts threatened the voluntary sector partners.", "blocking"),
    ("Where GPs already trusted the new practitioners, work was handed over.", "enabling"),
    ("Waiting times fell by a third.", None),
    ("Strong leadership helped, but staff shortages slowed the roll-out.", None),
])
def test_polarity_cues(text, polarity):
    proposal = propose_polarity(text)
    assert (proposal.polarity if proposal else None) == polarity


def test_polarity_suggest_set_and_show(rc, review, tmp_path):
    c = review["c"]
    listed = rc("polarity", "suggest", "--list", "-r", "alice").stdout
    assert "reads as blocking ('lack of'" in listed and "reads as enabling ('trusted')" in listed
    # first proposal (hubs.txt 0, trusted: enabling) accepted, the second chosen blocking
    out = rc("polarity", "suggest", "-r", "alice", input="a\nb\nq\n").stdout
    assert "2 coding(s) marked" in out
    ev = tmp_path / "e.csv"
    rc("export", "evidence", "--reviewer", "alice", "-o", ev)
    marks = {(r["File"], r["Quote"][:20]): r["Polarity"] for r in read_csv(ev)}
    assert marks[("hubs.txt", "Where GPs already tr")] == "enabling"
    assert "blocking" in marks.values()
    # not offered again once decided
    again = rc("polarity", "suggest", "--list", "-r", "alice").stdout
    assert "Where GPs already" not in again
    rc("polarity", "set", c[("hubs.txt", 0)], "--clear", "-r", "alice")
    rc("export", "evidence", "--reviewer", "alice", "-o", ev)
    marks = {(r["File"], r["Quote"][:20]): r["Polarity"] for r in read_csv(ev)}
    assert marks[("hubs.txt", "Where GPs already tr")] == ""
    refused = rc("polarity", "set", review["b"][("hubs.txt", 0)], "--blocking", "-r", "alice",
                 ok=False)
    assert refused.exit_code == 1 and "another reviewer's" in refused.stderr


def test_reviewers_marking_differently_are_both_shown(rc, review, tmp_path):
    rc("polarity", "set", review["c"][("hubs.txt", 0)], "--enabling", "-r", "alice")
    rc("polarity", "set", review["b"][("hubs.txt", 0)], "--blocking", "-r", "bob")
    ev = tmp_path / "e.csv"
    rc("export", "evidence", "--unblind", "-o", ev)
    (row,) = [r for r in read_csv(ev) if r["Quote"].startswith("Where GPs already")]
    assert row["Polarity"] == "enabling (alice); blocking (bob)"


# --------------------------------------------------------------------------- levels, COM-B


def test_code_level_is_read_validated_written_and_stored(rc, review, tmp_path):
    book = load_codebook(tmp_path / "docs" / "synthesis-test.yaml")
    assert book.code("wf_trust").level == "organisational" and book.code("wf_access").level \
        is None
    for suffix in (".yaml", ".csv", ".qdc"):
        out = tmp_path / f"again{suffix}"
        write_codebook(book, out)
        assert load_codebook(out).code("wf_time").level == "system", suffix
    bad = tmp_path / "bad.yaml"
    bad.write_text((tmp_path / "docs" / "synthesis-test.yaml").read_text().replace(
        "level: system", "level: national"), encoding="utf-8")
    result = rc("codebook", "validate", bad, ok=False)
    assert "unknown level 'national'" in result.stdout + result.stderr
    ev = tmp_path / "e.csv"
    rc("export", "evidence", "--reviewer", "alice", "-o", ev)
    levels = {r["Code id"]: r["Level"] for r in read_csv(ev)}
    assert levels["wf_trust"] == "organisational" and levels["wf_access"] == ""


def test_com_b_codebook_ships_validates_and_maps(rc, review, tmp_path):
    assert load_codebook(CODEBOOKS / "com-b.yaml").name == "com-b"
    out = rc("codebook", "map", "synthesis-test:wf_confidence", "--to",
             "com-b:motivation_reflective", "--to", "com-b:capability_psychological",
             "--level", "individual", "-r", "alice").stdout
    assert "com-b motivation_reflective" in out
    rc("codebook", "map", "synthesis-test:wf_access", "--to", "com-b:behaviour")
    rc("codebook", "map", "synthesis-test:wf_access", "--level", "system")
    mappings = rc("codebook", "mappings").stdout
    assert "synthesis-test:wf_access" in mappings and "level    system" in mappings
    mapped = tmp_path / "map.csv"
    rc("export", "map", "--reviewer", "alice", "--by", "framework", "-o", mapped)
    hub = next(r for r in read_csv(mapped) if r["File"] == "hubs.txt")
    assert hub["Motivation: beliefs, intentions and identity"] == "1"
    assert hub["Behaviour"] == "1" and hub["(not mapped)"] == "4"
    rc("export", "map", "--reviewer", "alice", "--by", "level", "-o", mapped)
    hub = next(r for r in read_csv(mapped) if r["File"] == "hubs.txt")
    assert (hub["individual"], hub["system"], hub["organisational"]) == ("2", "2", "1")
    for args, needle in ((["synthesis-test:nope", "--level", "system"], "no code 'nope'"),
                         (["synthesis-test:wf_access", "--to", "com-b:wishes"],
                          "no component 'wishes' in com-b"),
                         (["synthesis-test:wf_access", "--to", "unknown-frame:x"],
                          "no framework codebook 'unknown-frame'"),
                         (["wf_access", "--level", "system"], "CODEBOOK:CODE")):
        bad = rc("codebook", "map", *args, ok=False)
        assert bad.exit_code == 1 and needle in bad.stderr, args


def test_mapping_file_is_checked_whole(rc, tmp_path):
    rc("codebook", "load", CODEBOOKS / "mcp-realist.yaml")
    shipped = CODEBOOKS / "mappings" / "mcp-realist.yaml"
    out = rc("codebook", "map", shipped).stdout
    n = int(out.split(": ")[1].split()[0])
    assert n > 60 and f"{n} new" in out
    assert "0 new" in rc("codebook", "map", shipped).stdout
    bad = tmp_path / "bad.yaml"
    shutil.copy(shipped, bad)
    bad.write_text(bad.read_text().replace("t1_training, t3_ongoing_support",
                                           "t1_trainign, t3_ongoing_support"))
    result = rc("codebook", "map", bad, ok=False)
    assert "no code 't1_trainign' in mcp-realist" in result.stderr
    assert "nothing was written" in result.stderr


# --------------------------------------------------------------------------- gaps


def test_gap_register_add_link_edit_export(rc, review, tmp_path):
    c = review["c"]
    rc("cmoc", "add", "--theory", "workforce", "--outcome", c[("hubs.txt", 3)], "-r", "alice")
    assert "gap 1 added" in rc("gaps", "add", "--theory", "workforce", "--title",
                               "No evidence on admissions beyond one year", "-r", "alice").stdout
    rc("gaps", "add", "--kind", "uncertainty", "--title", "Do volunteers stay on?",
       "--theory", "people", "-r", "bob")
    said = rc("gaps", "link", "1", "--cmoc", "1", "--coding", c[("hubs.txt", 3)],
              "--document", "hubs.txt", "-r", "alice").stdout
    assert "3 link(s) added" in said
    assert "0 link(s) added" in rc("gaps", "link", "1", "--cmoc", "1", "-r", "alice").stdout
    bad = rc("gaps", "link", "1", "--cmoc", "9", "-r", "alice", ok=False)
    assert "no CMOC with id 9" in bad.stderr
    rc("gaps", "edit", "2", "--status", "addressed", "--note", "follow-up survey", "-r", "bob")
    listed = rc("gaps", "list", "--status", "open").stdout
    assert "No evidence on admissions" in listed and "volunteers" not in listed
    assert "linked: CMOC 1, coding" in listed
    out = tmp_path / "gaps.csv"
    rc("export", "gaps", "-o", out)
    first, second = read_csv(out)
    assert first["Gap or uncertainty"].startswith("No evidence on admissions")
    assert "\u201cThere was no reduction in emergency admissions" in first["Evidence"]
    assert "CMOC 1: untitled" in first["Evidence"]
    assert (second["Kind"], second["Status"]) == ("uncertainty", "addressed")


# --------------------------------------------------------------------------- co-occurrence


def test_cooccurrence_pairs_counted_by_hand(rc, review, tmp_path):
    out = tmp_path / "co.csv"
    rc("export", "cooccurrence", "--reviewer", "alice", "-o", out)
    (pair,) = read_csv(out)  # only hubs.txt sentence 2 holds two codes
    assert {pair["A id"], pair["B id"]} == {"wf_training", "wf_confidence"}
    assert (pair["Together"], pair["A"], pair["B"], pair["Overlap"]) == ("1", "1", "1", "1.0")
    assert pair["Where they meet"].startswith("\u201cMentoring sessions gave")
    rc("export", "cooccurrence", "--reviewer", "alice", "--unit", "paragraph", "--by",
       "theory", "-o", out)
    assert read_csv(out) == []  # each text paragraph is one sentence, of one theory
    matrix = tmp_path / "m.csv"
    rc("export", "cooccurrence", "--reviewer", "alice", "--matrix", "-o", matrix)
    rows = {r["Code"]: r for r in read_csv(matrix)}
    assert rows["Training and mentoring"]["Confidence to take on new work"] == "1"
    assert rows["Trust between professionals"]["Trust between professionals"] == "3"
    png = tmp_path / "m.png"
    rc("export", "cooccurrence", "--reviewer", "alice", "-o", png)
    assert png.read_bytes()[:4] == b"\x89PNG"
