"""Worksheets that name their reviewer, imports that can be tried (--dry-run) and reversed as a
whole (undo --batch), and the schema 4 that records import batches."""

from __future__ import annotations

import csv
import sqlite3

import pytest
from openpyxl import load_workbook
from test_review_support import seed

from realistcoder.store import open_store
from realistcoder.store import review as rv
from realistcoder.store.migrations import MIGRATIONS, SCHEMA_VERSION


@pytest.fixture
def ids(db_path):
    return seed(db_path)


def fill_csv(path, decisions: list[str]):
    """Fill the decision column of a CSV worksheet, row by row (as a spreadsheet would)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("decision")
    for row, decision in zip(rows[1:], decisions, strict=False):
        row[col] = decision
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)


def statuses(db_path, reviewer):
    with open_store(db_path) as s:
        return rv.proposal_status(s, reviewer)


def n_decisions(db_path) -> int:
    with open_store(db_path) as s:
        return s.query("SELECT count(*) AS n FROM decisions")[0]["n"]


def test_the_about_sheet_names_the_file_the_reviewer_has(rc, ids, tmp_path):
    sheet = tmp_path / "bob.xlsx"
    rc("export", "worksheet", "--reviewer", "bob", "-o", sheet)
    about = {row[0]: row[1] for row in load_workbook(sheet)["about"].iter_rows(values_only=True)}
    assert about["import"] == "realistcoder import decisions bob.xlsx --reviewer bob"


def test_a_csv_worksheet_carries_its_reviewer_and_refuses_another(rc, ids, db_path, tmp_path):
    sheet = tmp_path / "bob.csv"
    rc("export", "worksheet", "--reviewer", "bob", "-o", sheet)
    with open(sheet, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["reviewer"] for r in rows} == {"bob"}
    fill_csv(sheet, ["accept"] * len(rows))
    result = rc("import", "decisions", sheet, "--reviewer", "carol", ok=False)
    assert result.exit_code == 1 and "exported for bob, not carol" in result.stderr
    assert n_decisions(db_path) == 0
    assert f"{len(rows)} decisions imported" in rc("import", "decisions", sheet, "--reviewer",
                                                   "bob").stdout


def test_another_reviewers_codings_file_is_refused(rc, ids, db_path, tmp_path):
    rc("decide", ids["proposals"][0], "--accept", "--reviewer", "alice")
    out = tmp_path / "alice.csv"
    rc("export", "codings", "--reviewer", "alice", "-o", out)
    result = rc("import", "codings", out, "--reviewer", "carol", ok=False)
    assert result.exit_code == 1 and "alice's, not carol's" in result.stderr


def test_dry_run_shows_what_would_change_and_saves_nothing(rc, ids, db_path, tmp_path):
    sheet = tmp_path / "bob.csv"
    rc("export", "worksheet", "--reviewer", "bob", "-o", sheet)
    fill_csv(sheet, ["accept", "reject", ""])
    out = rc("import", "decisions", sheet, "--reviewer", "bob", "--dry-run").stdout
    assert f"proposal {ids['proposals'][0]}: accept wf_trust" in out
    assert f"proposal {ids['proposals'][1]}: reject" in out
    assert "2 decisions would be imported" in out and "nothing was saved" in out
    assert n_decisions(db_path) == 0 and set(statuses(db_path, "bob").values()) <= {"pending"}
    hand = tmp_path / "hand.csv"
    hand.write_text("sentence_id,code\n1,wf_trust\n2-3,wf_access\n", encoding="utf-8")
    out = rc("import", "codings", hand, "--reviewer", "bob", "--dry-run").stdout
    assert "sentence 1: wf_trust" in out and "sentences 2-3: wf_access" in out
    assert "2 codings would be added" in out and n_decisions(db_path) == 0


def test_an_import_is_a_batch_that_undo_batch_reverses(rc, ids, db_path, tmp_path):
    p = ids["proposals"]
    rc("decide", p[0], "--reject", "--reviewer", "bob")  # before the import: must survive
    sheet = tmp_path / "bob.csv"
    rc("export", "worksheet", "--reviewer", "bob", "-o", sheet)
    fill_csv(sheet, ["accept"] * (len(p) - 1))
    out = rc("import", "decisions", sheet, "--reviewer", "bob").stdout
    assert "batch 1: 7 decisions by bob" in out and "undo --batch 1 --reviewer bob" in out
    before_undo = statuses(db_path, "bob")
    assert sum(s == "accepted" for s in before_undo.values()) == 7
    rc("decide", p[3], "--reject", "--reviewer", "bob")  # decided again after the import
    batches = rc.jsonl("log", "--batches", "--reviewer", "bob", "--format", "jsonl")
    assert [(b["id"], b["kind"], b["source"], b["decisions"]) for b in batches] == [
        (1, "import decisions", "bob.csv", 7)]
    result = rc("undo", "--batch", "1", "--reviewer", "alice", ok=False)
    assert result.exit_code == 1 and "bob's decisions" in result.stderr
    result = rc("undo", "--batch", "1", "--reviewer", "bob")
    assert "7 decisions reversed as batch 2" in result.stdout
    assert f"({p[3]}); those later decisions stand" in result.stderr
    after = statuses(db_path, "bob")
    assert after.get(p[0]) == "rejected" and after.get(p[3]) == "rejected"
    assert {s for pid, s in after.items() if pid not in (p[0], p[3])} <= {"pending"}
    log = rc.jsonl("log", "--reviewer", "bob", "--format", "jsonl")
    undos = [d for d in log if d["action"] == "undo"]
    assert len(undos) == 7 and {d["batch_id"] for d in undos} == {2}
    assert all(d["undone_by"] for d in log if d["batch_id"] == 1)
    result = rc("undo", "--batch", "1", "--reviewer", "bob", ok=False)
    assert "already undone" in result.stderr
    result = rc("undo", "--batch", "2", "--reviewer", "bob", ok=False)
    assert "an undo cannot be undone" in result.stderr
    # the append-only log still holds every imported decision
    with open_store(db_path) as s:
        assert s.query("SELECT count(*) AS n FROM decisions WHERE batch IS NOT NULL")[0][
            "n"] == 14


def test_an_import_that_changes_nothing_leaves_no_batch(rc, ids, tmp_path):
    hand = tmp_path / "hand.csv"
    hand.write_text("sentence_id,code\n1,wf_trust\n", encoding="utf-8")
    rc("import", "codings", hand, "--reviewer", "bob")
    out = rc("import", "codings", hand, "--reviewer", "bob").stdout
    assert "0 codings added, 1 already present" in out and "batch" not in out
    assert len(rc.jsonl("log", "--batches", "--unblind", "--format", "jsonl")) == 1


def test_a_schema_2_store_upgrades_to_batches(tmp_path):
    import sqlite_utils

    old = tmp_path / "old.db"
    conn = sqlite3.connect(old, isolation_level=None)
    conn.execute("BEGIN")
    for number, upgrade in MIGRATIONS:  # as a realistcoder of schema 2 left it
        if number <= 2:
            upgrade(sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO decisions (uuid, reviewer, action, created_at) "
                 "VALUES ('u1', 'alice', 'resolve', '2020-01-01T00:00:00')")
    conn.execute("COMMIT")
    conn.close()
    with open_store(old) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.query("SELECT uuid, batch FROM decisions") == [{"uuid": "u1", "batch": None}]
        assert store.query("SELECT count(*) AS n FROM batches") == [{"n": 0}]


def test_merge_brings_batches_with_their_decisions(rc, tmp_path):
    mine, theirs = tmp_path / "mine.db", tmp_path / "theirs.db"
    seed(mine)
    seed(theirs)
    hand = tmp_path / "hand.csv"
    hand.write_text("sentence_id,code\n1,wf_trust\n2,wf_access\n", encoding="utf-8")
    rc("--db", theirs, "import", "codings", hand, "--reviewer", "bob")
    rc("--db", mine, "merge", theirs)
    batches = rc.jsonl("--db", mine, "log", "--batches", "--unblind", "--format", "jsonl")
    assert [(b["kind"], b["decisions"]) for b in batches] == [("import codings", 2)]
    rc("--db", mine, "undo", "--batch", batches[0]["id"], "--reviewer", "bob")
    assert rc.jsonl("--db", mine, "export", "codings", "--reviewer", "bob") == []
