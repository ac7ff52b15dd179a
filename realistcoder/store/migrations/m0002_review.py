"""Schema 2: review decisions (append-only log), current codings, appraisals, CMO configurations.

Owned by the review issue; see docs/schema.md.
"""

from __future__ import annotations

import sqlite_utils

SQL = """
"""


def upgrade(db: sqlite_utils.Database) -> None:
    from realistcoder.store.migrations import run_sql

    run_sql(db, SQL)
