"""Errors the user can act on.

Every error raised for bad input or a bad store is a :class:`RealistCoderError` whose text is
one line naming the file (or thing) at fault and the fix. The CLI prints that line and exits
non-zero; anything else escaping the library is a bug and shows a traceback only with --debug.
"""

from __future__ import annotations

from pathlib import Path

from realistcoder.safe_text import path_text, printable


class RealistCoderError(Exception):
    """A problem the user can fix: ``str(err)`` is one line with the subject and the fix;
    ``problems`` lists, one line each, the rows or items behind a refusal as a whole."""

    def __init__(self, message: str, *, subject: str | Path | None = None, fix: str | None = None,
                 problems: list[str] | None = None):
        self.problems = list(problems or [])
        self.message = printable(message)
        self.subject = path_text(subject) if subject is not None else None
        self.fix = fix
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"{self.subject}: {self.message}" if self.subject else self.message
        if self.fix:
            text = f"{text} ({printable(self.fix)})"
        return " ".join(text.split())  # always one line


class InputError(RealistCoderError):
    """A source file (PDF, text, spreadsheet) that cannot be read as asked."""


class CodebookError(RealistCoderError):
    """A codebook that fails validation; ``problems`` lists every problem with its line."""


class StoreError(RealistCoderError):
    """The review store cannot be opened or written (locked, newer version, not a database)."""


class NotFoundError(RealistCoderError):
    """A document, sentence, proposal, code or coding named by the user does not exist."""
