"""Column widths from the content, for the paged formats (DOCX, LaTeX) and spreadsheets (XLSX).

Widths are measured in *ems* of the table's font with a rough per-character width table
(narrow ``i l t``, wide ``M W m w``, digits one half em): good enough to give every column at
least the width of its longest word (so "Page", "Reviewers" or "2016" never break inside),
give short columns what they need, and give the rest of the page to the long free text (the
quote first). An XLSX row's height follows from the same measure: the number of lines its
wrapped cells take.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from realistcoder.export.table import Column, Table, text_of

_NARROW = set("ijlI.,;:'!|()[]{} ")  # about 0.28 em
_SEMI = set("frt-\"/\\`")  # about 0.36 em
_WIDE = set("MWmw@%")  # about 0.85 em
BOLD_FACTOR = 1.15  # bold type is wider (and a fallback font may be wider still)
SAFETY_EMS = 0.6  # slack, so that a wider substitute font does not break the longest word
LONG_WORD_EMS = 14.0  # a longer "word" (a URL, a DOI) may break: it would starve the others


def text_ems(text: str, *, bold: bool = False) -> float:
    """The width of one line of ``text`` in ems (an average sans-serif face)."""
    width = 0.0
    for ch in text:
        if ch in _NARROW:
            width += 0.28
        elif ch in _SEMI:
            width += 0.36
        elif ch in _WIDE:
            width += 0.85
        elif ch.isupper():
            width += 0.66
        elif ord(ch) > 0x2E80:  # CJK and other full-width characters
            width += 1.0
        else:
            width += 0.52
    return width * (BOLD_FACTOR if bold else 1.0)


def longest_word_ems(text: str, *, bold: bool = False) -> float:
    return max((text_ems(word, bold=bold) for word in text.split()), default=0.0)


def lines_needed(text: str, width_ems: float) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width_ems`` wide."""
    if width_ems <= 0:
        return 1
    total = 0
    space = text_ems(" ")
    for paragraph in text.split("\n"):
        lines, used = 1, 0.0
        for word in paragraph.split():
            w = text_ems(word)
            if used and used + space + w > width_ems:
                lines += 1
                used = 0.0
            if w > width_ems:  # a word longer than the column breaks over several lines
                lines += math.ceil(w / width_ems) - 1
                used = w % width_ems
            else:
                used += (space if used else 0.0) + w
        total += lines
    return max(total, 1)


@dataclass
class Measure:
    """What one column needs: ``floor`` (its longest word or header word, in ems: narrower
    breaks a word), ``want`` (its typical line, capped), and whether it holds long text."""

    floor: float
    want: float
    long_text: bool


def measure(table: Table, rows: list[dict], column: Column) -> Measure:
    texts = [text_of(table.cell(row, column)) for row in rows]
    header = longest_word_ems(column.header, bold=True)
    words = max((longest_word_ems(t) for t in texts), default=0.0)
    floor = max(header, min(words, LONG_WORD_EMS), 1.5) + SAFETY_EMS
    lengths = sorted(max((text_ems(line) for line in t.split("\n")), default=0.0)
                     for t in texts)
    typical = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0.0
    long_text = column.wrap or typical > 24
    want = max(floor, min(typical, 60.0 if long_text else 24.0),
               text_ems(column.header, bold=True) if not long_text else 0.0)
    return Measure(floor, want, long_text)


def column_widths(table: Table, rows: list[dict], available_ems: float,
                  padding_ems: float = 0.0) -> list[float]:
    """Widths in ems (cell padding included) that fill ``available_ems``: every column gets
    its floor, then what it wants, and the long-text columns (quotes first) share the rest."""
    sizes = [measure(table, rows, c) for c in table.columns]
    pad = padding_ems
    floors = [m.floor + pad for m in sizes]
    wants = [m.want + pad for m in sizes]
    if sum(floors) >= available_ems:  # too many columns for the page: shrink in proportion
        scale = available_ems / sum(floors)
        return [f * scale for f in floors]
    widths = list(floors)
    spare = available_ems - sum(widths)
    grow = [w - f for w, f in zip(wants, floors, strict=True)]
    if sum(grow) >= spare:
        share = spare / sum(grow)
        return [f + g * share for f, g in zip(floors, grow, strict=True)]
    widths = wants
    spare = available_ems - sum(widths)
    weights = [(3.0 if c.key == "quote" else 1.0) * (m.want if m.long_text else 0.0)
               for c, m in zip(table.columns, sizes, strict=True)]
    if not any(weights):  # no long text: widen every column a little
        weights = list(wants)
    total = sum(weights)
    return [w + spare * k / total for w, k in zip(widths, weights, strict=True)]
