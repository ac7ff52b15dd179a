"""`merge` checks what it brings in: a store edited outside realistcoder (codes that disagree
with their ids, reviewer names the CLI refuses, broken fragments) or a damaged file is refused
with a clear line, and nothing is merged."""

from __future__ import annotations

import sqlite3

import pytest
from test_merge import table_counts
from test_review_support import seed

from realistcoder.store import open_store
from realistcoder.store import review as rv


@pytest.fixture
def stores(tmp_path):
    here, there = tmp_path / "alice.db", tmp_path / "bob.db"
    ids = seed(here)
    seed(there)
    with open_store(there) as s:
        p = ids["proposals"]
        rv.accept(s, p[0], "bob")
        rv.code_by_hand(s, ids["sentences"][("beta.pdf", 3)], "pc_behaviour", "bob")
    return here, there, ids


def _tamper(path, *statements) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS decisions_append_only_update")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def _refused(rc, here, there):
    before = table_counts(here)
    rc.db_path = here
    result = rc("merge", there, ok=False)
    assert result.exit_code == 1 and "unexpected error" not in result.stderr
    assert table_counts(here) == before
    return result


def test_a_clean_store_still_merges(rc, stores):
    here, there, _ = stores
    rc.db_path = here
    assert "decisions" in rc("merge", there).stdout


def test_a_code_that_disagrees_with_its_code_id_is_refused(rc, stores):
    here, there, _ = stores
    _tamper(there, "UPDATE decisions SET code = 'wf_access' WHERE action = 'code'",
            "UPDATE codings SET code = 'wf_access' WHERE source = 'hand'")
    result = _refused(rc, here, there)
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("error: ") and "nothing merged" in lines[-1]
    listed = [line for line in lines if line.startswith("  ")]
    assert any("decision" in line and "'wf_access' is not the code its code_id" in line
               for line in listed), result.stderr
    assert any(line.startswith("  coding") for line in listed)


@pytest.mark.parametrize("name", ["bob,smith", "ev\x1b]0;owned\x07il", "", "consensus"])
def test_reviewer_names_the_cli_refuses_are_refused(rc, stores, name):
    here, there, _ = stores
    conn = sqlite3.connect(there)
    conn.execute("DROP TRIGGER IF EXISTS decisions_append_only_update")
    conn.execute("UPDATE decisions SET reviewer = ? WHERE reviewer = 'bob'", (name,))
    conn.execute("UPDATE codings SET reviewer = ? WHERE reviewer = 'bob'", (name,))
    conn.commit()
    conn.close()
    result = _refused(rc, here, there)
    assert "reviewer" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_a_fragment_across_two_documents_is_refused(rc, stores):
    here, there, ids = stores
    other_doc = ids["sentences"][("alpha.pdf", 0)]
    _tamper(there, f"UPDATE decisions SET end_sentence_id = {other_doc} WHERE action = 'code'")
    result = _refused(rc, here, there)
    assert "span two documents" in result.stderr or "end before they start" in result.stderr


def test_a_sentence_that_is_not_its_documents_text_is_refused(rc, stores):
    here, there, _ = stores
    _tamper(there, "UPDATE sentences SET text = 'Something the paper never said.' "
                   "WHERE id = (SELECT min(id) FROM sentences)")
    result = _refused(rc, here, there)
    assert "not the text of document" in result.stderr


def test_a_damaged_store_is_refused_in_one_line(rc, stores, tmp_path):
    here, there, _ = stores
    conn = sqlite3.connect(there)
    conn.execute("PRAGMA journal_mode = DELETE")  # everything in the main file
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sentences'").fetchone()
    conn.close()
    data = bytearray(there.read_bytes())
    at = (root[0] - 1) * page_size
    data[at:at + page_size] = b"\xa5" * page_size  # one page of the sentences table, garbled
    there.write_bytes(bytes(data))
    result = _refused(rc, here, there)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "damaged" in lines[0] and "bob.db" in lines[0]
