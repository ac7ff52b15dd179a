"""Schema 3: role-level proposals and codings, learned models, per-reviewer scores.

* ``proposals``: ``code_id``, ``codebook_id`` and ``code`` may be null: a *role proposal* says
  "this sentence reads as mechanism evidence" whatever the codebook holds. ``reviewer`` is null
  for proposals every reviewer sees, or the one reviewer a *learned* proposal was made for
  (blinding: nobody else sees it); ``model_id`` names the learned model that made it. A role
  proposal is unique per (sentence, role, reviewer).
* ``codings``: ``code_id``, ``codebook_id`` and ``code`` may be null, and ``role`` is stored on
  the coding: a *role-only coding* ("mechanism", no code yet) or a *no-role mark* (role
  ``none``: the reviewer read the sentence and found no C, M or O in it). Existing codings take
  their code's role.
* ``decisions`` gains ``role``: the role a role-only decision applied (null on older rows and on
  decisions about a code, whose role is the code's; the log is append-only, so older rows are
  not back-filled).
* ``role_models``: the ledger of models trained on a reviewer's decisions (provenance and
  parameters); ``proposal_scores``: a reviewer's current learned score for a proposal, and
  whether it is ``shown`` (0: the reviewer's model scores it below its threshold, so it leaves
  their queue; ``--status withdrawn`` lists it);
  ``role_passes``: finished role-detector runs per document (like ``proposal_passes`` for
  codebooks); ``proposal_supersessions.codebook_id`` may be null (a role proposal superseded by
  a newer detector).

SQLite cannot drop NOT NULL from a column, so ``proposals`` and ``codings`` are rebuilt (the
store runs migrations with foreign keys off and checks them before committing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

SQL = """
CREATE TABLE role_models (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    reviewer TEXT NOT NULL,
    method TEXT NOT NULL,
    version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    n_decisions INTEGER NOT NULL,
    last_decision_id INTEGER,
    n_sentences INTEGER NOT NULL,
    examples TEXT NOT NULL,
    settings TEXT NOT NULL,
    metrics TEXT NOT NULL DEFAULT '{}',
    parameters TEXT NOT NULL
);
CREATE INDEX role_models_reviewer ON role_models(reviewer, id);

CREATE TABLE proposals_v3 (
    id INTEGER PRIMARY KEY,
    sentence_id INTEGER NOT NULL REFERENCES sentences(id),
    code_id INTEGER REFERENCES codes(id),
    codebook_id INTEGER REFERENCES codebooks(id),
    code TEXT,
    role TEXT NOT NULL,
    theory TEXT,
    score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
    method TEXT NOT NULL,
    matched TEXT NOT NULL,
    flags TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    reviewer TEXT,
    model_id INTEGER REFERENCES role_models(id),
    CHECK ((code_id IS NULL) = (code IS NULL)),
    CHECK (code_id IS NOT NULL OR role IN ('context', 'mechanism', 'outcome')),
    UNIQUE (sentence_id, code_id)
);
INSERT INTO proposals_v3 (id, sentence_id, code_id, codebook_id, code, role, theory, score,
    method, matched, flags, created_at)
SELECT id, sentence_id, code_id, codebook_id, code, role, theory, score, method, matched, flags,
    created_at FROM proposals;
DROP TABLE proposals;
ALTER TABLE proposals_v3 RENAME TO proposals;
CREATE INDEX proposals_code ON proposals(code);
CREATE INDEX proposals_sentence ON proposals(sentence_id);
CREATE INDEX proposals_codebook ON proposals(codebook_id);
CREATE UNIQUE INDEX proposals_role_once ON proposals(sentence_id, role, coalesce(reviewer, ''))
    WHERE code_id IS NULL;

CREATE TABLE proposal_supersessions_v3 (
    proposal_id INTEGER PRIMARY KEY REFERENCES proposals(id),
    codebook_id INTEGER REFERENCES codebooks(id),
    superseded_at TEXT NOT NULL
);
INSERT INTO proposal_supersessions_v3 SELECT proposal_id, codebook_id, superseded_at
    FROM proposal_supersessions;
DROP TABLE proposal_supersessions;
ALTER TABLE proposal_supersessions_v3 RENAME TO proposal_supersessions;

CREATE TABLE role_passes (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    detector TEXT NOT NULL,
    sections TEXT NOT NULL,
    n_sentences INTEGER NOT NULL,
    n_proposals INTEGER NOT NULL,
    finished_at TEXT NOT NULL
);
CREATE INDEX role_passes_lookup ON role_passes(document_id, detector);

CREATE TABLE proposal_scores (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    reviewer TEXT NOT NULL,
    score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
    model_id INTEGER NOT NULL REFERENCES role_models(id),
    shown INTEGER NOT NULL DEFAULT 1 CHECK (shown IN (0, 1)),
    explanation TEXT NOT NULL DEFAULT '[]',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, reviewer)
);

ALTER TABLE decisions ADD COLUMN role TEXT;

CREATE TABLE codings_v3 (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    decision_id INTEGER NOT NULL UNIQUE REFERENCES decisions(id),
    reviewer TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('accepted', 'recoded', 'hand', 'consensus')),
    proposal_id INTEGER REFERENCES proposals(id),
    document_id INTEGER NOT NULL REFERENCES documents(id),
    sentence_id INTEGER NOT NULL REFERENCES sentences(id),
    end_sentence_id INTEGER NOT NULL REFERENCES sentences(id),
    code_id INTEGER REFERENCES codes(id),
    codebook_id INTEGER REFERENCES codebooks(id),
    code TEXT,
    role TEXT NOT NULL
        CHECK (role IN ('context', 'mechanism', 'outcome', 'other', 'none')),
    note TEXT,
    resolved_by TEXT,
    created_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    ended_by INTEGER REFERENCES decisions(id),
    CHECK ((code_id IS NULL) = (code IS NULL)),
    CHECK (code_id IS NULL OR role != 'none')
);
INSERT INTO codings_v3 (id, uuid, decision_id, reviewer, source, proposal_id, document_id,
    sentence_id, end_sentence_id, code_id, codebook_id, code, role, note, resolved_by,
    created_at, active, ended_by)
SELECT c.id, c.uuid, c.decision_id, c.reviewer, c.source, c.proposal_id, c.document_id,
    c.sentence_id, c.end_sentence_id, c.code_id, c.codebook_id, c.code,
    CASE WHEN k.role IN ('context', 'mechanism', 'outcome') THEN k.role ELSE 'other' END,
    c.note, c.resolved_by, c.created_at, c.active, c.ended_by
FROM codings c LEFT JOIN codes k ON k.id = c.code_id;
DROP TABLE codings;
ALTER TABLE codings_v3 RENAME TO codings;
CREATE INDEX codings_reviewer ON codings(reviewer, active);
CREATE INDEX codings_sentence ON codings(sentence_id);
CREATE INDEX codings_proposal ON codings(proposal_id, reviewer);
CREATE TRIGGER codings_never_deleted BEFORE DELETE ON codings
BEGIN SELECT RAISE(ABORT, 'codings are never deleted: uncode them'); END
"""


def upgrade(db: sqlite_utils.Database) -> None:
    from realistcoder.store.migrations import run_sql

    run_sql(db, SQL)
