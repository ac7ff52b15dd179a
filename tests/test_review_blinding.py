"""Blinding of the proposals listing: `--status pending|decided` is per reviewer, and without
`--reviewer` only `--unblind` reveals that anyone has decided anything."""

from __future__ import annotations

import json

import pytest
from test_review_support import seed


@pytest.fixture
def ids(db_path):
    return seed(db_path)


def _ids(rows):
    return {r["proposal_id"] for r in rows}


def test_pending_and_decided_are_per_reviewer(rc, ids):
    everyone = set(ids["proposals"])
    first, second = ids["proposals"][:2]
    rc("decide", first, "--accept", "--reviewer", "bob")
    rc("decide", second, "--reject", "--reviewer", "alice")
    # alice cannot tell that bob decided `first`: it is still pending for her
    pending = rc.jsonl("proposals", "--format", "jsonl", "--reviewer", "alice",
                       "--status", "pending")
    assert _ids(pending) == everyone - {second}
    assert {r["status"] for r in pending} == {"pending"}
    decided = rc.jsonl("proposals", "--format", "jsonl", "--reviewer", "alice",
                       "--status", "decided")
    assert _ids(decided) == {second}
    listed = {r["proposal_id"]: r["status"] for r in rc.jsonl(
        "export", "proposals", "--reviewer", "alice")}
    assert listed[first] == "pending" and listed[second] == "decided"
    # an undone decision is pending again
    rc("undo", "--reviewer", "alice")
    assert second in _ids(rc.jsonl("proposals", "--format", "jsonl", "--reviewer", "alice",
                                   "--status", "pending"))


def test_without_reviewer_status_needs_unblind(rc, ids):
    first = ids["proposals"][0]
    rc("decide", first, "--accept", "--reviewer", "bob")
    for status in ("pending", "decided"):
        for command in (("proposals",), ("export", "proposals")):
            result = rc(*command, "--status", status, ok=False)
            assert result.exit_code == 1
            assert "blinded" in result.stderr and "--unblind" in result.stderr
            assert "Traceback" not in result.stderr
    # the plain listing works but tells nothing about anyone's decisions
    plain = rc.jsonl("export", "proposals")
    assert _ids(plain) == set(ids["proposals"])
    assert {r["status"] for r in plain} == {"blinded"}
    assert "decided" not in rc("proposals").stdout
    # unblinded: decided by anyone
    decided = rc.jsonl("proposals", "--format", "jsonl", "--status", "decided", "--unblind")
    assert _ids(decided) == {first}
    pending = rc.jsonl("proposals", "--format", "jsonl", "--status", "pending", "--unblind")
    assert first not in _ids(pending)


def test_help_documents_the_blinding(rc):
    out = rc("proposals", "--help").stdout
    assert "--reviewer" in out and "--unblind" in out and "blinded" in out


def test_status_does_not_tell_that_others_have_decided(rc, ids):
    rc("decide", ids["proposals"][0], "--accept", "--reviewer", "bob")
    alone = rc("status", "--reviewer", "alice", "--format", "json").stdout
    plain = rc("status").stdout
    for out in (alone, plain):
        assert "bob" not in out and "have decided" not in out
    data = json.loads(alone)
    assert data["all_reviewers"] is None and set(data["reviewers"]) == {"alice"}
    assert "blinded" in plain
    assert "bob" in rc("status", "--unblind").stdout
