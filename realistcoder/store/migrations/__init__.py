"""Numbered, forward-only schema migrations.

Each module ``mNNNN_*.py`` defines ``upgrade(db)`` and is listed below. The store's
``PRAGMA user_version`` is the number of the last migration applied. Never edit a migration that
has been released: add the next number instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from realistcoder.store.migrations import (
    m0001_initial,
    m0002_review,
    m0003_roles,
    m0004_batches,
    m0005_hostile_input,
    m0006_synthesis,
    m0007_text_integrity,
)

# each takes the store's database (``db.conn`` is the sqlite3 connection; ``db["table"]`` is
# sqlite-utils, loaded on demand). Keep sqlite-utils out of a migration's module-level imports:
# every command imports this package.
Migration = Callable[[Any], None]

MIGRATIONS: list[tuple[int, Migration]] = [
    (1, m0001_initial.upgrade),
    (2, m0002_review.upgrade),
    (3, m0003_roles.upgrade),
    (4, m0004_batches.upgrade),
    (5, m0005_hostile_input.upgrade),
    (6, m0006_synthesis.upgrade),
    (7, m0007_text_integrity.upgrade),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def run_sql(db: Any, script: str) -> None:
    """Run ``;``-separated DDL statements inside the caller's transaction.

    (``executescript`` would commit the transaction first, so statements run one by one.)
    """
    for statement in script.split(";\n"):
        if statement.strip():
            db.conn.execute(statement)
