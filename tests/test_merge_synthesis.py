"""merge brings the synthesis over: CMOC versions and chains, theory versions, flow counts,
polarity, knowledge gaps, code mappings, document characteristics and screening."""

from __future__ import annotations

import json
import shutil

from synthesis_support import build


def test_merge_brings_the_synthesis_and_adds_nothing_twice(rc, tmp_path):
    ids = build(rc, tmp_path / "docs")
    alice, bob = rc.db_path, tmp_path / "bob.db"
    shutil.copyfile(alice, bob)
    c, b = ids["c"], ids["b"]
    # bob's copy
    rc.db_path = bob
    rc("flow", "record", "identified", "50", "--label", "database search", "-r", "bob")
    rc("documents", "edit", "hubs.txt", "--evidence-type", "empirical", "--country", "England")
    rc("documents", "screen", "garden.txt", "--exclude", "--reason", "a leaflet", "-r", "bob")
    rc("cmoc", "add", "--theory", "people", "--title", "Heard", "--outcome",
       c[("garden.txt", 1)], "--then", "priorities shift", "-r", "bob")
    rc("cmoc", "add", "--theory", "people", "--title", "Owned", "--outcome",
       c[("garden.txt", 3)], "-r", "bob")
    rc("cmoc", "edit", "1", "--because", "residents feel heard", "--reason", "why not",
       "-r", "bob")
    rc("cmoc", "chain", "1", "2", "--as", "mechanism", "-r", "bob")
    rc("theory", "refine", "people", "--statement", "Heard residents own the garden.",
       "--cmoc", "1", "-r", "bob")
    rc("polarity", "set", b[("hubs.txt", 0)], "--enabling", "-r", "bob")
    rc("gaps", "add", "--title", "Who stays on?", "-r", "bob")
    rc("gaps", "link", "1", "--cmoc", "2", "--coding", c[("garden.txt", 3)], "--document",
       "garden.txt", "-r", "bob")
    rc("codebook", "map", "synthesis-test:wf_access", "--level", "system", "--to",
       "com-b:behaviour")
    # alice's store, meanwhile
    rc.db_path = alice
    rc("documents", "edit", "hubs.txt", "--evidence-type", "practice")
    rc("cmoc", "add", "--theory", "workforce", "--outcome", c[("hubs.txt", 2)], "-r", "alice")
    rc("codebook", "map", "synthesis-test:wf_access", "--level", "organisational")
    out = rc("merge", bob)
    said = out.stdout + out.stderr
    for what in ("1 flow counts", "2 theory versions", "1 polarity marks", "3 CMOC versions",
                 "1 chains", "1 knowledge gaps", "document characteristics"):
        assert what in said, what
    assert "hubs.txt: evidence type differ in the other store; kept this one" in said
    assert "synthesis-test:wf_access has level organisational here, system in the other" \
        in said
    docs = {r["file_name"]: r for r in rc.jsonl("documents", "--format", "jsonl")}
    assert docs["hubs.txt"]["evidence_type"] == "practice"  # kept
    assert docs["hubs.txt"]["country"] == "England"  # filled
    assert docs["garden.txt"]["exclusion_reason"] == "a leaflet"
    heard = json.loads(rc("cmoc", "history", "2", "--format", "json").stdout)
    assert heard["cmoc"]["title"] == "Heard" and len(heard["versions"]) == 2
    assert heard["versions"][1]["reason"] == "why not"
    assert "its outcome is the mechanism of CMOC 3" in rc("cmoc", "show", "2").stdout
    history = json.loads(rc("theory", "history", "people", "--format", "json").stdout)
    assert history[1]["cmocs"][0]["id"] == 2  # mapped to this store's id
    (gap,) = [json.loads(line) for line in rc("gaps", "list", "--format", "json").stdout
              .splitlines()]
    assert {(x["cmoc_id"], x["document"]) for x in gap["links"]} >= {(3, None)}
    assert len(gap["links"]) == 3
    assert "com-b" in rc("codebook", "mappings").stdout
    assert "merged: nothing new" in rc("merge", bob).stdout
