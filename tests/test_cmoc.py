"""CMO configurations: build, list, show, edit, and suggest from co-occurring codings."""

from __future__ import annotations

import json

import pytest
from test_review_support import DOCS, seed

from realistcoder.review import cmoc as rc_cmoc
from realistcoder.store import open_store
from realistcoder.store import review as rv


@pytest.fixture
def coded(db_path):
    """alice accepts every workforce proposal (alpha.pdf) and both beta.pdf mechanisms."""
    ids = seed(db_path)
    with open_store(db_path) as s:
        ids["codings"] = {rv.get_proposal(s, p)["code"]: rv.accept(s, p, "alice")["coding_id"]
                          for p in ids["proposals"][:7]}
    return ids


def test_add_show_list_edit(rc, coded):
    c = coded["codings"]
    out = rc("cmoc", "add", "--theory", "workforce", "--context", c["wf_trust"],
             "--resource", c["wf_training"], "--reasoning", c["wf_willingness"],
             "--outcome", f"{c['wf_access']},{c['wf_referrals']}", "--title", "New roles",
             "--if", "professionals trust each other and are trained",
             "--then", "access improves and referrals fall",
             "--because", "staff are willing to work in new ways", "--reviewer", "alice").stdout
    assert "CMOC 1 added (5 codings" in out
    shown = rc("cmoc", "show", "1").stdout
    assert max(len(line) for line in shown.splitlines()) <= 100
    shown = " ".join(shown.split())  # statement and quotes are wrapped at 79 columns
    assert ("If professionals trust each other and are trained, then access improves and "
            "referrals fall, because staff are willing to work in new ways.") in shown
    assert f'"{DOCS["alpha.pdf"][1][2]}"' in shown and "p. 2" in shown
    assert shown.index("context") < shown.index("resource") < shown.index("outcome")
    (row,) = json.loads(rc("cmoc", "list", "--format", "json").stdout)  # one JSON array
    assert (row["n_context"], row["n_mechanism"], row["n_outcome"]) == (1, 2, 2)
    assert rc.jsonl("cmoc", "list", "--format", "jsonl") == [row]  # one object a line
    rc("cmoc", "edit", "1", "--remove", c["wf_referrals"], "--because", "they feel trusted",
       "--reviewer", "bob")
    detail = json.loads(rc("cmoc", "show", "1", "--format", "json").stdout)
    assert detail["because_text"] == "they feel trusted"
    assert c["wf_referrals"] not in {link["coding_id"] for link in detail["links"]}
    assert len(detail["history"]) == 2 and detail["history"][1]["reviewer"] == "bob"
    rc("cmoc", "edit", "1", "--retire", "--reviewer", "alice")
    assert "no CMOCs yet" in rc("cmoc", "list").stderr
    assert "[retired]" in rc("cmoc", "list", "--all").stdout


@pytest.mark.parametrize("args,needle", [
    (["cmoc", "add", "--theory", "workforce", "--reviewer", "a"], "no codings to link"),
    (["cmoc", "add", "--theory", "workforce", "--outcome", "99", "--reviewer", "a"],
     "no coding with id 99"),
    (["cmoc", "add", "--theory", "workforce", "--outcome", "1"], "--reviewer NAME"),
    (["cmoc", "show", "42"], "no CMOC with id 42"),
    (["cmoc", "edit", "42", "--title", "x", "--reviewer", "a"], "no CMOC with id 42"),
])
def test_cmoc_errors(rc, coded, args, needle):
    result = rc(*args, ok=False)
    assert result.exit_code == 1 and needle in result.stderr


def test_suggest_accept_discard_and_not_again(rc, coded, db_path):
    out = rc("cmoc", "suggest", "--reviewer", "alice", "--list").stdout
    assert "candidate 1/1: theory workforce, alpha.pdf" in out  # beta has no outcome coded
    out = rc("cmoc", "suggest", "--reviewer", "alice", input="a\n").stdout
    assert "CMOC 1 added" in out
    with open_store(db_path) as s:
        detail = rc_cmoc.cmoc_detail(s, 1)
    parts = sorted(link["part"] for link in detail["links"])
    assert parts == ["context", "outcome", "outcome", "reasoning", "resource"]
    assert detail["if_text"].startswith("trust between professionals")
    # built ones are not suggested again
    assert "no candidate" in rc("cmoc", "suggest", "--reviewer", "alice").stdout
    # code an outcome in beta.pdf: a new (incomplete) candidate appears; discard it for good
    rc("decide", coded["proposals"][7], "--accept", "--reviewer", "alice")
    out = rc("cmoc", "suggest", "--reviewer", "alice", input="d\n").stdout
    assert "people_communities" in out and "discarded" in out
    assert "no candidate" in rc("cmoc", "suggest", "--reviewer", "alice").stdout


def test_suggest_window_and_blinding(db_path, coded):
    with open_store(db_path) as s:
        # bob's codings are invisible to alice's suggestions unless unblinded
        rv.code_by_hand(s, coded["sentences"][("beta.pdf", 3)], "pc_behaviour", "bob")
        assert all(x.theory == "workforce" for x in rc_cmoc.suggest(s, "alice"))
        assert any(x.theory == "people_communities"
                   for x in rc_cmoc.suggest(s, "alice", unblinded=True))
        # with no window, codings only group within a paragraph: no C/M with an O left
        assert rc_cmoc.suggest(s, "alice", window=0, theory="workforce") == []
        assert len(rc_cmoc.suggest(s, "alice", window=1, theory="workforce")) == 1
        with pytest.raises(rv.InputError):
            rc_cmoc.suggest(s, "alice", window=-1)
