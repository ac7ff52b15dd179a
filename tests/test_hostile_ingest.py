"""Hostile files at ingest fail alone: within a memory cap and a time limit, one line each, the
good files stored, no worker left behind; odd names and endless sentences are stored sanely."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import flate_bomb_pdf, invalid_utf8_name, long_sentence_text, scattered_text_pdf
from pdfgen import make_pdf

from realistcoder.ingest.long_runs import MAX_SENTENCE_CHARS
from realistcoder.store import documents as docs
from realistcoder.store import open_store
from tests.conftest import CORPUS

NOTE = CORPUS / "mdt-huddles-practice-note.md"
GOOD = [("para", "Teams built trust over time. Referrals fell as a result.")]


def _errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def _statuses(rc) -> dict[str, str]:
    return {d["file_name"]: d["status"] for d in rc.jsonl("documents", "--format", "jsonl")}


def _good_files(folder: Path) -> list[str]:
    make_pdf(folder / "good-one.pdf", GOOD)
    make_pdf(folder / "good-two.pdf", [("para", "Shared records helped staff. Waits fell.")])
    (folder / "note.md").write_text(NOTE.read_text(encoding="utf-8"), encoding="utf-8")
    return ["good-one.pdf", "good-two.pdf", "note.md"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_flate_bomb_fails_alone_at_the_memory_limit(rc, tmp_path, jobs):
    flate_bomb_pdf(tmp_path / "bomb.pdf", inflated_mb=2048)
    good = _good_files(tmp_path)
    result = rc("ingest", tmp_path, "--jobs", jobs, "--max-memory", "256", ok=False)
    assert result.exit_code == 1
    errors = _errors(result)
    assert len(errors) == 1, result.stderr
    assert "bomb.pdf" in errors[0] and "memory limit of 256 MB" in errors[0]
    assert "--max-memory 512" in errors[0]
    assert "3 ingested, 1 failed" in result.stdout
    statuses = _statuses(rc)
    assert all(statuses[name] == "ok" for name in good) and statuses["bomb.pdf"] == "failed"


def test_a_file_that_failed_on_a_limit_is_tried_again_only_with_a_higher_limit(rc, tmp_path):
    bomb = flate_bomb_pdf(tmp_path / "bomb.pdf", inflated_mb=1024)
    rc("ingest", bomb, "--max-memory", "128", ok=False)
    again = rc("ingest", bomb, "--max-memory", "128", ok=False)
    assert "not tried again until it is raised" in again.stderr
    assert len(_errors(again)) == 1
    higher = rc("ingest", bomb, "--max-memory", "160", ok=False)
    assert "memory limit of 160 MB" in higher.stderr and "not tried again" not in higher.stderr


def test_time_limit_stops_one_file_and_the_batch_goes_on(rc, tmp_path):
    scattered_text_pdf(tmp_path / "slow.pdf", n_chars=160_000)
    good = _good_files(tmp_path)
    result = rc("ingest", tmp_path, "--timeout", "1", ok=False)
    errors = _errors(result)
    assert len(errors) == 1 and "slow.pdf" in errors[0], result.stderr
    assert "time limit of 1 s" in errors[0] and "--timeout 2" in errors[0]
    assert all(_statuses(rc)[name] == "ok" for name in good)


def test_scattered_letters_on_one_page_are_read(rc, tmp_path):
    """80,000 letters each at its own place on one page (a 650 KB PDF) ingest within the
    default limits; their pieces are flagged (bench/bench_hostile.py times the growth)."""
    scattered_text_pdf(tmp_path / "scattered.pdf", n_chars=80_000)
    result = rc("ingest", tmp_path / "scattered.pdf")
    assert "1 ingested" in result.stdout
    assert "no sentence end" in result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_the_parent_leaves_no_worker_behind(tmp_path):
    scattered_text_pdf(tmp_path / "slow.pdf", n_chars=400_000)
    cmd = [sys.executable, "-m", "realistcoder", "--db", str(tmp_path / "r.db"), "ingest",
           str(tmp_path / "slow.pdf")]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[int] = []
    deadline = time.time() + 60
    while not children and time.time() < deadline and proc.poll() is None:
        children = _children(proc.pid)
        time.sleep(0.05)
    assert children, "the worker never started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10
    while any(_alive(pid) for pid in children) and time.time() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in children)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "zombie" not in state and "dead" not in state


def test_file_name_that_is_not_utf8_is_stored_with_a_printable_name(rc, tmp_path):
    odd = invalid_utf8_name(tmp_path, NOTE.read_bytes(), suffix=b".md")
    make_pdf(tmp_path / "good.pdf", GOOD)
    result = rc("ingest", tmp_path)
    assert "2 ingested, 0 failed" in result.stdout
    names = _statuses(rc)
    assert names == {"good.pdf": "ok", "report-\\xff-caf\\xe9.md": "ok"}
    listed = rc("documents").stdout
    assert "report-\\xff-caf\\xe9.md" in listed
    assert odd.exists()


def test_bad_file_with_a_name_that_is_not_utf8_gets_one_line(rc, tmp_path):
    invalid_utf8_name(tmp_path, b"%PDF-1.7\ngarbage", suffix=b".pdf")
    result = rc("ingest", tmp_path, ok=False)
    assert result.exit_code == 1
    errors = _errors(result)
    assert len(errors) == 1 and "report-\\xff-caf\\xe9.pdf" in errors[0]
    assert "corrupt" in errors[0]


def test_text_without_a_sentence_end_is_cut_into_flagged_pieces(rc, tmp_path):
    long = long_sentence_text(tmp_path / "dump.txt", n_chars=1_200_000)
    result = rc("ingest", long)
    assert "1 ingested" in result.stdout
    warning = [line for line in result.stderr.splitlines() if "dump.txt" in line]
    assert len(warning) == 1 and "no sentence end" in warning[0], result.stderr
    with open_store(rc.db_path) as store:
        doc = docs.get_document(store, "dump.txt", with_text=True)
        rows = docs.document_sentences(store, doc["id"])
    assert max(len(r["text"]) for r in rows) <= MAX_SENTENCE_CHARS
    assert all(r["cut_at_length"] for r in rows)
    assert all(doc["text"][r["start"]:r["end"]] == r["text"] for r in rows)
    assert "".join(r["text"] for r in rows).replace(" ", "") == \
        long.read_text().replace(" ", "")
    # the proposer reads it (spaCy refuses texts over 1,000,000 characters)
    proposed = rc("propose")
    assert "Read" in proposed.stdout and "error" not in proposed.stderr


def test_sentences_of_real_length_are_not_cut(rc):
    rc("ingest", CORPUS)
    with open_store(rc.db_path) as store:
        n_cut = store.query("SELECT count(*) AS n FROM sentences WHERE cut_at_length = 1")
    assert n_cut[0]["n"] == 0


def test_propose_reports_a_bad_document_and_does_the_others(rc, tmp_path):
    """A store ingested before sentences had a maximum length holds a sentence too long for
    spaCy: that document is reported and skipped, the others get their proposals."""
    rc("ingest", NOTE)
    text = "word " * 220_000
    record = docs.DocumentRecord(
        path=str(tmp_path / "old.txt"), file_name="old.txt", sha256="f" * 64, kind="text",
        text=text, pages=[docs.PageRow(1, 0, len(text))],
        sentences=[docs.SentenceRow(0, 1, 0, len(text.rstrip()), text.rstrip(), "body", 0)])
    with open_store(rc.db_path) as store:
        docs.write_document(store, record)
    result = rc("propose", ok=False)
    assert result.exit_code == 1
    errors = _errors(result)
    assert len(errors) == 1 and "old.txt" in errors[0] and "skipped" in errors[0]
    assert "unexpected error" not in result.stderr
    proposals = rc.jsonl("proposals", "--format", "jsonl", "--limit", "10000")
    assert proposals and {p["document"] for p in proposals} == {NOTE.name}


@pytest.mark.slow
def test_folder_of_hostile_files_stores_every_good_one_in_bounded_memory(tmp_path):
    """The issue's acceptance case, through the real program with its default limits."""
    folder = tmp_path / "in"
    folder.mkdir()
    flate_bomb_pdf(folder / "bomb.pdf", inflated_mb=4096)
    scattered_text_pdf(folder / "scattered.pdf", n_chars=80_000)
    invalid_utf8_name(folder, b"# An odd name\n\nStaff trusted the hub. Waits fell.\n",
                      suffix=b".md")
    long_sentence_text(folder / "dump.txt", n_chars=10_000_000)
    good = _good_files(folder)
    db = tmp_path / "r.db"
    script = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(r.returncode); print(r.stdout, end=''); print(r.stderr, end='', file=sys.stderr)\n"
        "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    cmd = [sys.executable, "-c", script, sys.executable, "-m", "realistcoder", "--db", str(db),
           "ingest", str(folder)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    lines = run.stdout.splitlines()
    assert lines[0] == "1", run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "bomb.pdf" in errors[0] and "memory limit" in errors[0]
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and all("no sentence end" in w for w in warnings), run.stderr
    peak_kb = int(lines[-1].split()[1])
    assert peak_kb < 1.5 * 2**20, f"largest process peaked at {peak_kb / 2**10:.0f} MB"
    listed = subprocess.run([sys.executable, "-m", "realistcoder", "--db", str(db),
                             "documents", "--format", "jsonl"], capture_output=True, text=True)
    statuses = {d["file_name"]: d["status"]
                for d in map(json.loads, listed.stdout.splitlines())}
    for name in [*good, "scattered.pdf", "dump.txt", "report-\\xff-caf\\xe9.md"]:
        assert statuses[name] == "ok", name
    assert statuses["bomb.pdf"] == "failed"


def test_segment_command_cuts_a_run_with_no_sentence_end(rc):
    text = "word " * 3000 + "\n"
    rows = [json.loads(line) for line in rc("segment", input=text).stdout.splitlines()]
    assert len(rows) == 3 and all(r.get("cut_at_length") for r in rows)
    assert all(len(r["text"]) <= MAX_SENTENCE_CHARS and text[r["start"]:r["end"]] == r["text"]
               for r in rows)
    plain = [json.loads(line) for line in rc("segment", input="Rates fell. See Fig. 2.").stdout
             .splitlines()]
    assert [set(r) for r in plain] == [{"start", "end", "text"}] * 2
