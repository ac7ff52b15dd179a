"""Review decisions by command: accept, reject, recode, code by hand, uncode, undo, blinding,
appraisal, status, resolve, and the codings export / import contract."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest
from test_review_support import DOCS, seed

from realistcoder.store import cmoc as cm
from realistcoder.store import open_store
from realistcoder.store import review as rv

CONTRACT = {"coding_id", "sentence_id", "document", "page", "text", "code", "reviewer",
            "proposal_id", "created_at"}


@pytest.fixture
def ids(db_path):
    return seed(db_path)


@pytest.fixture
def store(db_path, ids):
    s = open_store(db_path)
    yield s
    s.close()


def test_decide_accept_reject_recode_and_export_contract(rc, ids):
    p = ids["proposals"]
    out = rc("decide", p[0], "--accept", "--reviewer", "alice").stdout
    assert "accepted as wf_trust" in out
    rc("decide", p[1], "--reject", "--reviewer", "alice", "--note", "too vague")
    out = rc("decide", p[2], "--accept", "--code", "wf_training", "--reviewer", "alice").stdout
    assert "recoded as wf_training" in out
    rows = rc.jsonl("export", "codings", "--format", "jsonl")
    assert [r["code"] for r in rows] == ["wf_trust", "wf_training"]
    for r in rows:
        assert CONTRACT <= set(r)
        assert r["reviewer"] == "alice" and r["codebook_version"] == "1.0"
    assert rows[0]["text"] == DOCS["alpha.pdf"][1][2] and rows[0]["page"] == 1
    assert rows[0]["document"] == "alpha.pdf" and rows[0]["proposal_id"] == p[0]
    assert rows[1]["source"] == "recoded" and rows[1]["role"] == "mechanism"


def test_deciding_the_same_again_changes_nothing(rc, ids):
    p = ids["proposals"][0]
    rc("decide", p, "--accept", "--reviewer", "alice")
    out = rc("decide", p, "--accept", "--reviewer", "alice").stdout
    assert "already accepted as wf_trust by alice (coding 1)" in out
    assert [r["coding_id"] for r in rc.jsonl("export", "codings")] == [1]
    rc("decide", p, "--accept", "--reviewer", "alice", "--note", "on reflection, yes")
    (row,) = rc.jsonl("export", "codings")  # a new note is a new decision: one coding still
    assert row["coding_id"] == 2 and row["note"] == "on reflection, yes"


def test_hand_coding_of_a_range_keeps_exact_text_and_null_proposal(rc, ids):
    s = ids["sentences"]
    first, last = s[("alpha.pdf", 3)], s[("alpha.pdf", 4)]
    rc("code", f"{first}-{last}", "wf_referrals", "--reviewer", "bob", "--note", "two sentences")
    (row,) = rc.jsonl("export", "codings", "--reviewer", "bob")
    assert row["proposal_id"] is None and row["end_sentence_id"] == last
    assert row["text"] == f"{DOCS['alpha.pdf'][3][2]} {DOCS['alpha.pdf'][4][2]}"
    assert row["note"] == "two sentences" and row["page"] == 2
    # coding the same fragment with the same code again is refused, not duplicated
    result = rc("code", f"{first}-{last}", "wf_referrals", "--reviewer", "bob", ok=False)
    assert result.exit_code == 1 and "already coded" in result.stderr


def test_uncode_keeps_the_row_and_the_log_is_append_only(rc, ids, db_path):
    rc("decide", ids["proposals"][0], "--accept", "--reviewer", "alice")
    (coding,) = rc.jsonl("export", "codings")
    rc("uncode", coding["coding_id"], "--reviewer", "alice")
    assert rc.jsonl("export", "codings") == []
    with open_store(db_path) as s:
        (row,) = s.query("SELECT active, ended_by FROM codings")
        assert row["active"] == 0 and row["ended_by"] is not None
        assert rv.proposal_status(s, "alice")[ids["proposals"][0]] == "pending"
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            s.conn.execute("UPDATE decisions SET reviewer = 'mallory'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            s.conn.execute("DELETE FROM decisions")
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            s.conn.execute("DELETE FROM codings")


@pytest.mark.parametrize("args,needle", [
    (["decide", "999", "--accept", "--reviewer", "alice"], "no proposal with id 999"),
    (["decide", "1", "--accept"], "pass --reviewer NAME"),
    (["decide", "1", "--accept", "--reviewer", "consensus"], "reserved"),
    (["decide", "1", "--reviewer", "alice"], "pass --accept, --reject, --code CODE or --role"),
    (["decide", "1", "--accept", "--code", "wf_trusst", "--reviewer", "a"], "did you mean"),
    (["code", "1-x", "wf_trust", "--reviewer", "alice"], "not a sentence id or range"),
    (["code", "1-8", "wf_trust", "--reviewer", "alice"], "cannot span two documents"),
    (["code", "9999", "wf_trust", "--reviewer", "alice"], "no sentence with id 9999"),
    (["uncode", "77", "--reviewer", "alice"], "no coding with id 77"),
    (["appraise", "nope.pdf", "--relevance", "high", "--rigour", "low", "--reviewer", "a"],
     "no such document"),
])
def test_mistakes_are_one_line_errors_with_the_fix(rc, ids, args, needle):
    result = rc(*args, ok=False)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0]
    assert "(" in lines[0]  # the fix


def test_a_reviewer_cannot_uncode_or_undo_another_reviewers_work(rc, ids):
    rc("decide", ids["proposals"][0], "--accept", "--reviewer", "alice")
    with open_store(rc.db_path) as s:
        coding = rv.current_codings(s, viewer="alice")[0]
    result = rc("uncode", coding["coding_id"], "--reviewer", "bob", ok=False)
    assert "another reviewer" in result.stderr
    assert "nothing to undo" in rc("undo", "--reviewer", "bob").stdout


def test_blinded_by_default(rc, ids):
    p = ids["proposals"]
    rc("decide", p[0], "--accept", "--reviewer", "alice")
    rc("decide", p[0], "--reject", "--reviewer", "bob")
    rc("decide", p[1], "--accept", "--reviewer", "bob")
    # one command without a reviewer would mix two reviewers: refused with the fix
    result = rc("export", "codings", ok=False)
    assert "blinded" in result.stderr and "--unblind" in result.stderr
    assert {r["reviewer"] for r in rc.jsonl("export", "codings", "--reviewer", "bob")} == {"bob"}
    both = rc.jsonl("export", "codings", "--unblind")
    assert {(r["reviewer"], r["proposal_id"]) for r in both} == {("alice", p[0]), ("bob", p[1])}
    # status and the log show only your own work
    status = json.loads(rc("status", "--reviewer", "alice", "--format", "json").stdout)
    assert set(status["reviewers"]) == {"alice"} and set(status["codings"]) == {"alice"}
    assert "bob" not in rc("log", "--reviewer", "alice").stdout
    # bob's decision on p[0] does not remove it from alice's queue, and vice versa
    with open_store(rc.db_path) as s:
        assert rv.proposal_status(s, "bob")[p[0]] == "rejected"
        assert rv.proposal_status(s, "alice")[p[1]] == "pending"
        with pytest.raises(rv.BlindedError):
            rv.current_codings(s, reviewers=["alice", "bob"], viewer="alice")
        assert rv.proposal_statuses(s, viewer="alice") == {p[0]: {"alice": "accepted"}}


def _state(store, reviewer):
    codings = store.query("SELECT id, active FROM codings WHERE reviewer = ? ORDER BY id",
                          (reviewer,))
    active = {c["id"] for c in codings if c["active"]}
    return active, rv.proposal_status(store, reviewer)


def test_undo_is_exact_step_by_step_and_matches_a_full_replay(store, ids):
    """Random decisions, then undo them one by one: after each undo the state equals the state
    before the undone decision; at every step the incremental state equals a full rebuild."""
    rng = random.Random(7)
    p, sents = ids["proposals"], list(ids["sentences"].values())
    codes = [c for c, *_ in __import__("test_review_support").CODES]
    snapshots = []
    for _ in range(40):
        snapshots.append(_state(store, "alice"))
        op = rng.choice(["accept", "reject", "recode", "code", "uncode"])
        try:
            if op == "accept":
                d = rv.accept(store, rng.choice(p), "alice")
            elif op == "reject":
                d = rv.reject(store, rng.choice(p), "alice")
            elif op == "recode":
                d = rv.accept(store, rng.choice(p), "alice", code=rng.choice(codes))
            elif op == "code":
                d = rv.code_by_hand(store, rng.choice(sents), rng.choice(codes), "alice")
            else:
                active = sorted(_state(store, "alice")[0])
                if not active:
                    raise rv.InputError("nothing to uncode")
                d = rv.uncode(store, rng.choice(active), "alice")
        except rv.InputError:
            snapshots.pop()
            continue
        if d["duplicate"]:  # the same decision again: nothing recorded, nothing changed
            assert _state(store, "alice") == snapshots.pop()
            continue
        incremental = _state(store, "alice")
        with store.transaction():
            rv.rebuild_reviewer(store, "alice")
        assert _state(store, "alice") == incremental
    assert len(snapshots) > 20
    while snapshots:
        rv.undo(store, "alice")
        assert _state(store, "alice") == snapshots.pop()
    assert rv.undo(store, "alice") is None
    assert rv.current_codings(store, viewer="alice") == []
    # nothing was deleted: every decision and coding row is still there
    assert store.query("SELECT count(*) AS n FROM decisions WHERE action = 'undo'")[0]["n"] > 20


def test_undo_command_restores_the_previous_decision(rc, ids):
    p = ids["proposals"][0]
    rc("decide", p, "--accept", "--reviewer", "alice")
    rc("decide", p, "--reject", "--reviewer", "alice")
    assert rc.jsonl("export", "codings") == []
    assert "undid decision 2 (reject" in rc("undo", "--reviewer", "alice").stdout
    (row,) = rc.jsonl("export", "codings")
    assert row["proposal_id"] == p and row["code"] == "wf_trust"


def test_resolve_records_attributed_consensus_codings(store, ids):
    sid = ids["sentences"][("alpha.pdf", 1)]
    rv.accept(store, ids["proposals"][0], "alice")
    made = rv.resolve(store, sid, ["wf_trust", "wf_training"], "carol", note="meeting 1")
    assert {d["code"] for d in made} == {"wf_trust", "wf_training"}
    agreed = [c for c in rv.current_codings(store, unblinded=True) if c["status"] == "consensus"]
    assert {(c["reviewer"], c["resolved_by"], c["code"]) for c in agreed} == {
        ("consensus", "carol", "wf_trust"), ("consensus", "carol", "wf_training")}
    # resolving again to a different set uncodes the consensus coding no longer agreed
    rv.resolve(store, sid, ["wf_trust"], "carol")
    again = rv.resolve(store, sid, ["wf_trust"], "carol")
    assert again == []
    agreed = [c["code"] for c in rv.current_codings(store, unblinded=True)
              if c["status"] == "consensus"]
    assert agreed == ["wf_trust"]
    # an empty agreement is recorded in the log
    other = ids["sentences"][("beta.pdf", 3)]
    (d,) = rv.resolve(store, other, [], "carol")
    assert d["action"] == "resolve" and d["code"] is None


def test_import_codings_all_or_nothing_and_idempotent(rc, ids, tmp_path):
    s = ids["sentences"]
    good = tmp_path / "hand.csv"
    good.write_text("sentence_id,code,note\n"
                    f"{s[('beta.pdf', 0)]},tech_shared_data,clear\n"
                    f"{s[('beta.pdf', 1)]}-{s[('beta.pdf', 2)]},pc_ownership,\n")
    assert "2 codings added" in rc("import", "codings", good, "--reviewer", "dana").stdout
    assert "0 codings added, 2 already" in rc("import", "codings", good, "--reviewer",
                                              "dana").stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("sentence_id,code\n"
                   f"{s[('alpha.pdf', 0)]},wf_trust\n"
                   "12x,wf_trust\n"
                   f"{s[('alpha.pdf', 1)]},no_such_code\n")
    result = rc("import", "codings", bad, "--reviewer", "dana", ok=False)
    assert "row 3:" in result.stderr and "row 4:" in result.stderr
    assert "row 2:" not in result.stderr and "nothing was imported" in result.stderr
    rows = rc.jsonl("export", "codings", "--reviewer", "dana")
    assert len(rows) == 2 and rows[0]["note"] == "clear"


def test_export_codings_csv_to_file_is_safe_for_spreadsheets(rc, ids, tmp_path):
    rc("decide", ids["proposals"][0], "--accept", "--reviewer", "alice", "--note", "=1+1")
    out = tmp_path / "c.csv"
    rc("export", "codings", "--format", "csv", "-o", out, "--reviewer", "alice")
    text = out.read_text(encoding="utf-8-sig")
    assert text.startswith("coding_id,sentence_id") and "'=1+1" in text


def test_appraise_and_status(rc, ids):
    rc("appraise", "alpha.pdf", "--relevance", "high", "--rigour", "moderate", "--reviewer", "a")
    rc("appraise", "alpha.pdf", "--relevance", "low", "--rigour", "low", "--reviewer", "a")
    with open_store(rc.db_path) as s:
        (row,) = cm.current_appraisals(s)
        assert (row["relevance"], row["rigour"], row["document"]) == ("low", "low", "alpha.pdf")
        assert len(s.query("SELECT * FROM appraisals")) == 2  # history kept
    rc("decide", ids["proposals"][0], "--accept", "--reviewer", "a")
    rc("decide", ids["proposals"][1], "--reject", "--reviewer", "a")
    out = rc("status", "--reviewer", "a").stdout
    assert "documents: 2 ingested" in out and "proposals: 8" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("a "))
    assert line.split()[1:] == ["2", "1", "0", "1", "6"]
    assert "workforce" in out and "appraised by a: 1 documents" in out
