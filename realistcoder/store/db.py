"""Open the review store: one SQLite file, WAL mode, foreign keys, a busy timeout, migrations.

Write through :meth:`Store.transaction`, which takes the write lock up front (``BEGIN
IMMEDIATE``) so that two reviewers writing at once queue behind each other instead of failing,
and which commits all or nothing. Plain ``sqlite3`` does the everyday work (:func:`insert_row`);
``Store.db``, a ``sqlite_utils.Database``, is built on first use only: sqlite-utils imports
pandas and numpy when they are installed, which would cost every command a third of a second.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from realistcoder.errors import NotFoundError, StoreError
from realistcoder.store.migrations import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

DEFAULT_DB = "review.db"
ENV_DB = "REALISTCODER_DB"
BUSY_TIMEOUT_MS = 30_000


def default_db_path() -> Path:
    """The store path when none is given: ``$REALISTCODER_DB`` or ``./review.db``."""
    return Path(os.environ.get(ENV_DB) or DEFAULT_DB)


def utcnow() -> str:
    """Timestamps in the store: ISO 8601, UTC, microseconds (sortable as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Store:
    """An open review store. Use :func:`open_store` to get one."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self._savepoints = 0
        # the import batch being recorded (store.batches.recording): decisions made while it
        # is set carry its uuid
        self.batch: Any = None

    @property
    def db(self) -> sqlite_utils.Database:
        """The connection as a ``sqlite_utils.Database`` (imported on first use)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """All writes inside commit together or not at all (nested blocks use savepoints).

        Yields :attr:`db`'s lazy stand-in: ``db.conn`` is the connection, and anything else
        (``db["table"].insert(...)``) loads sqlite-utils then."""
        if self.conn.in_transaction:
            self._savepoints += 1
            name = f"rc_{self._savepoints}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield _LazyDatabase(self)
            except BaseException:
                try:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                except sqlite3.OperationalError:
                    pass  # SQLite already rolled the whole transaction back (a full disk does)
                raise
            else:
                self.conn.execute(f"RELEASE {name}")
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            raise _store_error(self.path, err) from err
        try:
            yield _LazyDatabase(self)
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError) and _environmental(exc):
                raise _store_error(self.path, exc) from exc  # read-only, full disk, damaged
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError as err:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise _store_error(self.path, err) from err

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        """Rows of a read query as dicts."""
        try:
            cursor = self.conn.execute(sql, params)
        except OverflowError:  # an id typed (or read from a file) beyond SQLite's integers
            raise NotFoundError(
                "a number given is too large to be an id (the largest is "
                f"{2**63 - 1:,})", subject="id", fix="check the ids and numbers given") from None
        names = [c[0] for c in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _LazyDatabase:
    """What :meth:`Store.transaction` yields: the connection at once, sqlite-utils on demand."""

    def __init__(self, store: Store):
        self.conn = store.conn
        self._store = store

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def __getitem__(self, table: str):
        return self._store.db[table]

    def __getattr__(self, name: str):
        return getattr(self._store.db, name)


def insert_row(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> int:
    """INSERT one row (columns from the dict's keys); returns its rowid."""
    columns = ", ".join(f'"{name}"' for name in row)
    marks = ", ".join("?" * len(row))
    cursor = conn.execute(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})',
                          tuple(row.values()))
    return cursor.lastrowid


def _environmental(err: sqlite3.Error) -> bool:
    """An error from where the store lives (not from the SQL): the user can fix it."""
    text = str(err).lower()
    return any(w in text for w in ("readonly", "locked", "busy", "disk", "full", "unable to open",
                                   "i/o error", "malformed", "not a database"))


def database_error(path: Path, err: sqlite3.Error) -> StoreError | None:
    """The one-line error for an SQLite failure caused by where the store lives (full disk,
    damaged file, locked, read-only), or None for anything else (a bug)."""
    return _store_error(path, err) if _environmental(err) else None


UNSAVED = "what this step was writing was not saved; earlier steps were"


def _store_error(path: Path, err: sqlite3.Error) -> StoreError:
    text = str(err).lower()
    if "full" in text:
        return StoreError("the disk is full", subject=path,
                          fix=f"free some space, then run the command again ({UNSAVED})")
    if "i/o error" in text:
        return StoreError(
            "cannot write the review store: the disk reported an input/output error (it may "
            "be full, failing, or a network drive that went away)", subject=path,
            fix=f"free some space or check the disk, then run the command again ({UNSAVED})")
    if "locked" in text or "busy" in text:
        return StoreError(
            "the review store is locked by another process",
            subject=path,
            fix="wait for the other realistcoder command to finish, or close the program "
            "holding the file open, then run the command again",
        )
    if "not a database" in text or "malformed" in text:
        return StoreError(
            "this file is not a realistcoder store (not an SQLite database, or damaged)",
            subject=path,
            fix="pass another --db path, or restore the file from a backup",
        )
    if "readonly" in text or "unable to open" in text:
        return StoreError(
            "cannot write the review store",
            subject=path,
            fix="check that the folder exists and that you may write to it",
        )
    return StoreError(f"SQLite error: {err}", subject=path)


def open_store(path: str | Path | None = None, *, create: bool = True) -> Store:
    """Open (and create or upgrade) the review store at ``path``.

    An older store is migrated forward in one transaction per step; a store written by a newer
    realistcoder is refused, as is a file that is not an SQLite database.
    """
    path = Path(path) if path is not None else default_db_path()
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as err:  # name too long, permission denied on a parent folder, ...
        raise StoreError(f"cannot open the review store: {err.strerror or err}", subject=path,
                         fix="pass a shorter --db path in a folder you may write to") from None
    if not exists and not create:
        raise StoreError(
            "no review store here",
            subject=path,
            fix="run `realistcoder ingest PATH...` first, or pass --db",
        )
    if is_dir:
        raise StoreError("is a folder, not a store file", subject=path, fix="pass --db FILE.db")
    conn = None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal" and str(path) != ":memory:":
            conn.close()
            raise StoreError(f"cannot switch to WAL mode ({mode})", subject=path)
    except sqlite3.Error as err:
        if conn is not None:
            conn.close()
        if not (exists and _read_only_folder(path, err)):
            raise _store_error(path, err) from err
        conn = _open_read_only(path)  # an archived or shared read-only store can still be read
    store = Store(path, conn)
    try:
        _migrate(store)
    except sqlite3.Error as err:
        store.close()
        raise _store_error(path, err) from err
    except StoreError:
        store.close()
        raise
    return store


def _read_only_folder(path: Path, err: sqlite3.Error) -> bool:
    """True when ``path`` is readable but its folder (or disk) is not writable, so SQLite
    cannot make the WAL's side files."""
    text = str(err).lower()
    return ("readonly" in text or "unable to open" in text) and os.access(path, os.R_OK)


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Open the store for reading only; writes then fail with 'cannot write the review store'.

    Refused when a non-empty ``-wal`` file sits beside it: its latest changes live there and
    could not be read without write access."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreError(
            "the store is in a read-only folder and its latest changes are still in "
            f"{wal.name}",
            subject=path,
            fix="copy the store and its -wal file to a folder you may write to, and pass that "
            "--db",
        )
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                               isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as err:
        raise _store_error(path, err) from err
    return conn


def _migrate(store: Store) -> None:
    current = store.schema_version()
    if current == 0 and _foreign_tables(store):
        raise StoreError(
            "this SQLite database belongs to another program, not a realistcoder store",
            subject=store.path,
            fix="pass another --db path (realistcoder leaves this file alone)",
        )
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"the store has schema version {current}, newer than this realistcoder "
            f"understands ({SCHEMA_VERSION})",
            subject=store.path,
            fix="upgrade realistcoder (pip install -U realistcoder) to open it",
        )
    pending = [(n, up) for n, up in MIGRATIONS if n > current]
    if not pending:
        return
    # a migration may rebuild a table (SQLite's way to change a column): foreign keys are off
    # while it runs (the pragma is ignored inside a transaction) and checked before it commits
    store.conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for number, upgrade in pending:
            _apply_migration(store, number, upgrade)
    finally:
        store.conn.execute("PRAGMA foreign_keys = ON")


def _apply_migration(store: Store, number: int, upgrade) -> None:
    with store.transaction() as db:
        # re-check under the write lock: another process may have migrated meanwhile
        if store.schema_version() >= number:
            return
        try:
            upgrade(db)
            broken = store.conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise sqlite3.IntegrityError(
                    f"{len(broken)} rows point at missing rows (first in {broken[0][0]})")
        except sqlite3.Error as err:
            raise StoreError(
                f"cannot upgrade the store from schema version {store.schema_version()} "
                f"to {number}: {err}",
                subject=store.path,
                fix="the file looks damaged or edited by another program: restore it "
                "from a backup",
            ) from err
        store.conn.execute(f"PRAGMA user_version = {number}")


def _foreign_tables(store: Store) -> list[str]:
    """Tables in a database that has no realistcoder schema version (another program's file)."""
    rows = store.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [r[0] for r in rows]
