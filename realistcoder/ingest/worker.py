"""Run each file's extraction in a child process of its own, under a memory cap and a time limit.

A hostile file (a PDF whose content stream inflates to gigabytes, a page that takes minutes) must
fail alone: the child that reads it is capped (``RLIMIT_AS``: the memory it may add to what it
started with) and killed at the time limit, and the parent, which never reads a file itself,
reports it in one line and goes on with the next. A child never outlives its parent: on Linux it
asks the kernel to kill it when the parent dies (``PR_SET_PDEATHSIG``), elsewhere a watchdog
thread notices that its parent is gone; Ctrl-C reaches the parent only, which stops them.

:func:`run` takes ``(key, argument)`` tasks and a top-level function, and yields
``(key, Outcome)`` as the children finish, at most ``jobs`` at a time.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import pickle
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

DEFAULT_MEMORY_MB = 1024
DEFAULT_TIMEOUT_S = 300.0
MEMORY_OPTION = "--max-memory"
TIMEOUT_OPTION = "--timeout"
_PR_SET_PDEATHSIG = 1
# signals a child dies of when an allocation fails under the cap (pdfium aborts on out of memory;
# other native code may trap or fault)
_CRASHES = {signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGTRAP}


@dataclass(frozen=True)
class Limits:
    """What one file's extraction may use: ``memory_mb`` beyond what the worker starts with
    (None: no cap) and ``timeout_s`` seconds of wall-clock time (None: no limit)."""

    memory_mb: int | None = DEFAULT_MEMORY_MB
    timeout_s: float | None = DEFAULT_TIMEOUT_S


@dataclass
class Outcome:
    """What a child gave back: ``value`` (the function's result), or ``error`` (one line),
    ``limit`` (``memory`` or ``time`` when a limit stopped it) and ``trace`` (a bug's
    traceback)."""

    value: object = None
    error: str | None = None
    limit: str | None = None
    trace: str = ""
    peak_mb: float = 0.0  # the child's peak resident memory


def run(
    function: Callable[[object], object],
    tasks: Iterable[tuple[str, object]],
    *,
    jobs: int = 1,
    limits: Limits | None = None,
    describe: Callable[[str], str] = str,
) -> Iterator[tuple[str, Outcome]]:
    """Run ``function(argument)`` in a child per task; yield ``(key, Outcome)`` as each ends.

    ``function`` returns a picklable value; an exception it raises comes back as ``error``
    (``str(exc)``: the library's errors are one line already) with ``trace`` for a bug.
    ``describe(key)`` names the task in messages (the file, as printable text). Where there is
    no ``fork`` (Windows) the tasks run one after the other in this process, without limits.
    """
    limits = limits or Limits()
    if not hasattr(os, "fork"):  # pragma: no cover - not on this platform
        for key, argument in tasks:
            yield key, _call(function, argument)
        return
    pending = list(tasks)
    pending.reverse()  # pop() takes them in the order given
    running: dict[int, _Child] = {}  # by the reading end of its pipe
    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                key, argument = pending.pop()
                child = _Child.start(function, key, argument, limits)
                running[child.fd] = child
            deadlines = [c.deadline for c in running.values() if c.deadline is not None]
            timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            for fd in _readable(list(running), timeout):
                if running[fd].read():
                    child = running.pop(fd)
                    yield child.key, child.finish(limits, describe)
            now = time.monotonic()
            for fd, child in list(running.items()):
                if child.deadline is not None and now >= child.deadline:
                    del running[fd]
                    child.kill()
                    yield child.key, Outcome(error=time_message(describe(child.key), limits),
                                             limit="time")
    finally:
        for child in running.values():  # interrupted (Ctrl-C), or the caller stopped early
            child.kill()


def _readable(fds: list[int], timeout: float | None) -> list[int]:
    """The pipes that have something to read (or reached their end) within ``timeout``."""
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    try:
        events = poller.poll(None if timeout is None else max(0, int(timeout * 1000) + 1))
    except InterruptedError:  # pragma: no cover - retried by Python since 3.5
        return []
    return [fd for fd, _ in events]


@dataclass
class _Child:
    key: str
    pid: int
    fd: int
    deadline: float | None
    data: bytearray
    start_mb: float  # what the child held when it was forked (this process's resident memory)

    @classmethod
    def start(cls, function, key: str, argument, limits: Limits) -> _Child:
        parent = os.getpid()
        start_mb = _resident_mb()
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            try:
                os.close(reader)
                _child_main(writer, function, argument, limits, parent)
            finally:
                os._exit(0)
        os.close(writer)  # the child holds the only writing end: its death reads as EOF
        deadline = (time.monotonic() + limits.timeout_s) if limits.timeout_s else None
        return cls(key, pid, reader, deadline, bytearray(), start_mb)

    def read(self) -> bool:
        """Read what the child wrote so far; True at the end (the child closed its end)."""
        chunk = os.read(self.fd, 1 << 20)
        self.data += chunk
        return not chunk

    def finish(self, limits: Limits, describe) -> Outcome:
        """The child has sent its result and exited, or died."""
        os.close(self.fd)
        _, status, usage = os.wait4(self.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        peak = _rss_mb(usage.ru_maxrss)
        try:
            kind, payload, trace = pickle.loads(bytes(self.data)) if self.data else (None,) * 3
        except Exception:  # cut short: the child died while writing
            kind, payload, trace = None, None, None
        name = describe(self.key)
        if kind == "value":
            return Outcome(value=payload, peak_mb=peak)
        if kind == "memory":
            return Outcome(error=memory_message(name, limits), limit="memory", peak_mb=peak)
        if kind == "error":
            return Outcome(error=payload, trace=trace, peak_mb=peak)
        # died without a word: native code (pdfium) aborts when an allocation fails under the
        # cap; a crash after growing far less than the cap is a damaged file (or a bug)
        if (code < 0 and -code in _CRASHES and limits.memory_mb
                and peak - self.start_mb >= limits.memory_mb / 4):
            return Outcome(error=memory_message(name, limits), limit="memory", peak_mb=peak)
        what = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
        return Outcome(error=f"{name}: the PDF reader crashed ({what}); the file is probably "
                       "damaged (re-download or re-export it; please report the file if it "
                       "opens elsewhere)", peak_mb=peak)

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)


def memory_message(name: str, limits: Limits) -> str:
    return (f"{name}: stopped at the memory limit of {limits.memory_mb} MB (it may be a "
            f"decompression bomb; if you trust the file, raise the limit with {MEMORY_OPTION} "
            f"{2 * (limits.memory_mb or DEFAULT_MEMORY_MB)})")


def time_message(name: str, limits: Limits) -> str:
    return (f"{name}: stopped at the time limit of {limits.timeout_s:g} s (if you trust the "
            f"file, raise the limit with {TIMEOUT_OPTION} "
            f"{2 * (limits.timeout_s or DEFAULT_TIMEOUT_S):g})")


def _call(function, argument) -> Outcome:
    """Run in this process (no fork on this platform): no limits."""
    kind, payload, trace = _call_capped(function, argument)
    if kind == "value":
        return Outcome(value=payload)
    return Outcome(error=str(payload or "out of memory"), trace=trace)


# --- in the child ---------------------------------------------------------------------------


def _child_main(fd: int, function, argument, limits: Limits, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    faulthandler.disable()  # a crash at the cap is reported by the parent, in one line
    _die_with_parent(parent)
    if limits.memory_mb:
        _cap_memory(limits.memory_mb)
    outcome = _call_capped(function, argument)
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(("memory", None, ""))
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _call_capped(function, argument) -> tuple:
    try:
        return ("value", function(argument), "")
    except MemoryError:
        return ("memory", None, "")
    except Exception as err:  # the library's errors are one line; anything else is a bug
        from realistcoder.errors import RealistCoderError

        trace = "" if isinstance(err, RealistCoderError) else traceback.format_exc()
        return ("error", str(err), trace)


def _die_with_parent(parent: int) -> None:
    """Make sure this child ends when the parent does, however the parent ends."""
    import ctypes
    import threading

    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before the request took effect
                    os._exit(1)
                return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _cap_memory(memory_mb: int) -> None:
    """Cap the address space at what the child holds now plus ``memory_mb``."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on this platform (Windows)
        return
    cap = _address_space() + memory_mb * 2**20
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _address_space() -> int:
    """This process's virtual memory size in bytes (0 where /proc is absent)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _resident_mb() -> float:
    """This process's resident memory now, in MB (0 where /proc is absent)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _rss_mb(ru_maxrss: int) -> float:
    return ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)  # bytes on macOS
