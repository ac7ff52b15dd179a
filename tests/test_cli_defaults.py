"""Defaults a newcomer expects: $REALISTCODER_REVIEWER, shipped codebooks named by id, and no
store left behind by a command refused on its arguments."""

from __future__ import annotations

import pytest
from test_review_support import seed

ENV = {"REALISTCODER_REVIEWER": "alice"}


@pytest.fixture
def ids(db_path):
    return seed(db_path)


def test_the_reviewer_comes_from_the_environment(rc, ids):
    p = ids["proposals"]
    assert "by alice" in rc("decide", p[0], "--accept", env=ENV).stdout
    rc("decide", p[1], "--accept", "--reviewer", "bob", env=ENV)  # --reviewer wins
    mine = rc.jsonl("export", "codings", env=ENV)  # blinded: alice sees her own only
    assert {c["reviewer"] for c in mine} == {"alice"}
    everyone = rc.jsonl("export", "codings", "--unblind", env=ENV)  # the team's view
    assert {c["reviewer"] for c in everyone} == {"alice", "bob"}
    log = rc.jsonl("log", "--format", "jsonl", env=ENV)
    assert {d["reviewer"] for d in log} == {"alice"}
    log = rc.jsonl("log", "--unblind", "--format", "jsonl", env=ENV)
    assert {d["reviewer"] for d in log} == {"alice", "bob"}
    status = rc("status", "--format", "json", env=ENV).stdout
    assert '"alice"' in status and '"bob"' not in status


def test_without_a_reviewer_the_error_names_the_variable(rc, ids):
    result = rc("decide", ids["proposals"][0], "--accept", ok=False,
                env={"REALISTCODER_REVIEWER": ""})
    assert result.exit_code == 1 and "REALISTCODER_REVIEWER" in result.stderr


def test_shipped_codebooks_are_named_by_id(rc, tmp_path):
    out = rc("codebook", "show", "mcp-components").stdout
    assert out.startswith("mcp-components ")
    assert "mcp-components" in rc("codebook", "show").stdout
    rc("codebook", "load", "mcp-components")
    (row,) = rc.jsonl("codebook", "list", "--format", "jsonl")
    assert row["name"] == "mcp-components" and row["source"].endswith("mcp-components.yaml")
    rc("codebook", "export", "logic-model", "-o", tmp_path / "lm.qdc")
    assert (tmp_path / "lm.qdc").stat().st_size > 1000


def test_propose_takes_a_shipped_codebook_id(rc, ids):
    out = rc("propose", "--codebook", "mcp-components").stdout
    assert "Codebooks: mcp-components" in out


def test_a_refused_command_leaves_no_new_store(rc, db_path, tmp_path):
    result = rc("ingest", tmp_path / "nonexistent", ok=False)
    assert result.exit_code == 1 and "nonexistent" in result.stderr
    assert not db_path.exists() and not list(tmp_path.glob("review.db*"))
    bad = tmp_path / "broken.yaml"
    bad.write_text("codes: [", encoding="utf-8")
    assert rc("codebook", "load", bad, ok=False).exit_code == 1
    assert not db_path.exists()
    good = tmp_path / "note.txt"
    good.write_text("Trust between practices grew over the first year.\n", encoding="utf-8")
    result = rc("ingest", good, tmp_path / "missing.pdf", ok=False)  # one good file: kept
    assert result.exit_code == 1 and "1 ingested" in result.stdout and db_path.exists()
