"""Bad input gets one clear line each; good files still ingest; crashes leave no half documents."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from pdfgen import image_only_pdf, make_pdf
from test_ingest import assert_provenance

GOOD = [("para", "Teams built trust over time. Referrals fell as a result.")]


def _error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_bad_files_one_line_each_and_good_files_still_ingested(rc, tmp_path):
    make_pdf(tmp_path / "good.pdf", GOOD)
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "fake.pdf").write_text("<html><body>not a pdf</body></html>")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage")
    make_pdf(tmp_path / "locked.pdf", GOOD, encrypt="s3cret")
    image_only_pdf(tmp_path / "scan.pdf")
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04rest-of-zip")
    result = rc("ingest", tmp_path, tmp_path / "sheet.xlsx", tmp_path / "missing.pdf", ok=False)
    assert result.exit_code == 1
    errors = _error_lines(result)
    by_file = {name: [e for e in errors if name in e] for name in
               ("empty.pdf", "fake.pdf", "broken.pdf", "locked.pdf", "scan.pdf", "sheet.xlsx",
                "missing.pdf")}
    assert all(len(v) == 1 for v in by_file.values()), errors
    assert "0 bytes" in by_file["empty.pdf"][0]
    assert "not a PDF" in by_file["fake.pdf"][0] and "HTML" in by_file["fake.pdf"][0]
    assert "corrupt" in by_file["broken.pdf"][0]
    assert "encrypted" in by_file["locked.pdf"][0] and "--password" in by_file["locked.pdf"][0]
    assert "OCR" in by_file["scan.pdf"][0] and "ocrmypdf" in by_file["scan.pdf"][0]
    assert "unsupported" in by_file["sheet.xlsx"][0]
    assert "no such file" in by_file["missing.pdf"][0]
    assert "Traceback" not in result.stderr and len(errors) == 7
    assert "1 ingested" in result.stdout and "7 failed" in result.stdout
    docs = rc.jsonl("documents", "list", "--format", "jsonl")
    assert {d["file_name"]: d["status"] for d in docs}["good.pdf"] == "ok"
    assert {d["file_name"]: d["status"] for d in docs}["locked.pdf"] == "failed"
    # the fix works: with the password the locked file ingests, the failed row is replaced
    again = rc("ingest", tmp_path / "locked.pdf", "--password", "s3cret")
    assert "1 ingested" in again.stdout
    docs = rc.jsonl("documents", "list", "--format", "jsonl")
    assert [d["status"] for d in docs if d["file_name"] == "locked.pdf"] == ["ok"]


def test_wrong_password_is_named(rc, tmp_path):
    make_pdf(tmp_path / "locked.pdf", GOOD, encrypt="right")
    result = rc("ingest", tmp_path / "locked.pdf", "--password", "wrong", ok=False)
    assert "password" in result.stderr and "Traceback" not in result.stderr


def test_robustness_corpus(rc, shared):
    """Every third-party awkward PDF is ingested or refused with one line (no noise)."""
    folder = shared / "pdfs" / "robustness"
    result = rc("ingest", folder, "--password", "test", "--password", "foo", ok=False)
    files = sorted(p.name for p in folder.glob("*.pdf"))
    errors = _error_lines(result)
    for line in result.stderr.splitlines():
        assert line.startswith(("error:", "warning:")), line
    docs = {d["file_name"]: d for d in rc.jsonl("documents", "list", "--format", "jsonl")}
    for name in files:
        failed = [e for e in errors if name in e]
        assert len(failed) <= 1
        assert name in docs and (docs[name]["status"] == "ok") == (not failed), name
    assert docs["B01_encrypted_password-test_pdfplumber.pdf"]["status"] == "ok"
    assert docs["B02_encrypted_AES256_password-foo_pdfminer.pdf"]["status"] == "ok"
    assert "OCR" in next(e for e in errors if "B07_" in e)
    assert "0 bytes" in next(e for e in errors if "B05_" in e)
    assert assert_provenance(rc.db_path) == sum(d["status"] == "ok" for d in docs.values())
    fake_bold = rc("sentences", "B15_duplicate_chars_fake-bold_French_medical_text.pdf").stdout
    assert "Circulation" in fake_bold and "CCiirr" not in fake_bold


@pytest.mark.slow
def test_killed_mid_ingest_leaves_no_half_document_and_rerun_finishes(tmp_path):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for k in range(40):
        make_pdf(folder / f"doc{k:02}.pdf",
                 [("para", f"Paper {k} reports that teams built trust. " * 400)], columns=2)
    db = tmp_path / "review.db"
    cmd = [sys.executable, "-m", "realistcoder", "--db", str(db), "ingest", str(folder)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        if db.exists() and _count(db, "SELECT count(*) FROM documents") >= 3:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = _count(db, "SELECT count(*) FROM documents")
    assert 0 < done < 40, "the kill should land mid-ingest"
    _assert_whole(db)
    rerun = subprocess.run(cmd, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{done} unchanged" in rerun.stdout
    assert _count(db, "SELECT count(*) FROM documents WHERE status = 'ok'") == 40
    _assert_whole(db)


def _count(db, sql) -> int:
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def _assert_whole(db) -> None:
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT d.id, d.n_pages, (SELECT count(*) FROM pages p WHERE p.document_id = d.id), "
        "(SELECT count(*) FROM sentences s WHERE s.document_id = d.id) FROM documents d"
    ).fetchall()
    con.close()
    for _, n_pages, pages, sentences in rows:
        assert n_pages == pages and sentences > 0


@pytest.mark.slow
def test_terminal_output_has_no_third_party_noise(tmp_path, shared):
    """Run the real program: C-level warnings from PDF libraries would show up here."""
    cmd = [sys.executable, "-m", "realistcoder", "--db", str(tmp_path / "r.db"), "ingest",
           str(shared / "pdfs" / "robustness"), str(shared / "pdfs" / "health")]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith(("error:", "warning:")) for line in lines), lines
    assert result.stdout.count("\n") == 1 and "failed" in result.stdout


def test_unexpected_failure_is_one_line_and_debug_shows_the_traceback(rc, tmp_path, monkeypatch):
    from realistcoder.ingest import pipeline

    def broken(path, password=None, data=None):
        raise RuntimeError("pdf engine exploded")

    monkeypatch.setattr(pipeline, "extract", broken)
    make_pdf(tmp_path / "a.pdf", GOOD)
    quiet = rc("ingest", tmp_path / "a.pdf", ok=False)
    assert quiet.exit_code == 1 and "Traceback" not in quiet.stderr
    assert _error_lines(quiet) == [line for line in quiet.stderr.splitlines()]
    assert "a.pdf" in quiet.stderr and "pdf engine exploded" in quiet.stderr
    loud = rc("--debug", "ingest", tmp_path / "a.pdf", ok=False)
    assert "Traceback" in loud.stderr
