"""The store file: creation, migrations, refusing newer or foreign files, locks."""

from __future__ import annotations

import sqlite3

import pytest

from realistcoder.errors import StoreError
from realistcoder.store import open_store
from realistcoder.store.migrations import SCHEMA_VERSION


def test_new_store_is_migrated_wal_with_foreign_keys(db_path):
    with open_store(db_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        assert {"documents", "pages", "sentences", "sentences_fts", "proposals"} <= set(
            store.db.table_names()
        )


def test_older_store_is_upgraded(db_path):
    # a store stopped at schema 1 (as an older realistcoder left it) gains the later tables
    from realistcoder.store.migrations import MIGRATIONS

    conn = sqlite3.connect(db_path, isolation_level=None)
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    conn.execute("BEGIN")
    MIGRATIONS[0][1](db)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    tables_v1 = set(db.table_names())
    conn.close()
    with open_store(db_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert tables_v1 <= set(store.db.table_names())


def test_newer_store_is_refused_with_a_fix(db_path):
    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreError) as err:
        open_store(db_path)
    assert str(db_path) in str(err.value) and "upgrade realistcoder" in str(err.value)


def test_non_database_file_is_refused(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 50)
    with pytest.raises(StoreError) as err:
        open_store(bogus)
    assert "not a realistcoder store" in str(err.value)


def test_cli_reports_store_errors_in_one_line(rc, db_path):
    db_path.write_text("not sqlite at all\n" * 100)
    result = rc("documents", ok=False)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(db_path) in lines[0]
    assert "Traceback" not in result.output


def test_locked_store_gives_a_clear_error(db_path, monkeypatch):
    import realistcoder.store.db as dbmod

    open_store(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 50)
    try:
        store = open_store(db_path)
        with pytest.raises(StoreError) as err:
            with store.transaction() as db:
                db.execute("INSERT INTO codebooks (name, version, sha256, content, loaded_at) "
                           "VALUES ('x', '1', 'h', '{}', 'now')")
        assert "locked" in str(err.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_transaction_is_all_or_nothing(db_path):
    with open_store(db_path) as store:
        with pytest.raises(RuntimeError):
            with store.transaction() as db:
                db.execute("INSERT INTO codebooks (name, version, sha256, content, loaded_at) "
                           "VALUES ('x', '1', 'h', '{}', 'now')")
                raise RuntimeError("crash mid-write")
        assert store.query("SELECT count(*) AS n FROM codebooks") == [{"n": 0}]
