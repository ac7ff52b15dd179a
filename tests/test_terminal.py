"""Terminal behaviour: progress bars that fit 80 columns, a review header with the reviewer's
overall progress, long fragments clipped to the screen (m shows more), keys in `review --help`."""

from __future__ import annotations

import os
import re
import sys
import time

import pytest
from test_review_support import seed

from realistcoder.store import open_store

LONG = ("An extraordinarily long sentence about the workforce, trust between professionals "
        "and the training that new roles need, repeated to fill the screen. ") * 30
SCREEN = {"COLUMNS": "80", "LINES": "24"}


def _visible(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")
def test_the_ingest_progress_bar_fits_80_columns(tmp_path):
    """Each refresh of a line wider than the terminal wraps and leaves a line behind."""
    pty = pytest.importorskip("pty")
    folder = tmp_path / "papers"
    folder.mkdir()
    for i in range(3):
        name = f"{i}_a_report_with_a_very_long_file_name_as_journals_and_reference_managers_" \
               "save_them_2019_final_version.txt"
        (folder / name).write_text(f"Trust grew between the {i + 2} practices over the year.\n",
                                   encoding="utf-8")
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.environ.update(SCREEN)
            os.execv(sys.executable, [sys.executable, "-m", "realistcoder", "--db",
                                      str(tmp_path / "r.db"), "ingest", str(folder)])
        finally:
            os._exit(127)
    out = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    text = _visible(out.decode("utf-8", "replace"))
    bars = [s for s in re.split(r"[\r\n]", text) if s.startswith("ingesting")]
    named = [s for s in bars if "_a_report_" in s]
    assert len(named) >= 3 and all("…" in s for s in named)  # the names are shortened
    assert max(len(s) for s in bars) <= 79, max(bars, key=len)
    assert "3 ingested" in text


def test_shorten_keeps_both_ends():
    from realistcoder.cli.screen import shorten

    name = "D05_york2020_ACE_ambulatory_care_unwell_children_at_home_Bradford_evaluation.pdf"
    short = shorten(name, 30)
    assert len(short) == 30 and short.startswith("D05_york") and short.endswith("tion.pdf")
    assert shorten("short.pdf", 30) == "short.pdf"


@pytest.fixture
def ids(db_path):
    return seed(db_path)


def test_the_review_header_shows_overall_progress_on_resume(rc, ids):
    p = ids["proposals"]
    for pid in p[:3]:  # an earlier session
        rc("decide", pid, "--accept", "--reviewer", "alice")
    out = rc("review", "--reviewer", "alice", input="q\n", env=SCREEN).stdout
    assert "5 proposals in this queue, 0 already decided" in out
    assert "overall you have decided 3 of 8 proposals" in out.lower()
    header = next(line for line in out.splitlines() if line.startswith("-- "))
    assert "1/5 | 0 done | overall 3/8 --" in header and len(header) <= 80


def test_a_long_fragment_is_clipped_to_the_screen_and_m_shows_it_all(rc, ids, db_path):
    with open_store(db_path) as store, store.transaction():
        sid = store.query("SELECT sentence_id FROM proposals WHERE id = ?",
                          (ids["proposals"][0],))[0]["sentence_id"]
        store.conn.execute("UPDATE sentences SET text = ? WHERE id = ?", (LONG, sid))
    out = rc("review", "--reviewer", "alice", input="m\nq\n", env=SCREEN).stdout
    cards = out.split("\n-- ")[1:]  # the card, then the same card expanded
    clipped, expanded = cards[0], cards[1]
    assert "more lines of the fragment: press m to show them" in clipped
    assert len(clipped.splitlines()) <= 24  # the header stays on the screen
    assert "press m" not in expanded and len(expanded.splitlines()) > 24
    def repeats(card):
        return " ".join(card.split()).count("repeated to fill the screen.")

    assert repeats(expanded) == 30 and repeats(clipped) < 10


def test_review_help_lists_every_key(rc):
    from realistcoder.cli.review_tui import KEYS

    out = rc("review", "--help", env=SCREEN).stdout
    for key, text in KEYS:
        assert f"  {key}  {text}" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_a_word_wider_than_the_screen_is_cut_to_fit():
    """A dot leader or a long URL wrapped whole overflows the line and pushes the header off."""
    from realistcoder.cli.review_tui import block

    lines = block("Setting " + "." * 150 + " 3", "  > ", 79)
    assert max(len(line) for line in lines) <= 79
    assert "".join(line[4:] for line in lines).replace(" ", "") == "Setting" + "." * 150 + "3"
