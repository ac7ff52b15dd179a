"""Changing a code in the terminal review: part of an id or label finds the best matches,
numbered; an exact id jumps straight to it; it fits 80 (and fewer) columns in line mode."""

from __future__ import annotations

import pytest
from test_review_support import seed

from realistcoder.store import open_store
from realistcoder.store import review as rv


@pytest.fixture
def ids(db_path):
    return seed(db_path)


@pytest.fixture
def store(db_path, ids):
    s = open_store(db_path)
    yield s
    s.close()


@pytest.mark.parametrize("query, best", [
    ("WF_TRUST", "wf_trust"),            # exact id, any case
    ("wf_tra", "wf_training"),           # id prefix
    ("train", "wf_training"),            # start of a label word
    ("willing adopt", "wf_willingness"),  # several words of the label
    ("ownership", "pc_ownership"),
    ("secondary care", "wf_referrals"),
    ("trsut", "wf_trust"),               # a typo
])
def test_search_ranks_the_intended_code_first(store, query, best):
    hits = rv.search_codes(store, query)
    assert hits and hits[0]["code"] == best, [h["code"] for h in hits]


def test_search_leaves_out_near_misses_when_something_matches(store):
    assert [h["code"] for h in rv.search_codes(store, "shared")] == [
        "tech_shared_data", "pc_ownership"]  # id and label beat label only
    assert rv.search_codes(store, "zzzzqqq") == []


def recoded(db_path) -> dict[int, str]:
    with open_store(db_path) as s:
        return {c["proposal_id"]: c["code"] for c in rv.current_codings(s, viewer="alice")}


def test_exact_id_jumps_and_words_list_numbered_matches(rc, ids, db_path):
    p = ids["proposals"]
    keys = "\n".join([
        "c", "wf_referrals",                   # p0: exact id, no list
        "c", "train", "99", "1",               # p1: list, a number not in it, then 1
        "c", "nothing like this", "willing adopt", "1",   # p2: no match, search again, pick
        "c", "",                               # p3: cancel: code unchanged, still on p3
        "q",
    ]) + "\n"
    out = rc("review", "--reviewer", "alice", input=keys, env={"COLUMNS": "80"}).stdout
    first_list = out.split("cancels): train")[1]
    assert "  1. wf_training" in first_list and "Appropriate training" in first_list
    assert "no number 99 in the list" in out
    assert "no code matches" in out and "code unchanged" in out
    assert "  1. wf_willingness" in out
    before_list = out.split("wf_referrals")[0]
    assert "  1. " not in before_list  # the exact id did not show a list
    assert max(len(line) for line in out.splitlines()) <= 80
    assert recoded(db_path) == {p[0]: "wf_referrals", p[1]: "wf_training",
                                p[2]: "wf_willingness"}


def test_code_list_fits_a_narrow_terminal(rc, ids):
    out = rc("review", "--reviewer", "alice", input="c\nw\n\nq\n",
             env={"COLUMNS": "41"}).stdout
    listed = [line for line in out.splitlines() if line[:5].strip().rstrip(".").isdigit()]
    assert len(listed) >= 3 and all(len(line) <= 40 for line in listed)
