"""Clear, true messages: a full disk says what was saved, a search with bad syntax says so,
spreadsheet cells holding formulas and damaged spreadsheet XML are reported, not skipped."""

from __future__ import annotations

import random
import sqlite3
import zipfile

import pytest
from openpyxl import load_workbook
from test_review_support import seed
from test_review_worksheet import fill

import realistcoder.cli.groups as groups
from realistcoder.store import open_store
from realistcoder.store import review as rv
from realistcoder.store.db import database_error
from tests.conftest import CORPUS

NOTE = CORPUS / "mdt-huddles-practice-note.md"
WORDS = "the care model staff trust outcome patients services community shared records".split()


@pytest.fixture
def small_disk(monkeypatch):
    """Each store opened by the CLI may grow by ``room[0]`` pages only: SQLite then fails
    exactly as on a full disk ("database or disk is full")."""
    room = [60]
    opened = groups.open_store

    def limited(path, create=False):
        store = opened(path, create=create)
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages + room[0]}")
        return store

    monkeypatch.setattr(groups, "open_store", limited)
    return room


def _text_files(folder, n: int) -> None:
    rng = random.Random(0)
    for k in range(n):
        paragraphs = [" ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + "."
                      for _ in range(60)]
        (folder / f"doc{k}.txt").write_text(f"# Document {k}\n\n" + "\n\n".join(paragraphs))


def _error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_full_disk_during_ingest_says_what_was_stored(rc, tmp_path, small_disk):
    _text_files(tmp_path, 6)
    result = rc("ingest", tmp_path, ok=False)
    assert result.exit_code == 1
    lines = _error_lines(result)
    assert len(lines) == 1 and "disk is full" in lines[0], result.stderr
    assert "nothing was saved" not in lines[0]
    with open_store(rc.db_path) as store:
        stored = store.query("SELECT count(*) AS n FROM documents WHERE status = 'ok'")[0]["n"]
    assert 0 < stored < 6
    assert f"{stored} document(s) of this run were stored before it" in lines[0]
    small_disk[0] = 10_000  # space freed: the same command finishes the job
    again = rc("ingest", tmp_path)
    assert f"{6 - stored} ingested" in again.stdout and f"{stored} unchanged" in again.stdout


def test_full_disk_during_decide_is_a_clear_line(rc, tmp_path, small_disk):
    ids = seed(rc.db_path)
    small_disk[0] = 0
    note = "a long note that needs pages of its own " * 3000
    result = rc("decide", ids["proposals"][0], "--accept", "--reviewer", "alice", "--note", note,
                ok=False)
    lines = _error_lines(result)
    assert result.exit_code == 1 and len(lines) == 1
    assert "disk is full" in lines[0] and "free some space" in lines[0]
    assert "this step was writing was not saved" in lines[0]
    with open_store(rc.db_path) as store:
        assert rv.proposal_status(store, "alice")[ids["proposals"][0]] == "pending"


def test_disk_input_output_error_reads_as_such(tmp_path):
    err = database_error(tmp_path / "r.db", sqlite3.OperationalError("disk I/O error"))
    assert err is not None
    text = str(err)
    assert "input/output error" in text and "SQLite error" not in text and "r.db" in text
    assert database_error(tmp_path / "r.db", sqlite3.OperationalError("no such column")) is None


@pytest.mark.parametrize("query", ["trust OR", '"unbalanced', "NEAR( (", "AND trust"])
def test_bad_search_syntax_is_an_error_not_no_matches(rc, query):
    rc("ingest", NOTE)
    result = rc("search", query, ok=False)
    assert result.exit_code == 1
    lines = _error_lines(result)
    assert len(lines) == 1 and "not a valid search" in lines[0]
    assert "no matches" not in result.stderr and "unexpected" not in result.stderr


@pytest.mark.parametrize("query", ["huddle*", '"daily huddles"', "patient's situation",
                                   "multi-disciplinary teams", "huddles OR chair"])
def test_plain_and_valid_searches_still_work(rc, query):
    rc("ingest", NOTE)
    result = rc("search", query)
    assert result.exit_code == 0


def test_worksheet_cells_holding_formulas_are_reported_not_skipped(rc, tmp_path):
    ids = seed(rc.db_path)
    sheet = tmp_path / "w.xlsx"
    rc("export", "worksheet", "--reviewer", "alice", "-o", sheet)
    p = ids["proposals"]
    fill(sheet, {p[0]: ("accept",), p[1]: ('=IF(1>0,"accept","reject")',),
                 p[2]: ("reject", None, "=A1&A2")})
    result = rc("import", "decisions", sheet, "--reviewer", "alice", ok=False)
    assert result.exit_code == 1
    listed = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert len(listed) == 2
    assert "column decision" in listed[0] and "=IF(" in listed[0]
    assert "column note" in listed[1]
    assert "formulas" in result.stderr.splitlines()[-1]
    with open_store(rc.db_path) as store:
        assert set(rv.proposal_status(store, "alice", p[:3]).values()) == {"pending"}


def _with_entity(source, target, doctype: bytes, reference: bytes) -> None:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":  # the worksheet itself
                if not data.startswith(b"<?xml"):
                    data = b'<?xml version="1.0"?>' + data
                data = data.replace(b"?>", b"?>" + doctype, 1)
                at = data.index(b"<v>")  # the first proposal id
                data = data[:at] + b"<v>" + reference + data[data.index(b"</v>", at):]
            dst.writestr(item, data)


@pytest.mark.parametrize("doctype, reference", [
    (b'<!DOCTYPE worksheet [<!ENTITY a SYSTEM "file:///etc/hostname">]>', b"&a;"),
    (b"", b"&undefined;"),
    (b"<!DOCTYPE worksheet [<!ENTITY a0 '1'>" + b"".join(  # a billion laughs
        b"<!ENTITY a%d '%s'>" % (i, b"&a%d;" % (i - 1) * 10) for i in range(1, 10)) + b"]>",
     b"&a9;"),
])
def test_entity_tricks_in_worksheet_xml_are_one_line(rc, tmp_path, doctype, reference):
    ids = seed(rc.db_path)
    sheet = tmp_path / "w.xlsx"
    rc("export", "worksheet", "--reviewer", "alice", "-o", sheet)
    fill(sheet, {ids["proposals"][0]: ("accept",)})
    tricked = tmp_path / "tricked.xlsx"
    _with_entity(sheet, tricked, doctype, reference)
    load_workbook(sheet)  # the untouched sheet is fine
    result = rc("import", "decisions", tricked, "--reviewer", "alice", ok=False)
    assert result.exit_code == 1
    lines = _error_lines(result)
    assert len(lines) == 1 and "tricked.xlsx" in lines[0], result.stderr
    assert "unexpected" not in lines[0]


@pytest.mark.parametrize("args", [
    ("decide", "99999999999999999999999", "--accept", "--reviewer", "alice"),
    ("code", "99999999999999999999999", "wf_access", "--reviewer", "alice"),
    ("uncode", "99999999999999999999999", "--reviewer", "alice"),
])
def test_an_id_too_large_for_the_store_is_one_line(rc, args):
    seed(rc.db_path)
    result = rc(*args, ok=False)
    lines = _error_lines(result)
    assert result.exit_code == 1 and len(lines) == 1
    assert "too large to be an id" in lines[0] and "unexpected" not in lines[0]
