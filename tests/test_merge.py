"""`realistcoder merge OTHER.db`: documents by content hash, codes by version and id, decisions
by uuid; merging twice adds nothing; conflicting decisions are reported; undo survives merge."""

from __future__ import annotations

import json
import sqlite3

import pytest
from test_review_support import seed

from realistcoder.store import cmoc as cm
from realistcoder.store import open_store
from realistcoder.store import review as rv


def table_counts(path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (
            "documents", "sentences", "codebooks", "codes", "proposals", "decisions",
            "codings", "proposal_reviews", "appraisals", "cmocs", "cmoc_links")}
    finally:
        conn.close()


@pytest.fixture
def two_stores(tmp_path):
    here, there = tmp_path / "alice.db", tmp_path / "bob.db"
    return here, seed(here), there, seed(there)


def test_merge_brings_decisions_and_is_idempotent(rc, two_stores, tmp_path):
    here, ids, there, _ = two_stores
    p = ids["proposals"]
    with open_store(here) as s:
        rv.accept(s, p[0], "alice")
        rv.accept(s, p[1], "alice")
    with open_store(there) as s:
        rv.reject(s, p[0], "bob")
        rv.code_by_hand(s, ids["sentences"][("beta.pdf", 3)], "pc_behaviour", "bob", note="x")
        d = rv.accept(s, p[2], "bob")
        rv.undo(s, "bob")  # the undo travels with the log
        rv.accept(s, p[1], "alice")  # alice also worked in this copy: same decision, no conflict
        rv.accept(s, p[4], "alice", code="wf_access")
        cm.add_appraisal(s, ids["documents"]["beta.pdf"], "bob", "high", "low")
        coding = rv.current_codings(s, viewer="bob")[0]["coding_id"]
        cm.add_cmoc(s, theory="people_communities", reviewer="bob", links=[(coding, "outcome")],
                    then_text="better behaviour")
    rc.db_path = here
    out = rc("merge", there).stdout
    assert "documents" not in out.split("\n")[0]  # same content hash: nothing to add
    assert "decisions" in out and "1 appraisals" in out and "1 CMOCs" in out
    after_first = table_counts(here)
    assert "merged: nothing new" in rc("merge", there).stdout
    assert table_counts(here) == after_first
    with open_store(here) as s:
        assert rv.proposal_status(s, "bob")[p[0]] == "rejected"
        assert rv.proposal_status(s, "bob")[p[2]] == "pending"  # undone in bob's store
        assert not s.query("SELECT 1 FROM codings WHERE uuid = ? AND active = 1", (d["uuid"],))
        bob = rv.current_codings(s, viewer="bob")
        assert [(c["code"], c["note"]) for c in bob] == [("pc_behaviour", "x")]
        alice = {c["proposal_id"]: c["code"] for c in rv.current_codings(s, viewer="alice")}
        assert alice == {p[0]: "wf_trust", p[1]: "wf_training", p[4]: "wf_access"}
        (cmoc,) = cm.list_cmocs(s)
        assert cmoc["n_outcome"] == 1 and cmoc["reviewer"] == "bob"


def test_merge_copies_new_documents_and_codebook_versions(rc, tmp_path):
    here, there = tmp_path / "a.db", tmp_path / "b.db"
    seed(here)
    ids_b = seed(there, codebook_version="2.0")
    conn = sqlite3.connect(there)  # make bob's alpha.pdf a different file
    conn.execute("UPDATE documents SET sha256 = 'f' || substr(sha256, 2) WHERE file_name = "
                 "'alpha.pdf'")
    conn.commit()
    conn.close()
    with open_store(there) as s:
        rv.accept(s, ids_b["proposals"][0], "bob")
    rc.db_path = here
    result = rc("merge", there)
    assert "1 documents" in result.stdout and "1 codebook versions" in result.stdout
    assert "conflict: alpha.pdf: the other store's copy has different content" in result.stdout
    (row,) = rc.jsonl("export", "codings", "--reviewer", "bob")
    assert row["codebook_version"] == "2.0" and row["document"] == "alpha.pdf"
    assert row["document_id"] == 3 and row["text"].startswith("Where trust")
    assert table_counts(here)["documents"] == 3
    before = table_counts(here)
    rc("merge", there)
    assert table_counts(here) == before


def test_conflicting_decisions_by_the_same_reviewer_are_reported(rc, two_stores):
    here, ids, there, _ = two_stores
    p = ids["proposals"][0]
    with open_store(here) as s:
        rv.accept(s, p, "alice")
    with open_store(there) as s:
        rv.reject(s, p, "alice")  # later
    rc.db_path = here
    out = rc("merge", there).stdout
    assert f"conflict: alice, proposal {p}: accepted here, rejected in the other store" in out
    status = json.loads(rc("status", "--reviewer", "alice", "--format", "json").stdout)
    assert status["reviewers"]["alice"]["rejected"] == 1


def test_merge_errors(rc, two_stores, tmp_path):
    here, *_ = two_stores
    rc.db_path = here
    result = rc("merge", here, ok=False)
    assert "into itself" in result.stderr
    junk = tmp_path / "junk.db"
    junk.write_text("this is not sqlite at all " * 100)
    result = rc("merge", junk, ok=False)
    assert result.exit_code == 1 and "not a realistcoder store" in result.stderr


def test_merge_keeps_decisions_on_role_proposals_and_learned_models(rc, tmp_path):
    """Role proposals (no code) and a reviewer's learned proposals, scores and models travel
    with the merge: every decision on them is merged and the reviewer's view is the same."""
    import csv
    import shutil

    from conftest import Invoker
    from test_learn import truth, write_documents

    docs = write_documents(tmp_path)
    rc("ingest", *docs)
    rc("propose")
    bob_db = tmp_path / "bob.db"
    shutil.copy(rc.db_path, bob_db)
    bob = Invoker(bob_db)
    sentences = bob.jsonl("export", "sentences", "--format", "jsonl")
    labels = tmp_path / "bob.csv"
    with labels.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["sentence_id", "role"])
        for s in sentences:
            if s["document"] != docs[3].name and s["section"] == "body":
                for role in sorted(truth(s["text"])) or ["none"]:
                    out.writerow([s["sentence_id"], role])
    bob("import", "codings", labels, "--reviewer", "bob")
    bob("propose", "--learn", "--reviewer", "bob")
    mine = [p for p in bob.jsonl("export", "proposals", "--reviewer", "bob", "--format",
                                 "jsonl") if p["code"] is None and p["status"] == "pending"]
    learned = [p for p in mine if p["method"] == "learned"]
    cold = [p for p in mine if p["method"] == "role"]
    assert learned and len(cold) >= 2
    bob("decide", learned[0]["proposal_id"], "--accept", "--reviewer", "bob")
    bob("decide", cold[0]["proposal_id"], "--accept", "--reviewer", "bob")
    bob("decide", cold[1]["proposal_id"], "--reject", "--reviewer", "bob")

    out = rc("merge", bob_db).stdout
    assert "could not be matched" not in out and "1 learned models" in out

    def view(invoker) -> set:
        return {(p["sentence_id"], p["role"], p["code"], p["method"], p["status"], p["score"])
                for p in invoker.jsonl("export", "proposals", "--reviewer", "bob", "--format",
                                       "jsonl")}

    assert view(rc) == view(bob)
    (model,) = rc.jsonl("models", "--reviewer", "bob", "--format", "jsonl")
    (theirs,) = bob.jsonl("models", "--reviewer", "bob", "--format", "jsonl")
    assert model["uuid"] == theirs["uuid"] and model["last_decision_id"]
    with open_store(rc.db_path) as s:  # the merged last decision is bob's, found by its uuid
        (d,) = s.query("SELECT reviewer FROM decisions WHERE id = ?", (model["last_decision_id"],))
        assert d["reviewer"] == "bob"
    assert "merged: nothing new" in rc("merge", bob_db).stdout
    alice = rc.jsonl("export", "proposals", "--reviewer", "alice", "--format", "jsonl")
    assert not any(p["method"] == "learned" for p in alice)  # bob's stay bob's
