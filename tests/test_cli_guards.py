"""Guards found by the QA pass: no silent stores, no contradictory flags, no lost worksheets,
no formulas in CSV cells, `-o -` means standard output."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import CORPUS

from realistcoder.store import open_store


@pytest.fixture
def proposed(rc):
    rc("ingest", CORPUS / "hub-roles-evaluation.pdf")
    rc("propose")
    return rc


def test_read_commands_do_not_create_a_store_on_a_mistyped_db(rc, db_path):
    for args in (("status",), ("proposals",), ("review", "--reviewer", "alice"),
                 ("decide", "1", "--accept", "--reviewer", "alice")):
        result = rc(*args, ok=False)
        assert result.exit_code == 1
        assert "no review store here" in result.stderr and "realistcoder ingest" in result.stderr
    assert not db_path.exists()


def test_accept_and_reject_together_is_refused(proposed):
    result = proposed("decide", "1", "--accept", "--reject", "--reviewer", "alice", ok=False)
    assert result.exit_code == 1 and "contradict" in result.stderr
    assert proposed.jsonl("export", "codings", "--reviewer", "alice") == []
    with open_store(proposed.db_path) as store:
        assert store.query("SELECT count(*) AS n FROM decisions")[0]["n"] == 0


def test_a_reversed_range_says_so(proposed):
    result = proposed("code", "30-10", "t1_access", "--reviewer", "alice", ok=False)
    assert result.exit_code == 1 and "ends before it starts" in result.stderr


def test_worksheet_is_not_overwritten_without_force(proposed, tmp_path):
    sheet = tmp_path / "alice.csv"
    proposed("export", "worksheet", "--reviewer", "alice", "-o", sheet)
    sheet.write_text(sheet.read_text(encoding="utf-8-sig") + "my unimported work\n")
    result = proposed("export", "worksheet", "--reviewer", "alice", "-o", sheet, ok=False)
    assert result.exit_code == 1 and "--force" in result.stderr
    assert "my unimported work" in sheet.read_text()
    proposed("export", "worksheet", "--reviewer", "alice", "-o", sheet, "--force")
    assert "my unimported work" not in sheet.read_text()


def test_dash_output_is_stdout(proposed, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = proposed("export", "proposals", "--format", "jsonl", "-o", "-").stdout.splitlines()
    assert lines and all(json.loads(line)["proposal_id"] for line in lines)
    proposed("decide", "1", "--accept", "--reviewer", "alice")
    codings = proposed("export", "codings", "--reviewer", "alice", "-o", "-").stdout
    assert json.loads(codings.splitlines()[0])["proposal_id"] == 1
    assert not (tmp_path / "-").exists()


def test_proposal_csv_cells_cannot_run_as_formulas(proposed):
    with open_store(proposed.db_path) as store, store.transaction() as db:
        db.execute("UPDATE sentences SET text = '=HYPERLINK(\"http://x\",\"click\")' WHERE id = "
                   "(SELECT sentence_id FROM proposals ORDER BY id LIMIT 1)")
    out = proposed("export", "proposals", "--format", "csv").stdout
    texts = [row["text"] for row in csv.DictReader(io.StringIO(out))]
    assert any("HYPERLINK" in t for t in texts)
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)


def test_segment_points_a_pdf_at_ingest(rc):
    pdf = CORPUS / "hub-roles-evaluation.pdf"
    result = rc("segment", pdf, ok=False)
    assert result.exit_code == 1 and "realistcoder ingest" in result.stderr


@pytest.mark.parametrize("args", [
    ("export", "proposals", "--format", "csv"),
    ("export", "codings", "--reviewer", "alice"),
    ("export", "worksheet", "--reviewer", "alice"),
    ("export", "sentences"),
])
def test_exports_write_all_or_nothing(proposed, tmp_path, monkeypatch, args):
    proposed("decide", "1", "--accept", "--reviewer", "alice")
    result = proposed(*args, "-o", tmp_path / "missing" / "out.csv", ok=False)
    assert result.exit_code == 1 and "the folder does not exist" in result.stderr

    # the disk fills up as the file is finished: no file, no leftover temporary file
    import errno
    from pathlib import Path

    def full_disk(self, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "replace", full_disk)
    target = tmp_path / "out.csv"
    result = proposed(*args, "-o", target, ok=False)
    monkeypatch.undo()
    assert result.exit_code == 1 and "no space left on device" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not target.exists() and not list(tmp_path.glob(".*.part"))


def test_a_name_shared_by_two_files_asks_for_the_id(rc, tmp_path):
    for folder, text in (("a", "Teams met daily."), ("b", "Staff felt listened to.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "note.txt").write_text(text, encoding="utf-8")
        rc("ingest", tmp_path / folder / "note.txt")
    result = rc("sentences", "note.txt", ok=False)
    assert result.exit_code == 1 and "several documents match" in result.stderr
    assert "Staff felt listened to." in rc("sentences", "2").stdout
    sha = rc.jsonl("documents", "--format", "jsonl")[0]["sha256"]
    assert "Teams met daily." in rc("sentences", sha[:10]).stdout
