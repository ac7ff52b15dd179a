"""A store of schema 2 (the first release with reviews), written with raw SQL as that release
wrote it, for tests of the upgrade path through every later migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from realistcoder.store.migrations import MIGRATIONS


def schema2_store(path: Path) -> Path:
    """Two sentences; a code proposal accepted by ann and a hand coding (a code whose role is
    other); a CMOC linking the accepted coding (updated after it was made)."""
    import sqlite_utils

    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    for number, upgrade in MIGRATIONS[:2]:
        upgrade(db)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.executescript("""
        INSERT INTO documents (id, path, file_name, sha256, kind, status, ingested_at, text)
            VALUES (1, '/x.txt', 'x.txt', 'abc', 'text', 'ok', '2025-01-01', 'One. Two.');
        INSERT INTO sentences (id, document_id, page_no, seq, start, "end", text)
            VALUES (1, 1, 1, 0, 0, 4, 'One.'), (2, 1, 1, 1, 5, 9, 'Two.');
        INSERT INTO codebooks (id, name, version, sha256, content, loaded_at)
            VALUES (1, 'cb', '1', 'h', '{}', '2025-01-01');
        INSERT INTO codes (id, codebook_id, code, label, role, theory)
            VALUES (1, 1, 'trust', 'Trust', 'mechanism', 'workforce'),
                   (2, 1, 'misc', 'Misc', 'other', NULL);
        INSERT INTO proposals (id, sentence_id, code_id, codebook_id, code, role, score, method,
            matched, created_at) VALUES (1, 1, 1, 1, 'trust', 'mechanism', 0.5, 'lemma', '[]',
            '2025-01-01');
        INSERT INTO decisions (id, uuid, reviewer, action, proposal_id, sentence_id,
            end_sentence_id, code_id, codebook_id, code, created_at)
            VALUES (1, 'u1', 'ann', 'accept', 1, 1, 1, 1, 1, 'trust', '2025-01-01'),
                   (2, 'u2', 'ann', 'code', NULL, 2, 2, 2, 1, 'misc', '2025-01-02');
        INSERT INTO codings (id, uuid, decision_id, reviewer, source, proposal_id, document_id,
            sentence_id, end_sentence_id, code_id, codebook_id, code, created_at)
            VALUES (1, 'u1', 1, 'ann', 'accepted', 1, 1, 1, 1, 1, 1, 'trust', '2025-01-01'),
                   (2, 'u2', 2, 'ann', 'hand', NULL, 1, 2, 2, 2, 1, 'misc', '2025-01-02');
        INSERT INTO proposal_reviews (proposal_id, reviewer, status, decision_id, coding_id,
            updated_at) VALUES (1, 'ann', 'accepted', 1, 1, '2025-01-01');
        INSERT INTO cmocs (id, uuid, theory, title, if_text, then_text, because_text, reviewer,
            status, created_at, updated_at) VALUES (1, 'c-1', 'workforce', 'Old', 'trust',
            'access', 'willing', 'ann', 'active', '2020-01-01T00:00:00',
            '2020-01-02T00:00:00');
        INSERT INTO cmoc_links (cmoc_id, coding_id, part, added_at)
            VALUES (1, 1, 'context', '2020-01-01T00:00:00');
        """)
    conn.commit()
    conn.close()
    return path
