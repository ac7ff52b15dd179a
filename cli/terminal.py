"""Nothing from the data controls the terminal.

Titles, notes, file names, sentences and codebook labels come from files other people made. A
terminal acts on control characters in them: an OSC sequence sets the window title or plants a
hyperlink, BEL rings, a cursor movement rewrites what was printed. When standard output or
error is a terminal, :func:`clean_terminal_output` filters everything written to it through
:func:`terminal_text`, which removes every control character and escape sequence except the
colour and weight changes (SGR) realistcoder uses for highlighting; newlines, tabs and the
carriage return the progress bar redraws with stay. Output to files and pipes is left exact
(the data formats escape what they must), as ``ls`` does.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# escape sequences, whole: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST, or unterminated),
# DCS / SOS / PM / APC strings, other escapes; their 8-bit forms; then any single control
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
# the styles realistcoder itself prints (click.style): bold, dim, underline, colours, resets
_OWN_STYLE = re.compile(r"\x1b\[(?:(?:0|1|2|3|4|22|23|24|39|49|3[0-7]|9[0-7]|4[0-7])(?:;|(?=m)))*m")


def terminal_text(text: str) -> str:
    """``text`` without control characters and escape sequences (SGR styles kept)."""
    if not _SEQUENCES.search(text):
        return text
    out, pos = [], 0
    for match in _SEQUENCES.finditer(text):
        out.append(text[pos:match.start()])
        if _OWN_STYLE.fullmatch(match.group()):
            out.append(match.group())
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


class _CleanStream:
    """A text stream that filters what is written through :func:`terminal_text`."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        if isinstance(text, str):
            text = terminal_text(text)
        return self._stream.write(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


@contextmanager
def clean_terminal_output() -> Iterator[None]:
    """While active, standard output and error that are terminals are filtered."""
    saved = sys.stdout, sys.stderr
    if _is_terminal(sys.stdout):
        sys.stdout = _CleanStream(sys.stdout)
    if _is_terminal(sys.stderr):
        sys.stderr = _CleanStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
