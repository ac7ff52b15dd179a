"""Codings survive re-ingest: a changed, coded document's codings move to the new version where
its sentences read the same (exactly, then near-exactly); the rest stay on the older version,
labelled in audit and exports, and nothing is silently dropped."""

from __future__ import annotations

import json
import zipfile

import pytest

from realistcoder.store import open_store, review
from realistcoder.store.merge import merge_stores
from tests.conftest import CODEBOOKS

TRUST = "t1_trust_between_professionals"
TOOLS = "t1_practical_tools"
SHARED = "t2_shared_information"

FIRST = """# Huddles in three hubs

Daily huddles brought nurses, social workers and GPs together every morning.

Staff said that mutual trust between professions grew once the chair rotated.

Shared records meant that everyone could see the same care plan at the huddle.

Managers asked for quick results, which pushed teams to count activity.

Some patients missed having one person who knew them well.
"""

SECOND = """# Huddles in three hubs

A new opening paragraph, added in the second edition, changes nothing else.

Daily huddles brought nurses, social workers and GPs together every morning.

Staff said that mutual trust between professions grew once the chair rotated.

Shared records meant that everyone could see the same care plan at the huddle!

Managers asked for quick results which pushed teams to count activity.

Patients rarely mentioned the huddles at all.
"""


def _sentence_ids(rc, name: str) -> dict[str, int]:
    rows = rc.jsonl("sentences", name, "--format", "jsonl")
    return {r["text"]: r["sentence_id"] for r in rows}


def _find(ids: dict[str, int], start: str) -> int:
    return next(i for text, i in ids.items() if text.startswith(start))


@pytest.fixture
def coded(rc, tmp_path):
    """A note coded by alice and bob, a consensus, a two-sentence coding, a CMOC, appraisals."""
    doc = tmp_path / "huddles.md"
    doc.write_text(FIRST, encoding="utf-8")
    rc("ingest", doc)
    rc("codebook", "load", CODEBOOKS / "mcp-realist.yaml")
    ids = _sentence_ids(rc, "huddles.md")
    trust, shared = _find(ids, "Staff said"), _find(ids, "Shared records")
    managers, patients = _find(ids, "Managers"), _find(ids, "Some patients")
    for who in ("alice", "bob"):
        rc("code", trust, TRUST, "--reviewer", who, "--note", f"{who}'s note")
        rc("code", shared, SHARED, "--reviewer", who)
        rc("code", managers, TOOLS, "--reviewer", who)
    rc("code", f"{_find(ids, 'Daily')}-{trust}", TOOLS, "--reviewer", "alice")
    rc("code", patients, TRUST, "--reviewer", "alice")
    rc("resolve", trust, "--code", TRUST, "--reviewer", "alice")
    rc("appraise", "huddles.md", "--relevance", "high", "--rigour", "moderate",
       "--reviewer", "alice")
    with open_store(rc.db_path) as store:
        coding = store.query("SELECT id FROM codings WHERE reviewer = 'alice' AND code = ? "
                             "AND sentence_id = ?", (SHARED, shared))[0]["id"]
    rc("cmoc", "add", "--theory", "workforce", "--context", coding, "--if", "records are shared",
       "--then", "plans agree", "--because", "staff see the same", "--reviewer", "alice")
    doc.write_text(SECOND, encoding="utf-8")
    return rc, doc


def _active(rc) -> list[dict]:
    with open_store(rc.db_path) as store:
        return store.query(
            "SELECT c.id, c.reviewer, c.code, c.note, c.source, c.document_id, d.version, "
            "a.text AS first_text, b.text AS last_text FROM codings c "
            "JOIN documents d ON d.id = c.document_id JOIN sentences a ON a.id = c.sentence_id "
            "JOIN sentences b ON b.id = c.end_sentence_id WHERE c.active = 1 ORDER BY c.id")


def test_codings_move_to_the_new_version_and_the_rest_stay_labelled(coded):
    rc, doc = coded
    before = _active(rc)
    result = rc("ingest", doc)
    assert "1 new versions" in result.stdout
    notes = [line for line in result.stderr.splitlines() if "huddles.md" in line]
    assert any("8 codings carried to version 2 (4 exact, 4 near-exact match)" in line
               for line in notes), result.stderr
    assert any(line.startswith("warning:") and "1 codings could not be carried" in line
               for line in notes), result.stderr
    after = _active(rc)
    assert len(after) == len(before) == 9
    moved = [c for c in after if c["version"] == 2]
    stayed = [c for c in after if c["version"] == 1]
    assert len(moved) == 8 and len(stayed) == 1
    assert stayed[0]["first_text"].startswith("Some patients")
    # whole rows travel: reviewer, code, note and source are those of the original codings
    key = ("reviewer", "code", "note", "source")
    assert sorted(tuple(c[k] or "" for k in key) for c in moved) == sorted(
        tuple(c[k] or "" for k in key) for c in before
        if not c["first_text"].startswith("Some patients"))
    two = [c for c in moved if c["first_text"] != c["last_text"]]
    assert len(two) == 1 and two[0]["first_text"].startswith("Daily huddles")
    assert {c["first_text"] for c in moved if c["code"] == SHARED} == {
        "Shared records meant that everyone could see the same care plan at the huddle!"}


def test_audit_and_exports_keep_the_old_versions_codings_labelled(coded, tmp_path):
    rc, doc = coded
    rc("ingest", doc)
    audit = rc("audit", "--format", "json").stdout
    report = json.loads(audit)
    text = json.dumps(report)
    assert "reviewed none" not in text
    assert "huddles.md (older version 1)" in text
    assert rc("audit").stdout.count("included: huddles.md") == 1
    evidence = tmp_path / "evidence.csv"
    rc("export", "evidence", "--unblind", "-o", evidence)
    rows = evidence.read_text(encoding="utf-8-sig")
    old = [line for line in rows.splitlines() if "Some patients" in line]
    assert len(old) == 1 and "[older version 1]" in old[0]
    assert all("[older version" not in line for line in rows.splitlines()
               if "Some patients" not in line)
    project = tmp_path / "review.qdpx"
    result = rc("export", "qdpx", "--unblind", "-o", project)
    assert "left out" not in result.stderr
    with zipfile.ZipFile(project) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    assert 'name="huddles.md (older version 1)"' in qde
    assert qde.count("<Coding ") == 9
    listed = rc.jsonl("export", "codings", "--unblind", "--older-versions")
    assert len(listed) == 1 and listed[0]["text"].startswith("Some patients")
    status = rc("status", "--unblind").stdout
    assert "left on an older version" in status and "alice 1" in status


def test_cmoc_links_and_appraisals_follow_the_coding(coded, tmp_path):
    rc, doc = coded
    rc("ingest", doc)
    with open_store(rc.db_path) as store:
        links = store.query("SELECT c.document_id, d.version FROM cmoc_links l JOIN codings c "
                            "ON c.id = l.coding_id JOIN documents d ON d.id = c.document_id "
                            "WHERE l.removed_at IS NULL")
        appraised = store.query("SELECT d.version FROM appraisals a JOIN documents d ON "
                                "d.id = a.document_id ORDER BY d.version")
    assert [link["version"] for link in links] == [2]
    assert [a["version"] for a in appraised] == [1, 2]
    out = tmp_path / "cmoc.md"
    rc("export", "cmoc", "-o", out)
    assert "Shared records meant that everyone could see the same care plan at the huddle!" in \
        out.read_text(encoding="utf-8")


def test_replaying_the_log_gives_the_same_state(coded):
    rc, doc = coded
    rc("ingest", doc)
    with open_store(rc.db_path) as store:
        def state():
            return (store.query("SELECT id, uuid, active, ended_by FROM codings ORDER BY id"),
                    store.query("SELECT proposal_id, reviewer, status, coding_id FROM "
                                "proposal_reviews ORDER BY proposal_id, reviewer"))
        before = state()
        with store.transaction():
            for reviewer in review.reviewers(store):
                review.rebuild_reviewer(store, reviewer)
        assert state() == before


def test_a_merged_store_has_the_same_codings(coded, tmp_path):
    rc, doc = coded
    rc("ingest", doc)
    other = tmp_path / "other.db"
    with open_store(other) as target:
        merge_stores(target, rc.db_path)
        mine = _active(rc)
    from tests.conftest import Invoker

    theirs = _active(Invoker(other))
    key = ("reviewer", "code", "version", "first_text", "last_text")
    assert sorted(tuple(c[k] for k in key) for c in theirs) == sorted(
        tuple(c[k] for k in key) for c in mine)


def test_undo_without_an_id_leaves_the_carry_alone(coded):
    rc, doc = coded
    rc("ingest", doc)
    result = rc("undo", "--reviewer", "bob")
    # bob's last own decision (a hand coding made on version 1) is undone, not the carry ...
    assert f"code {TOOLS}" in result.stdout and "2 linked decision(s)" in result.stdout
    # ... and the copy carried from it goes with it
    mine = [c for c in _active(rc) if c["reviewer"] == "bob"]
    assert sorted(c["code"] for c in mine) == sorted([TRUST, SHARED])
    assert {c["version"] for c in mine} == {2}
    assert len(_active(rc)) == 8


def test_undoing_a_carry_brings_the_old_coding_back(coded):
    rc, doc = coded
    rc("ingest", doc)
    with open_store(rc.db_path) as store:
        carry = store.query("SELECT id FROM decisions WHERE origin = 'carry' AND action = 'code' "
                            "AND reviewer = 'bob' AND code = ?", (SHARED,))[0]["id"]
    rc("undo", "--reviewer", "bob", "--decision", carry)
    mine = {c["code"]: c["version"] for c in _active(rc) if c["reviewer"] == "bob"}
    assert mine == {TRUST: 2, SHARED: 1, TOOLS: 2}


def test_going_back_to_the_old_content_carries_the_codings_back(coded):
    rc, doc = coded
    rc("ingest", doc)
    doc.write_text(FIRST, encoding="utf-8")
    result = rc("ingest", doc)
    assert "1 restored" in result.stdout
    after = _active(rc)
    assert {c["version"] for c in after} == {1}
    assert len(after) == 9
    again = rc("ingest", doc)
    assert "1 unchanged" in again.stdout and "carried" not in again.stderr
