"""No control sequence from the data reaches a terminal: a title or note holding OSC (window
title, hyperlink), BEL or cursor movements prints as its plain text."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from realistcoder.cli.terminal import terminal_text
from tests.conftest import CODEBOOKS

OSC_TITLE = "\x1b]0;owned\x07"
HYPERLINK = "\x1b]8;;http://evil.example\x1b\\here\x1b]8;;\x1b\\"
HOSTILE = f"Report {OSC_TITLE}on huddles {HYPERLINK} \x1b[2J\x1b[H\x9b31m\x9d0;x\x9c\x07\x08."


@pytest.mark.parametrize("text, plain", [
    (OSC_TITLE + "title", "title"),
    (HYPERLINK, "here"),
    ("bell\x07", "bell"),
    ("x\x1b[2J\x1b[Hy", "xy"),
    ("c\x9b31mr\x9d0;t\x9c", "cr"),
    ("\x1bPq#0;2\x1b\\after", "after"),
    ("conceal\x1b[8mhidden", "concealhidden"),
    ("tab\tline\n", "tab\tline\n"),
])
def test_control_sequences_are_removed_whole(text, plain):
    assert terminal_text(text) == plain


def test_realistcoders_own_highlighting_stays():
    styled = "\x1b[1m\x1b[4mtrust\x1b[0m and \x1b[2mdim\x1b[0m \x1b[31mred\x1b[0m"
    assert terminal_text(styled) == styled


def _on_a_terminal(*args: str) -> str:
    """Run realistcoder with stdout and stderr on a pseudo-terminal; what the terminal got."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "realistcoder", *args], stdin=slave,
                            stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    out = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(master)
    return out.decode("utf-8", "replace")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs a pseudo-terminal")
def test_titles_and_notes_reach_the_terminal_as_plain_text(rc, tmp_path):
    doc = tmp_path / "hostile.md"
    doc.write_text(f"# {HOSTILE}\n\nStaff trusted the hub. Waits fell.\n", encoding="utf-8")
    rc("ingest", doc)
    rc("codebook", "load", CODEBOOKS / "mcp-realist.yaml")
    sentence = rc.jsonl("sentences", "hostile.md", "--format", "jsonl")[1]["sentence_id"]
    rc("code", sentence, "t1_trust_between_professionals", "--reviewer", "alice",
       "--note", f"see {OSC_TITLE}{HYPERLINK}\x07")
    listed = _on_a_terminal("--db", str(rc.db_path), "documents")
    log = _on_a_terminal("--db", str(rc.db_path), "log", "--reviewer", "alice")
    for out in (listed, log):
        assert "\x1b]" not in out and "\x07" not in out and "\x9d" not in out
        assert "\x1b[2J" not in out and "\x08" not in out
    assert "Report on huddles here" in listed
    assert "see here" in log
    # a pipe gets the data as stored (formats such as JSON escape it themselves)
    piped = rc.jsonl("documents", "--format", "jsonl")
    assert OSC_TITLE in piped[0]["title"]
