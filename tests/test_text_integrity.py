"""Text integrity at ingest: characters a PDF's fonts do not let us read (U+FFFD, fonts
without a Unicode map) are reported per page at ingest and in `documents`, flagged on the
sentences they touch, and every export marks those quotes."""

from __future__ import annotations

import json
import sqlite3

from pdfgen import replacement_char_pdf, unmapped_font_pdf

from realistcoder.store import open_store
from realistcoder.store.migrations import MIGRATIONS

CODEBOOK = "codebooks/mcp-realist.yaml"


def make_docs(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "aaa.pdf").write_bytes(replacement_char_pdf([
        b"Patients with a large AAA (~5.5 cm) were referred for repair.",
        b"Staff satisfaction was higher in the second year."]))
    (docs / "czech.pdf").write_bytes(unmapped_font_pdf([b"Peneze na ucte byly prevedeny."]))
    return docs


def test_ingest_reports_and_flags_unreadable_characters(rc, tmp_path):
    result = rc("ingest", make_docs(tmp_path))
    assert "aaa.pdf: page(s) 1: 1 characters could not be decoded" in result.stderr
    assert "czech.pdf: page(s) 1: 26 characters come from a font without a Unicode map" \
        in result.stderr
    listing = rc("documents").output
    assert "1 sentence(s) flagged: check the flagged quotes against the PDF" in listing
    rows = rc.jsonl("sentences", "aaa.pdf", "--format", "jsonl")
    flags = {r["text"][:20]: r["flags"] for r in rows}
    assert flags == {"Patients with a larg": ["replacement"], "Staff satisfaction w": []}
    assert rc.jsonl("sentences", "czech.pdf", "--format", "jsonl")[0]["flags"] == [
        "undecodable"]
    with sqlite3.connect(rc.db_path) as db:
        issues = dict(db.execute("SELECT d.file_name, p.issues FROM pages p JOIN documents d "
                                 "ON d.id = p.document_id").fetchall())
    assert json.loads(issues["aaa.pdf"]) == {"replacement": 1}
    assert json.loads(issues["czech.pdf"]) == {"undecodable": 26}  # letters: spaces are not


def test_a_damaged_quote_is_never_exported_silently(rc, tmp_path):
    rc("ingest", make_docs(tmp_path))
    rc("codebook", "load", CODEBOOK)
    damaged, clean = (r["sentence_id"] for r in rc.jsonl("sentences", "aaa.pdf", "--format",
                                                         "jsonl"))
    rc("code", str(damaged), "t1_access", "--reviewer", "alice")
    rc("code", str(clean), "t1_staff_satisfaction", "--reviewer", "alice")
    out = tmp_path / "evidence.md"
    rc("export", "evidence", "-o", out)
    text = out.read_text(encoding="utf-8")
    assert "1 quotes hold text the PDF did not let us read" in text
    damaged_row = next(line for line in text.splitlines() if "large AAA" in line)
    assert "\u26a0 the quote holds characters the PDF could not decode" in damaged_row
    assert "p. 1" in damaged_row
    clean_row = next(line for line in text.splitlines() if "Staff satisfaction was" in line)
    assert "\u26a0" not in clean_row


def test_an_older_store_is_back_filled_on_upgrade(tmp_path):
    """A store of schema 3 gains the columns; sentences holding U+FFFD are flagged."""
    import sqlite_utils

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    for number, upgrade in MIGRATIONS:
        if number > 3:
            break
        upgrade(db)
    db.conn.execute("PRAGMA user_version = 3")
    db["documents"].insert({"id": 1, "path": "/x.pdf", "file_name": "x.pdf", "sha256": "ab",
                            "kind": "pdf", "n_pages": 1, "text": "A (\ufffd5 cm) cut. Fine.",
                            "status": "ok", "version": 1, "ingested_at": "2024-01-01"})
    db.conn.execute("INSERT INTO pages (document_id, page_no, start, \"end\", n_chars, "
                    "has_text, text) VALUES (1, 1, 0, 22, 22, 1, 'A (\ufffd5 cm) cut. Fine.')")
    for seq, (start, end, text) in enumerate([(0, 16, "A (\ufffd5 cm) cut."),
                                              (17, 22, "Fine.")]):
        db.conn.execute("INSERT INTO sentences (document_id, page_no, seq, start, \"end\", "
                        "text, section, paragraph) VALUES (1, 1, ?, ?, ?, ?, 'body', 0)",
                        (seq, start, end, text))
    db.conn.commit()
    db.conn.close()
    with open_store(path) as store:
        flags = [r["flags"] for r in store.query("SELECT flags FROM sentences ORDER BY seq")]
        issues = store.query("SELECT issues FROM pages")[0]["issues"]
    assert flags == ['["replacement"]', None]
    assert json.loads(issues) == {"replacement": 1}
