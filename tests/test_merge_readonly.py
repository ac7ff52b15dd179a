"""`realistcoder merge OTHER.db` never writes OTHER: it is opened read-only at the current
schema, an older one is migrated in a temporary copy; locked, foreign or newer files give a
one-line error."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from test_review_support import seed

from realistcoder.store import merge as merge_mod
from realistcoder.store import open_store
from realistcoder.store import review as rv
from realistcoder.store.migrations import SCHEMA_VERSION, m0001_initial


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(path: Path) -> set[str]:
    """Files beside the store, leaving out the empty -wal and the -shm index that any SQLite
    reader of a WAL database may create (they hold no data)."""
    return {p.name for p in path.parent.iterdir() if not p.name.endswith("-shm")
            and not (p.name.endswith("-wal") and p.stat().st_size == 0)}


@pytest.fixture
def pair(tmp_path):
    here, there = tmp_path / "alice.db", tmp_path / "other" / "bob.db"
    there.parent.mkdir()
    ids = seed(here)
    seed(there)
    with open_store(there) as s:
        rv.accept(s, ids["proposals"][0], "bob")
        rv.reject(s, ids["proposals"][1], "bob")
    return here, there, ids


def test_merge_leaves_the_other_file_unchanged(rc, pair):
    here, there, ids = pair
    before, names = sha(there), files(there)
    rc.db_path = here
    assert "decisions" in rc("merge", there).stdout
    assert sha(there) == before and files(there) == names
    assert "nothing new" in rc("merge", there).stdout
    assert sha(there) == before
    with open_store(here) as s:
        assert rv.proposal_status(s, "bob")[ids["proposals"][0]] == "accepted"


def test_merge_reads_a_store_another_process_has_open(rc, pair):
    """Bob's session is still open with decisions in its WAL: they are merged, and his main
    file is not checkpointed or otherwise written by the merge."""
    here, there, ids = pair
    bob = open_store(there)
    try:
        bob.conn.execute("PRAGMA wal_autocheckpoint = 0")
        rv.accept(bob, ids["proposals"][2], "bob")
        before = sha(there)
        rc.db_path = here
        rc("merge", there)
        assert sha(there) == before
    finally:
        bob.close()
    with open_store(here) as s:
        assert rv.proposal_status(s, "bob")[ids["proposals"][2]] == "accepted"


def test_an_older_store_is_migrated_in_a_copy(rc, tmp_path, pair):
    here, _, _ = pair
    old = tmp_path / "old.db"
    db = sqlite_utils.Database(old)
    m0001_initial.upgrade(db)
    db.conn.execute("PRAGMA user_version = 1")
    db.conn.commit()
    db.close()
    before = sha(old)
    rc.db_path = here
    rc("merge", old)
    assert sha(old) == before
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


def test_newer_foreign_and_locked_stores_are_refused(rc, pair, tmp_path, monkeypatch):
    here, there, _ = pair
    rc.db_path = here
    newer = tmp_path / "newer.db"
    newer.write_bytes(there.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 100)
    for path, words in ((newer, "newer"), (foreign, "not a realistcoder store"),
                        (junk, "not a realistcoder store")):
        before = sha(path)
        result = rc("merge", path, ok=False)
        assert result.exit_code == 1, result.output
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert sha(path) == before
    # a store another process holds an exclusive lock on (rollback-journal mode)
    locked = tmp_path / "locked.db"
    locked.write_bytes(there.read_bytes())
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(merge_mod, "OTHER_TIMEOUT_S", 0.1)
    try:
        result = rc("merge", locked, ok=False)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1 and "locked" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
