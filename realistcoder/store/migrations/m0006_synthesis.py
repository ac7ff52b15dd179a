"""Schema 6: from coded fragments to a tested programme theory.

* ``cmoc_links`` gains ``judgement`` (``supports`` / ``refutes`` / ``refines``: what the linked
  coding says about the configuration; links made before this schema meant "supports") and
  ``judgement_note``.
* ``appraisals`` gains ``resolved_by``: a consensus appraisal is stored under the reviewer
  ``consensus`` with who recorded it, as consensus codings are.
* ``documents`` gains the characteristics a synthesis reports (``evidence_type``,
  ``study_design``, ``setting``, ``country``, ``found_via``) and its screening state
  (``screening``, ``screening_stage``, ``exclusion_reason``, ``screened_by``, ``screened_at``).
* ``codes`` gains ``level`` (individual / organisational / system) from the codebook.
* New tables: ``flow_counts`` (records that never reached the store: searches, duplicates,
  title-and-abstract exclusions), ``cmoc_versions`` and ``theory_versions`` (append-only
  refinement history: every statement with who, when, why and the evidence behind it),
  ``cmoc_chains`` (one configuration's outcome is another's context or mechanism),
  ``coding_polarity`` (enabling / blocking, append-only, latest wins), ``code_mappings``
  (levels and framework components such as COM-B mapped onto codes), ``knowledge_gaps`` and
  ``gap_links`` (the register of gaps and uncertainties).

Existing CMOCs get their current state as version 1 (earlier statements were not kept before
this schema). See docs/schema.md ("Schema 6").
"""

from __future__ import annotations

import json
import uuid as uuidlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

SQL = """
ALTER TABLE cmoc_links ADD COLUMN judgement TEXT NOT NULL DEFAULT 'supports'
    CHECK (judgement IN ('supports', 'refutes', 'refines'));
ALTER TABLE cmoc_links ADD COLUMN judgement_note TEXT;

ALTER TABLE appraisals ADD COLUMN resolved_by TEXT;

ALTER TABLE documents ADD COLUMN evidence_type TEXT
    CHECK (evidence_type IN ('theoretical', 'empirical', 'practice'));
ALTER TABLE documents ADD COLUMN study_design TEXT;
ALTER TABLE documents ADD COLUMN setting TEXT;
ALTER TABLE documents ADD COLUMN country TEXT;
ALTER TABLE documents ADD COLUMN found_via TEXT;
ALTER TABLE documents ADD COLUMN screening TEXT CHECK (screening IN ('included', 'excluded'));
ALTER TABLE documents ADD COLUMN screening_stage TEXT
    CHECK (screening_stage IN ('title_abstract', 'full_text'));
ALTER TABLE documents ADD COLUMN exclusion_reason TEXT;
ALTER TABLE documents ADD COLUMN screened_by TEXT;
ALTER TABLE documents ADD COLUMN screened_at TEXT;

ALTER TABLE codes ADD COLUMN level TEXT;

CREATE TABLE flow_counts (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    stage TEXT NOT NULL CHECK (stage IN ('identified', 'duplicates', 'excluded_title_abstract',
                                         'excluded_full_text')),
    label TEXT NOT NULL DEFAULT '',
    n INTEGER NOT NULL CHECK (n >= 0),
    reviewer TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX flow_counts_stage ON flow_counts(stage, label, created_at);

CREATE TABLE cmoc_versions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    cmoc_id INTEGER NOT NULL REFERENCES cmocs(id),
    theory TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    if_text TEXT NOT NULL DEFAULT '',
    then_text TEXT NOT NULL DEFAULT '',
    because_text TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    links TEXT NOT NULL DEFAULT '[]',
    reviewer TEXT NOT NULL,
    change TEXT NOT NULL DEFAULT '',
    reason TEXT,
    evidence TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
CREATE INDEX cmoc_versions_cmoc ON cmoc_versions(cmoc_id, created_at);
CREATE TRIGGER cmoc_versions_append_only_update BEFORE UPDATE ON cmoc_versions
BEGIN SELECT RAISE(ABORT, 'CMOC versions are append-only'); END;
CREATE TRIGGER cmoc_versions_append_only_delete BEFORE DELETE ON cmoc_versions
BEGIN SELECT RAISE(ABORT, 'CMOC versions are append-only'); END;

CREATE TABLE theory_versions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    theory TEXT NOT NULL,
    statement TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    reason TEXT,
    evidence TEXT NOT NULL DEFAULT '[]',
    cmocs TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
CREATE INDEX theory_versions_theory ON theory_versions(theory, created_at);
CREATE TRIGGER theory_versions_append_only_update BEFORE UPDATE ON theory_versions
BEGIN SELECT RAISE(ABORT, 'theory versions are append-only'); END;
CREATE TRIGGER theory_versions_append_only_delete BEFORE DELETE ON theory_versions
BEGIN SELECT RAISE(ABORT, 'theory versions are append-only'); END;

CREATE TABLE cmoc_chains (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    from_cmoc INTEGER NOT NULL REFERENCES cmocs(id),
    to_cmoc INTEGER NOT NULL REFERENCES cmocs(id),
    part TEXT NOT NULL CHECK (part IN ('context', 'mechanism')),
    reviewer TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    removed_at TEXT,
    removed_by TEXT,
    CHECK (from_cmoc != to_cmoc)
);
CREATE INDEX cmoc_chains_from ON cmoc_chains(from_cmoc);
CREATE INDEX cmoc_chains_to ON cmoc_chains(to_cmoc);

CREATE TABLE coding_polarity (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    coding_uuid TEXT NOT NULL,
    polarity TEXT CHECK (polarity IN ('enabling', 'blocking')),
    reviewer TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'command',
    cue TEXT,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX coding_polarity_coding ON coding_polarity(coding_uuid, created_at);

CREATE TABLE code_mappings (
    id INTEGER PRIMARY KEY,
    codebook TEXT NOT NULL,
    code TEXT NOT NULL,
    scheme TEXT NOT NULL,
    value TEXT NOT NULL,
    reviewer TEXT,
    source TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (codebook, code, scheme, value)
);

CREATE TABLE knowledge_gaps (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('gap', 'uncertainty')),
    theory TEXT,
    title TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'addressed')),
    reviewer TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE gap_links (
    id INTEGER PRIMARY KEY,
    gap_id INTEGER NOT NULL REFERENCES knowledge_gaps(id),
    cmoc_id INTEGER REFERENCES cmocs(id),
    coding_id INTEGER REFERENCES codings(id),
    document_id INTEGER REFERENCES documents(id),
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    CHECK ((cmoc_id IS NOT NULL) + (coding_id IS NOT NULL) + (document_id IS NOT NULL) = 1)
);
CREATE INDEX gap_links_gap ON gap_links(gap_id)
"""


def upgrade(db: sqlite_utils.Database) -> None:
    from realistcoder.store.migrations import run_sql

    run_sql(db, SQL)
    _first_versions(db)


def _first_versions(db: sqlite_utils.Database) -> None:
    """Every existing CMOC's current state becomes its version 1 (a uuid derived from the
    CMOC's, so two copies of one store migrate to the same version)."""
    conn = db.conn
    cmocs = conn.execute("SELECT id, uuid, theory, title, if_text, then_text, because_text, "
                         "status, reviewer, updated_at FROM cmocs ORDER BY id").fetchall()
    for cid, cuuid, theory, title, if_t, then_t, because_t, status, reviewer, updated in cmocs:
        links = conn.execute(
            "SELECT c.uuid, l.part, l.judgement FROM cmoc_links l JOIN codings c ON "
            "c.id = l.coding_id WHERE l.cmoc_id = ? AND l.removed_at IS NULL ORDER BY l.id",
            (cid,)).fetchall()
        conn.execute(
            "INSERT INTO cmoc_versions (uuid, cmoc_id, theory, title, if_text, then_text, "
            "because_text, status, links, reviewer, change, reason, created_at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"realistcoder:cmoc:{cuuid}:m0006")), cid,
             theory, title, if_t, then_t, because_t, status,
             json.dumps([list(link) for link in links]), reviewer, "state when versions began",
             None, updated))
