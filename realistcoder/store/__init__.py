"""The review store: the only place that knows SQL.

``db`` opens the file and runs ``migrations``; the other modules hold the queries for one part of
the data each (documents and sentences, codebooks, proposals, review decisions).
"""

from realistcoder.store.db import Store, default_db_path, open_store, utcnow

__all__ = ["Store", "default_db_path", "open_store", "utcnow"]
