"""Schema 2: review decisions (append-only log), current codings, appraisals, CMO configurations.

Owned by the review issue; see docs/schema.md ("Review tables").

``decisions`` is the audit trail: one row per thing a reviewer did, never updated or deleted
(triggers refuse it). ``codings`` and ``proposal_reviews`` are the current state derived from
the log and are written in the same transaction as the decision that changes them. A coding row
is never deleted either: removing one (uncode, undo, a later decision on the same proposal)
sets ``active = 0`` and ``ended_by``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported for the type only: sqlite-utils loads pandas
    import sqlite_utils

SQL = """
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    reviewer TEXT NOT NULL,
    action TEXT NOT NULL
        CHECK (action IN ('accept', 'reject', 'recode', 'code', 'uncode', 'resolve', 'undo')),
    proposal_id INTEGER REFERENCES proposals(id),
    sentence_id INTEGER REFERENCES sentences(id),
    end_sentence_id INTEGER REFERENCES sentences(id),
    code_id INTEGER REFERENCES codes(id),
    codebook_id INTEGER REFERENCES codebooks(id),
    code TEXT,
    target_uuid TEXT,
    note TEXT,
    resolved_by TEXT,
    origin TEXT NOT NULL DEFAULT 'command',
    created_at TEXT NOT NULL
);
CREATE INDEX decisions_reviewer ON decisions(reviewer, created_at);
CREATE INDEX decisions_proposal ON decisions(proposal_id);
CREATE INDEX decisions_target ON decisions(target_uuid);
CREATE TRIGGER decisions_append_only_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_append_only_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;

CREATE TABLE codings (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    decision_id INTEGER NOT NULL UNIQUE REFERENCES decisions(id),
    reviewer TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('accepted', 'recoded', 'hand', 'consensus')),
    proposal_id INTEGER REFERENCES proposals(id),
    document_id INTEGER NOT NULL REFERENCES documents(id),
    sentence_id INTEGER NOT NULL REFERENCES sentences(id),
    end_sentence_id INTEGER NOT NULL REFERENCES sentences(id),
    code_id INTEGER NOT NULL REFERENCES codes(id),
    codebook_id INTEGER NOT NULL REFERENCES codebooks(id),
    code TEXT NOT NULL,
    note TEXT,
    resolved_by TEXT,
    created_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    ended_by INTEGER REFERENCES decisions(id)
);
CREATE INDEX codings_reviewer ON codings(reviewer, active);
CREATE INDEX codings_sentence ON codings(sentence_id);
CREATE INDEX codings_proposal ON codings(proposal_id, reviewer);
CREATE TRIGGER codings_never_deleted BEFORE DELETE ON codings
BEGIN SELECT RAISE(ABORT, 'codings are never deleted: uncode them'); END;

CREATE TABLE proposal_reviews (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    reviewer TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'recoded')),
    decision_id INTEGER REFERENCES decisions(id),
    coding_id INTEGER REFERENCES codings(id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, reviewer)
);
CREATE INDEX proposal_reviews_reviewer ON proposal_reviews(reviewer, status);

CREATE TABLE appraisals (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    reviewer TEXT NOT NULL,
    relevance TEXT NOT NULL CHECK (relevance IN ('high', 'moderate', 'low')),
    rigour TEXT NOT NULL CHECK (rigour IN ('high', 'moderate', 'low')),
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX appraisals_document ON appraisals(document_id, reviewer, created_at);

CREATE TABLE cmocs (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    theory TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    if_text TEXT NOT NULL DEFAULT '',
    then_text TEXT NOT NULL DEFAULT '',
    because_text TEXT NOT NULL DEFAULT '',
    reviewer TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cmocs_theory ON cmocs(theory);

CREATE TABLE cmoc_links (
    id INTEGER PRIMARY KEY,
    cmoc_id INTEGER NOT NULL REFERENCES cmocs(id),
    coding_id INTEGER NOT NULL REFERENCES codings(id),
    part TEXT NOT NULL
        CHECK (part IN ('context', 'resource', 'reasoning', 'mechanism', 'outcome')),
    added_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX cmoc_links_cmoc ON cmoc_links(cmoc_id);
CREATE INDEX cmoc_links_coding ON cmoc_links(coding_id);

CREATE TABLE cmoc_history (
    id INTEGER PRIMARY KEY,
    cmoc_id INTEGER NOT NULL REFERENCES cmocs(id),
    reviewer TEXT NOT NULL,
    change TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX cmoc_history_cmoc ON cmoc_history(cmoc_id);

CREATE TABLE cmoc_discards (
    id INTEGER PRIMARY KEY,
    reviewer TEXT NOT NULL,
    theory TEXT NOT NULL,
    key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (reviewer, key)
)
"""


def upgrade(db: sqlite_utils.Database) -> None:
    from realistcoder.store.migrations import run_sql

    run_sql(db, SQL)
