"""One output convention: -o's extension picks the format in every export and listing,
--format overrides it, a format name means the same everywhere, and overwriting is explicit."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from test_review_support import seed


@pytest.fixture
def ids(db_path, rc):
    ids = seed(db_path)
    p = ids["proposals"]
    rc("decide", p[0], "--accept", "--reviewer", "alice")
    rc("decide", p[1], "--reject", "--reviewer", "alice", "--note", "=too vague")
    rc("cmoc", "add", "--theory", "workforce", "--context", "1", "--reviewer", "alice",
       "--if", "trust", "--then", "access")
    return ids


# every listing and record export, with the key field its records carry
LISTINGS = [
    (("documents",), "file_name"),
    (("sentences", "alpha.pdf"), "sentence_id"),
    (("search", "trust"), "sentence_id"),
    (("proposals",), "proposal_id"),
    (("log", "--unblind"), "action"),
    (("cmoc", "list"), "statement"),
    (("export", "sentences"), "sentence_id"),
    (("export", "proposals"), "proposal_id"),
    (("export", "codings", "--unblind"), "coding_id"),
]


def _csv_rows(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")  # Excel reads a CSV file's encoding from the BOM
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.mark.parametrize("args, key", LISTINGS, ids=lambda a: " ".join(a) if isinstance(a, tuple)
                         else a)
def test_the_extension_picks_the_format_in_every_listing(rc, ids, tmp_path, args, key):
    records = rc.jsonl(*args, "--format", "jsonl")
    assert records and key in records[0]
    for name in ("out.json", "out.jsonl", "out.csv", "out.xlsx", "out.md", "out.html"):
        result = rc(*args, "-o", tmp_path / name)
        assert f"wrote {len(records)} " in result.stderr and not result.stdout
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == records
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records
    rows = _csv_rows(tmp_path / "out.csv")
    assert len(rows) == len(records) and list(rows[0]) == list(records[0])
    sheet = load_workbook(tmp_path / "out.xlsx").worksheets[0]
    assert [c.value for c in sheet[1]] == list(records[0]) and sheet.max_row == len(records) + 1
    assert (tmp_path / "out.md").read_text(encoding="utf-8").count("\n| ") >= len(records)
    assert (tmp_path / "out.html").read_text(encoding="utf-8").count("<tr>") == len(records) + 1


@pytest.mark.parametrize("args, key", LISTINGS, ids=lambda a: " ".join(a) if isinstance(a, tuple)
                         else a)
def test_json_is_one_array_and_jsonl_one_object_a_line_everywhere(rc, ids, args, key):
    records = rc.jsonl(*args, "--format", "jsonl")
    assert json.loads(rc(*args, "--format", "json").stdout) == records


def test_record_exports_to_csv_files_are_csv(rc, ids, tmp_path):
    """Before: `export codings|proposals|sentences -o x.csv` wrote JSON lines into x.csv."""
    for args in (("codings", "--unblind"), ("proposals",), ("sentences",)):
        out = tmp_path / f"{args[0]}.csv"
        rc("export", *args, "-o", out)
        assert _csv_rows(out) and "{" not in out.read_text(encoding="utf-8")[:3]


def test_format_overrides_the_extension_with_a_note(rc, ids, tmp_path):
    out = tmp_path / "log.txt"
    result = rc("log", "--unblind", "--format", "csv", "-o", out)
    assert "writing csv as --format says" in result.stderr
    assert _csv_rows(out)[0]["action"] == "accept"
    rc("log", "--unblind", "-o", tmp_path / "log2.txt")  # .txt: the readable table
    assert "accept" in (tmp_path / "log2.txt").read_text(encoding="utf-8")


def test_an_unknown_extension_is_a_one_line_error(rc, ids, tmp_path):
    result = rc("export", "codings", "--unblind", "-o", tmp_path / "c.pdf", ok=False)
    assert result.exit_code == 1 and "--format" in result.stderr
    assert not (tmp_path / "c.pdf").exists()


def test_status_and_audit_have_machine_readable_files(rc, ids, tmp_path):
    rc("status", "--reviewer", "alice", "-o", tmp_path / "status.json")
    status = json.loads((tmp_path / "status.json").read_text(encoding="utf-8"))
    assert isinstance(status, dict) and status
    rc("audit", "--bootstrap", "0", "-o", tmp_path / "audit.json")
    assert isinstance(json.loads((tmp_path / "audit.json").read_text(encoding="utf-8")), dict)


def test_an_export_replaces_a_generated_file_and_says_so(rc, ids, tmp_path):
    out = tmp_path / "codings.csv"
    first = rc("export", "codings", "--unblind", "-o", out)
    assert "replaced" not in first.stderr
    second = rc("export", "codings", "--unblind", "-o", out)
    assert "replaced the earlier file" in second.stderr
    assert not list(tmp_path.glob(".*.part"))


def test_files_a_person_edits_are_never_overwritten_without_force(rc, ids, tmp_path):
    sheet = tmp_path / "bob.csv"
    sheet.write_text("edited by hand\n", encoding="utf-8")
    result = rc("export", "worksheet", "--reviewer", "bob", "-o", sheet, ok=False)
    assert result.exit_code == 1 and "--force" in result.stderr
    assert sheet.read_text(encoding="utf-8") == "edited by hand\n"
    meeting = tmp_path / "meeting.xlsx"
    meeting.write_bytes(b"filled in at the meeting")
    result = rc("audit", "--disagreements", "--bootstrap", "0", "-o", meeting, ok=False)
    assert result.exit_code == 1 and "--force" in result.stderr
    assert meeting.read_bytes() == b"filled in at the meeting"
    rc("export", "worksheet", "--reviewer", "bob", "-o", sheet, "--force")
    assert "edited by hand" not in sheet.read_text(encoding="utf-8")


def test_csv_cells_stay_inert_in_every_listing(rc, ids, tmp_path):
    rc("log", "--unblind", "-o", tmp_path / "log.csv")
    notes = [r["note"] for r in _csv_rows(tmp_path / "log.csv") if r["note"]]
    assert notes == ["'=too vague"]
