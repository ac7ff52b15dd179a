"""Reference numbers and footnote markers printed raised ("process.¹⁵", "ratio†").

They belong to the page, not to the sentence a reviewer quotes: :func:`raised_marks` finds
them on a line from the characters' size and height, and ingest drops them from the document
text (``pages.text`` keeps them where they were printed, so they can still be found).

A mark is a run of digits or footnote symbols (with the separators of "3,4" and "5–7") set
smaller than the line and raised above its baseline, right after a word or a punctuation
mark. Raised digits after a digit are exponents (10⁶), and after a unit or a lone letter
powers (kg/m², χ², R²): those stay.
"""

from __future__ import annotations

import re
import statistics

SYMBOLS = "*†‡§¶"
SEPARATORS = ",–-"
MARK_CHARS = frozenset("0123456789" + SYMBOLS + SEPARATORS)
SMALLER = 0.85  # a mark's size is at most this share of the line's
RAISED = 0.12   # and its bottom at least this share of the line's size above the baseline
# a power, not a reference: after a unit (m², kg/m², s⁻¹) or a lone symbol (χ², R², r²)
POWER_BEFORE = re.compile(r"(?:^|[\s/(\d])(?:[kcmdμµ]?m|ft|in|s|[^\W\d_])$")


def raised_marks(chars: list[str], bottoms: list[float],
                 sizes: list[float]) -> list[tuple[int, int]]:
    """``(start, end)`` spans of the reference and footnote marks among a line's characters."""
    n = len(chars)
    if n < 3 or not any(c in MARK_CHARS and c not in SEPARATORS for c in chars):
        return []  # most lines: no digit, no footnote symbol
    small = min(sizes)
    if small > SMALLER * max(sizes):
        return []  # nothing set smaller than the rest
    letters = [sizes[i] for i in range(n) if chars[i].isalpha()]
    if n < 3 or not letters:
        return []
    size = statistics.median(letters)
    base = statistics.median(bottoms[i] for i in range(n)
                             if chars[i].isalpha() and sizes[i] >= 0.9 * size)

    def raised(i: int) -> bool:
        return (chars[i] in MARK_CHARS and sizes[i] <= SMALLER * size
                and bottoms[i] < base - RAISED * size)

    spans: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if not raised(i):
            i += 1
            continue
        j = i
        while j < n and raised(j):
            j += 1
        start, end = i, j
        while end > start and chars[end - 1] in SEPARATORS:
            end -= 1  # a trailing comma belongs to the sentence
        i = j
        if end <= start or chars[start] in SEPARATORS or start == 0:
            continue
        before = chars[start - 1]
        if before == " " and start >= 2 and chars[start - 2] in "”’\"":
            before = chars[start - 2]  # 'health care” ⁹ Thus': after a closing quote
        if before.isdigit():
            continue  # an exponent
        if before == " " or not (before.isalpha() or before in ".,;:)]’”'\"%"):
            continue
        if POWER_BEFORE.search("".join(chars[max(0, start - 6):start])):
            continue  # m², kg/m², χ², R²
        spans.append((start, end))
    return spans
