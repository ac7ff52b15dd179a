"""Schema 7: text integrity marks from ingest.

* ``pages.issues``: JSON object of what could not be read on the page, or null when nothing:
  ``{"replacement": 16}`` (characters the PDF's fonts map to U+FFFD, the replacement
  character) and ``{"undecodable": 28}`` (characters of a font without a usable Unicode map:
  pdfium reads glyph codes, so the text is gibberish).
* ``sentences.flags``: JSON list of the marks on a sentence's own characters, or null:
  ``"replacement"`` (it holds U+FFFD) and ``"undecodable"`` (it holds characters of such a
  font). Exports mark quotes with flags so that damaged text is never passed on silently.

Existing rows are back-filled from their text (U+FFFD is in the stored text; undecodable
fonts are only known when a document is ingested again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

SQL = """
ALTER TABLE pages ADD COLUMN issues TEXT;
ALTER TABLE sentences ADD COLUMN flags TEXT;
UPDATE sentences SET flags = '["replacement"]' WHERE instr(text, char(65533)) > 0;
UPDATE pages SET issues = json_object('replacement',
    length(text) - length(replace(text, char(65533), '')))
    WHERE instr(text, char(65533)) > 0
"""


def upgrade(db: sqlite_utils.Database) -> None:
    from realistcoder.store.migrations import run_sql

    run_sql(db, SQL)
