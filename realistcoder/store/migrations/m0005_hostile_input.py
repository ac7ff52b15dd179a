"""Schema 5: marks left by hostile-input handling (issue 12).

* ``sentences.cut_at_length``: 1 when the sentence is a piece of a run of text that had no
  sentence end within the maximum sentence length (ingest cut it there), else 0;
* ``documents.failed_limit``: for a ``failed`` document stopped by a resource limit, which one
  and its value (``memory 1024``: MB, ``time 300``: seconds), so that a re-run skips the file
  unless the limit was raised.

See docs/schema.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

SQL = """
ALTER TABLE sentences ADD COLUMN cut_at_length INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN failed_limit TEXT
"""


def upgrade(db: sqlite_utils.Database) -> None:
    from realistcoder.store.migrations import run_sql

    run_sql(db, SQL)
