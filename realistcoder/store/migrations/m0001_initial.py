"""Schema 1: documents, pages, sentences (+ full-text index), codebooks, codes, proposals.

See docs/schema.md for what each column holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported for the type only: sqlite-utils loads pandas
    import sqlite_utils

SQL = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT,
    authors TEXT,
    year INTEGER,
    doi TEXT,
    doc_type TEXT,
    n_pages INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'superseded')),
    error TEXT,
    warnings TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    supersedes INTEGER REFERENCES documents(id),
    ingested_at TEXT NOT NULL
);
CREATE UNIQUE INDEX documents_sha256 ON documents(sha256);
CREATE INDEX documents_path ON documents(path);
CREATE INDEX documents_file_name ON documents(file_name);

CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page_no INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    width REAL,
    height REAL,
    n_chars INTEGER NOT NULL DEFAULT 0,
    has_text INTEGER NOT NULL DEFAULT 1,
    text TEXT NOT NULL DEFAULT '',
    UNIQUE (document_id, page_no)
);

CREATE TABLE sentences (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page_no INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    section TEXT NOT NULL DEFAULT 'body',
    paragraph INTEGER NOT NULL DEFAULT 0,
    bbox TEXT,
    UNIQUE (document_id, seq)
);
CREATE INDEX sentences_document_page ON sentences(document_id, page_no);

CREATE TABLE codebooks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source TEXT,
    description TEXT,
    content TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    UNIQUE (name, sha256)
);

CREATE TABLE codes (
    id INTEGER PRIMARY KEY,
    codebook_id INTEGER NOT NULL REFERENCES codebooks(id),
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    role TEXT NOT NULL,
    mechanism_type TEXT,
    theory TEXT,
    parent TEXT,
    description TEXT,
    UNIQUE (codebook_id, code)
);
CREATE INDEX codes_code ON codes(code);

CREATE TABLE proposals (
    id INTEGER PRIMARY KEY,
    sentence_id INTEGER NOT NULL REFERENCES sentences(id),
    code_id INTEGER NOT NULL REFERENCES codes(id),
    codebook_id INTEGER NOT NULL REFERENCES codebooks(id),
    code TEXT NOT NULL,
    role TEXT NOT NULL,
    theory TEXT,
    score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
    method TEXT NOT NULL,
    matched TEXT NOT NULL,
    flags TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    UNIQUE (sentence_id, code_id)
);
CREATE INDEX proposals_code ON proposals(code);
CREATE INDEX proposals_sentence ON proposals(sentence_id);
CREATE INDEX proposals_codebook ON proposals(codebook_id);

CREATE TABLE proposal_supersessions (
    proposal_id INTEGER PRIMARY KEY REFERENCES proposals(id),
    codebook_id INTEGER NOT NULL REFERENCES codebooks(id),
    superseded_at TEXT NOT NULL
);

CREATE TABLE proposal_passes (
    id INTEGER PRIMARY KEY,
    codebook_id INTEGER NOT NULL REFERENCES codebooks(id),
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    sections TEXT NOT NULL,
    min_score REAL NOT NULL,
    matcher TEXT NOT NULL,
    n_sentences INTEGER NOT NULL,
    n_proposals INTEGER NOT NULL,
    finished_at TEXT NOT NULL
);
CREATE INDEX proposal_passes_lookup ON proposal_passes(codebook_id, document_id)
"""


def upgrade(db: sqlite_utils.Database) -> None:
    from realistcoder.store.migrations import run_sql

    run_sql(db, SQL)
    db["sentences"].enable_fts(["text"], fts_version="FTS5", create_triggers=True)
