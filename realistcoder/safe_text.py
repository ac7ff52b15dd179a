"""Text that is safe to store and show: file names that are not valid UTF-8.

On Linux a file name is bytes; Python reads a byte that is not UTF-8 as a lone surrogate
(``"\\udcff"``), which SQLite, JSON and terminals all refuse. :func:`path_text` spells such bytes
as ``\\xff``: printable, and faithful (the escape names the byte).
"""

from __future__ import annotations

import os
from pathlib import Path


def printable(text: str) -> str:
    """``text`` with lone surrogates spelled out (``\\udcff``, a byte 0xFF of a file name that
    Python decoded with ``surrogateescape``, becomes ``\\xff``) so that it encodes as UTF-8."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join(_spell(c) for c in text)


def _spell(c: str) -> str:
    code = ord(c)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return f"\\u{code:04x}"
    return c


def path_text(path: str | Path | os.PathLike | bytes) -> str:
    """A path (or file name) as printable text: bytes that are not UTF-8 become ``\\xNN``."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    return printable(text)
