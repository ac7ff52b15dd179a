"""A maximum sentence length: runs of text with no sentence end are cut into pieces.

A file with no full stop in ten million characters (a data dump, a text without punctuation, a
PDF whose text layer is one long line) would otherwise be one "sentence" that the proposer's
spaCy pipeline refuses (it reads at most 1,000,000 characters) and that no reviewer can read.
The longest real sentences in the development PDFs are under 4,000 characters, so a run longer
than :data:`MAX_SENTENCE_CHARS` is cut at its last clause break (``;`` ``:`` ``,``) or space
before the limit, else at the limit itself, and every piece is flagged ``cut_at_length``.
"""

from __future__ import annotations

import re

MAX_SENTENCE_CHARS = 5000
_BREAKS = ("; ", ": ", ", ")
_SPACE = re.compile(r"\s+")


def cap_length(text: str, cuts: list[tuple[int, int]], limit: int = MAX_SENTENCE_CHARS
               ) -> list[tuple[int, int, bool]]:
    """``(start, end, cut_at_length)`` for the sentences ``cuts`` of ``text``: those longer than
    ``limit`` characters become pieces of at most ``limit`` (each flagged True), the others
    are kept as they are (False). Pieces never start or end with whitespace."""
    out: list[tuple[int, int, bool]] = []
    for start, end in cuts:
        if end - start <= limit:
            out.append((start, end, False))
            continue
        while start < end:
            if end - start <= limit:
                piece_end = end
            else:
                piece_end = _break(text, start, start + limit)
            trimmed = len(text[start:piece_end].rstrip())
            if trimmed:
                out.append((start, start + trimmed, True))
            space = _SPACE.match(text, piece_end, end)
            start = space.end() if space else piece_end
    return out


def _break(text: str, start: int, stop: int) -> int:
    """Where to cut ``text[start:stop]``: after its last clause break or space in the second
    half, else at ``stop`` (a run with no space at all)."""
    half = start + (stop - start) // 2
    for mark in _BREAKS:
        at = text.rfind(mark, half, stop)
        if at >= 0:
            return at + 1
    spaces = [m.start() for m in _SPACE.finditer(text, half, stop)]
    return spaces[-1] if spaces else stop
