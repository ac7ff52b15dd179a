"""Schema 4: import batches, so that a whole import can be reviewed and undone as one.

Owned by issue 10 (CLI conventions, imports); see docs/schema.md ("batches").

Every import (worksheet decisions, hand codings, a REFI-QDA project) and every ``undo --batch``
records one ``batches`` row, and each decision it makes carries the batch's uuid in
``decisions.batch``. Decisions stay append-only: undoing a batch appends one ``undo`` decision
per decision of the batch (themselves a batch of kind ``undo``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported for the type only: sqlite-utils loads pandas
    import sqlite_utils

SQL = """
CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    reviewer TEXT NOT NULL,
    kind TEXT NOT NULL
        CHECK (kind IN ('import decisions', 'import codings', 'import qdpx', 'undo')),
    source TEXT,
    sha256 TEXT,
    undoes TEXT REFERENCES batches(uuid),
    created_at TEXT NOT NULL
);
CREATE INDEX batches_reviewer ON batches(reviewer, created_at);
ALTER TABLE decisions ADD COLUMN batch TEXT REFERENCES batches(uuid);
CREATE INDEX decisions_batch ON decisions(batch)
"""


def upgrade(db: sqlite_utils.Database) -> None:
    from realistcoder.store.migrations import run_sql

    run_sql(db, SQL)
