"""The interactive review, driven by scripted keystrokes (stdin is not a terminal, so the loop
reads one key per line): accept, reject, change code, extend, note, skip, undo, quit, resume."""

from __future__ import annotations

import pytest
from test_review_support import DOCS, seed

from realistcoder.review.session import Filters, ReviewSession, matched_spans
from realistcoder.store import open_store
from realistcoder.store import review as rv


@pytest.fixture
def ids(db_path):
    return seed(db_path)


def codings(db_path, reviewer="alice"):
    with open_store(db_path) as s:
        return rv.current_codings(s, viewer=reviewer)


def test_scripted_session_end_to_end_with_undo_and_resume(rc, ids, db_path):
    p = ids["proposals"]
    keys = "\n".join([
        "a",                 # p0 accepted
        "r",                 # p1 rejected
        "n", "o", "spans two sentences", "a",   # p2 accepted over two sentences, with a note
        "c", "shared data", "1",                # p3 recoded via search: pick the first hit
        "u",                 # undo the recode: back on p3
        "c", "wf_referrals",                    # exact code id
        "s",                 # skip p4
        "z",                 # unknown key: told, nothing happens
        "q",
    ]) + "\n"
    result = rc("review", "--reviewer", "alice", input=keys, env={"COLUMNS": "80"})
    out = result.stdout
    assert "8 proposals in this queue, 0 already decided" in out
    assert "[trust]" in out  # the matched words are marked
    assert "undid recode of proposal" in out and "unknown key" in out
    assert "4 decisions this session (1 undone)" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    got = {c["proposal_id"]: c for c in codings(db_path)}
    assert set(got) == {p[0], p[2], p[3]}
    assert got[p[2]]["note"] == "spans two sentences"
    assert got[p[2]]["text"] == f"{DOCS['alpha.pdf'][2][2]} {DOCS['alpha.pdf'][3][2]}"
    assert got[p[3]]["code"] == "wf_referrals" and got[p[3]]["source"] == "recoded"
    with open_store(db_path) as s:
        status = rv.proposal_status(s, "alice")
    assert status[p[1]] == "rejected" and status[p[4]] == "pending"

    # the next session resumes at the first proposal still pending (the skipped one)
    again = rc("review", "--reviewer", "alice", input="a\nq\n").stdout
    assert "8 proposals in this queue, 4 already decided" not in again  # queue is pending only
    assert "4 proposals in this queue, 0 already decided" in again
    assert f"proposal {p[4]} " in again.split("\n\n")[1]
    assert p[4] in {c["proposal_id"] for c in codings(db_path)}


def test_end_of_input_and_end_of_queue_lose_nothing(rc, ids, db_path):
    out = rc("review", "--reviewer", "bob", "--document", "beta.pdf",
             input="a\nr\n").stdout  # input ends without q
    assert "3 proposals in this queue" in out and "Run the same command to continue" in out
    assert len(codings(db_path, "bob")) == 1
    out = rc("review", "--reviewer", "bob", "--document", "beta.pdf", input="a\n").stdout
    assert "1 proposals in this queue" in out and "end of queue: 1 of 1 decided" in out
    assert "nothing to review" in rc("review", "--reviewer", "bob", "--document",
                                     "beta.pdf").stdout


def test_filters_and_revisiting_decided_proposals(rc, ids):
    out = rc("review", "--reviewer", "alice", "--min-score", "0.8", "--role", "outcome",
             input="q\n").stdout
    assert "1 proposals in this queue" in out and "wf_referrals" in out
    rc("decide", ids["proposals"][4], "--reject", "--reviewer", "alice")
    out = rc("review", "--reviewer", "alice", "--status", "rejected", input="a\n").stdout
    assert "your current decision: rejected" in out
    rows = rc.jsonl("export", "codings", "--reviewer", "alice")
    assert [r["code"] for r in rows] == ["wf_referrals"]
    bad = rc("review", "--reviewer", "alice", "--code", "nonsense", ok=False)
    assert "no code 'nonsense'" in bad.stderr


def test_review_without_a_reviewer_is_a_one_line_error(rc, ids):
    result = rc("review", ok=False)
    assert result.exit_code == 1 and "--reviewer NAME" in result.stderr


def test_session_api_extend_edges_and_undo_across_sessions(db_path, ids):
    with open_store(db_path) as s:
        session = ReviewSession(s, "carol", Filters(document_id=ids["documents"]["alpha.pdf"]))
        card = session.current()
        assert card.before is not None and card.position == 1 and card.remaining == 5
        assert session.extend(-1) and not session.extend(-1)  # first sentence of the document
        d = session.accept()
        assert (d["sentence_id"], d["end_sentence_id"]) == (
            ids["sentences"][("alpha.pdf", 0)], ids["sentences"][("alpha.pdf", 1)])
        later = ReviewSession(s, "carol")  # a new session can undo the last one's decision
        assert later.current().proposal["id"] == ids["proposals"][1]
        later.undo()
        assert later.current().proposal["id"] == ids["proposals"][0]
        assert rv.current_codings(s, viewer="carol") == []


def test_matched_spans_tolerates_formats_and_bad_offsets():
    text = "Training gave staff confidence"
    assert matched_spans('[{"start": 0, "end": 8}, {"start": 20, "end": 30}]', text) == [
        (0, 8), (20, 30)]
    assert matched_spans([[0, 8], [4, 12]], text) == [(0, 12)]
    assert matched_spans('[{"start": 5, "end": 99}]', text) == []
    assert matched_spans("not json", text) == []
