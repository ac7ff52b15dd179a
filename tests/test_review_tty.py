"""On a real terminal (a pseudo-terminal here) the review reads single keys, no Enter, and
Ctrl-C ends it cleanly with every decision saved."""

from __future__ import annotations

import os
import select
import signal
import sys
import time

import pytest
from test_review_concurrency import DRIVER
from test_review_support import seed

from realistcoder.store import open_store
from realistcoder.store import review as rv

pty = pytest.importorskip("pty")


def read_until(fd: int, needle: bytes, timeout: float = 60) -> bytes:
    buf, end = b"", time.monotonic() + timeout
    while needle not in buf:
        left = end - time.monotonic()
        assert left > 0, f"timed out waiting for {needle!r}; got {buf[-500:]!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        buf += chunk
    return buf


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")
def test_single_keys_on_a_terminal_and_ctrl_c(db_path):
    ids = seed(db_path)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the review loop on the pseudo-terminal
        try:
            os.environ["COLUMNS"] = "80"
            os.execv(sys.executable, [sys.executable, "-c", DRIVER, str(db_path), "alice"])
        finally:
            os._exit(127)  # never fall back into pytest in the child
    try:
        read_until(fd, b"[?]")
        os.write(fd, b"a")  # no Enter needed
        read_until(fd, b"accepted")
        os.write(fd, b"rs")  # typed ahead: both keys count
        read_until(fd, b"rejected")
        read_until(fd, b"4/8 |")  # the skip moved on
        os.write(fd, b"\x03")  # Ctrl-C
        out = read_until(fd, b"Run the same command")
        assert b"interrupted: every decision so far is saved" in out
    finally:
        for _ in range(100):  # never leave the child behind, even when an assertion failed
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    with open_store(db_path) as store:
        st = rv.proposal_status(store, "alice")
    p = ids["proposals"]
    assert (st[p[0]], st[p[1]], st[p[2]], st[p[3]]) == ("accepted", "rejected", "pending",
                                                         "pending")
