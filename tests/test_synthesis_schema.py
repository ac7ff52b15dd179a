"""Schema 6: a store from before it upgrades cleanly and keeps its CMOCs, as version 1."""

from __future__ import annotations

import sqlite3

import pytest
from old_store import schema2_store
from test_review_support import seed

from realistcoder.store import open_store
from realistcoder.store.migrations import SCHEMA_VERSION


@pytest.fixture
def schema3_store(db_path):
    """A store from before schema 6 (written at schema 2) with a CMOC linking a coding."""
    schema2_store(db_path)
    return 1


def test_an_older_store_upgrades_with_cmocs_as_version_1(db_path, schema3_store):
    with open_store(db_path) as s:
        assert s.schema_version() == SCHEMA_VERSION >= 6
        (link,) = s.query("SELECT judgement, judgement_note FROM cmoc_links")
        assert link == {"judgement": "supports", "judgement_note": None}
        (version,) = s.query("SELECT * FROM cmoc_versions")
        assert (version["because_text"], version["created_at"]) == ("willing",
                                                                    "2020-01-02T00:00:00")
        assert '"context", "supports"' in version["links"]
        assert {"flow_counts", "theory_versions", "cmoc_chains", "coding_polarity",
                "code_mappings", "knowledge_gaps", "gap_links"} <= set(s.db.table_names())
        cols = set(s.db["documents"].columns_dict)
        assert {"evidence_type", "study_design", "screening", "exclusion_reason"} <= cols


def test_versions_are_append_only(db_path, schema3_store):
    with open_store(db_path) as s:
        for sql in ("UPDATE cmoc_versions SET because_text = 'x'", "DELETE FROM cmoc_versions"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                s.conn.execute(sql)


def test_evidence_type_is_checked_by_the_schema(db_path):
    seed(db_path)
    with open_store(db_path) as s, pytest.raises(sqlite3.IntegrityError):
        s.conn.execute("UPDATE documents SET evidence_type = 'anecdote'")
