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


class Screen:
    """What the child wrote to the terminal; ``wait_for`` reads on until a text appears after
    the previous one (output can arrive in any chunking)."""

    def __init__(self, fd: int):
        self.fd, self.buf, self.pos = fd, b"", 0

    def wait_for(self, needle: bytes, timeout: float = 60) -> bytes:
        end = time.monotonic() + timeout
        while (at := self.buf.find(needle, self.pos)) < 0:
            left = end - time.monotonic()
            assert left > 0, f"timed out waiting for {needle!r}; got {self.buf[-500:]!r}"
            if not select.select([self.fd], [], [], left)[0]:
                continue
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:  # the child closed the terminal
                chunk = b""
            assert chunk, f"the terminal closed before {needle!r}; got {self.buf[-500:]!r}"
            self.buf += chunk
        start, self.pos = self.pos, at + len(needle)
        return self.buf[start:self.pos]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")
def test_single_keys_on_a_terminal_and_ctrl_c(db_path):
    ids = seed(db_path)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the review loop on the pseudo-terminal
        try:
            os.environ["COLUMNS"] = "80"
            # an ignored or blocked signal stays so across fork and exec (a run started in the
            # background by a shell ignores SIGINT; a test before this one may leave it
            # blocked): the child gets Ctrl-C as a terminal user does
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            os.execv(sys.executable, [sys.executable, "-c", DRIVER, str(db_path), "alice"])
        finally:
            os._exit(127)  # never fall back into pytest in the child
    try:
        screen = Screen(fd)
        screen.wait_for(b"[?]")
        os.write(fd, b"a")  # no Enter needed
        screen.wait_for(b"accepted")
        os.write(fd, b"rs")  # typed ahead: both keys count
        screen.wait_for(b"rejected")
        screen.wait_for(b"4/8 |")  # the skip moved on
        screen.wait_for(b"[?]")
        os.write(fd, b"\x03")  # Ctrl-C
        out = screen.wait_for(b"Run the same command")
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
