"""How a REFI-QDA source's selection offsets count, checked against the selections' own text.

The standard counts ``startPosition`` / ``endPosition`` in Unicode code points of the UTF-8
plain text, but tools differ: NVivo counts UTF-16 code units (an emoji is two), QualCoder's
"MAXQDA line endings" export writes CRLF text but counts each line break as one character, and
a byte-order mark may or may not be counted. Taken the wrong way, offsets land on other words
without any error. So every source's selections are read under each convention its text makes
different, and each selection's ``name`` (most tools write the selected text, whole or cut
short) says which one is right: :func:`choose` keeps the standard reading when every name fits
it, another one when only that one fits, and otherwise reports what does not fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from realistcoder.export.safe import xml_text

STANDARD = "code points"
BOM = "\ufeff"


@dataclass
class Convention:
    """One way to count: ``units[u]`` is the code point offset (in the source's text without a
    BOM) where unit ``u`` starts; ``None`` means units are code points."""

    name: str
    units: list[int] | None = None

    def span(self, start: int, end: int, length: int) -> tuple[int, int] | None:
        """Code point offsets of the unit offsets ``start``..``end``, or None if out of range."""
        if self.units is None:
            return (start, end) if 0 <= start <= end <= length else None
        if not 0 <= start <= end < len(self.units):
            return None
        return self.units[start], self.units[end]


def _units(text: str, *, crlf_as_one: bool, utf16: bool, bom: bool) -> list[int]:
    out = [0] if bom else []  # a counted BOM is a unit before the first character
    i, n = 0, len(text)
    while i < n:
        if crlf_as_one and text[i] == "\r" and i + 1 < n and text[i + 1] == "\n":
            out.append(i)  # one unit for "\r\n": the selection takes both characters
            i += 2
            continue
        out.append(i)
        if utf16 and ord(text[i]) > 0xFFFF:
            out.append(i)  # the second half of a surrogate pair
        i += 1
    out.append(n)
    return out


def conventions(text: str, had_bom: bool) -> list[Convention]:
    """The standard reading first, then each other reading that differs for this text."""
    crlf, astral = "\r\n" in text, any(ord(ch) > 0xFFFF for ch in text)
    out = [Convention(STANDARD)]
    options = [("code points with CRLF as one character", True, False, False, crlf),
               ("UTF-16 code units", False, True, False, astral),
               ("UTF-16 code units with CRLF as one", True, True, False, crlf and astral),
               ("code points with the byte-order mark counted", False, False, True, had_bom)]
    for name, crlf_one, utf16, bom, applies in options:
        if applies:
            out.append(Convention(name, _units(text, crlf_as_one=crlf_one, utf16=utf16,
                                               bom=bom)))
    return out


_ELLIPSIS = re.compile(r"(\u2026|\.\.\.)$")


def _flat(text: str) -> str:
    """Whitespace runs as one space, no case, without what XML cannot hold (an exporter had to
    drop those characters from the name)."""
    return " ".join(xml_text(text).split()).casefold()


EXACT, CLOSE = 2, 1


def name_fits(name: str | None, selected: str) -> int | None:
    """How well a selection's ``name`` describes the ``selected`` text: :data:`EXACT` (the same
    text, or its start when the name was cut short, with or without "…"), :data:`CLOSE` (the
    same words but the selection starts or ends on a space, or stops a few characters short
    of its name), 0 (another text). None when the name cannot tell (empty, or fewer than 4
    characters)."""
    if not name or len(name.strip()) < 4:
        return None
    want, got = _flat(_ELLIPSIS.sub("", name.strip())), _flat(selected)
    if not want:
        return None
    if want == got or got.startswith(want):
        padded = selected[:1].isspace() or selected[-1:].isspace()
        return CLOSE if padded else EXACT
    if want.startswith(got) and len(got) >= 0.75 * len(want) and len(got) >= 4:
        return CLOSE
    return 0


_OPENING = set("([{\"'\u201c\u2018\u00ab-\u2013\u2014/")
_CLOSING = set(")]}\"'\u201d\u2019\u00bb.,;:!?-\u2013\u2014/")


def _between_words(text: str, span: tuple[int, int]) -> bool:
    """The span holds text from the start of a word to the end of one: not empty, no space at
    either end, after a space (or an opening bracket or quote) and before a space (or
    punctuation)."""
    start, end = span
    if end <= start or text[start].isspace() or text[end - 1].isspace():
        return False
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return (before.isspace() or before in _OPENING) and (after.isspace() or after in _CLOSING)


@dataclass
class Choice:
    """The convention chosen for one source, and the selections it cannot explain."""

    convention: Convention | None
    misfits: list[int] = field(default_factory=list)  # indexes of selections
    ambiguous: list[str] = field(default_factory=list)  # names of conventions that all fit
    checked: int = 0  # selections whose names were checked


@dataclass
class _Reading:
    convention: Convention
    spans: list[tuple[int, int] | None]
    misfits: list[int]
    checked: int  # selections whose name could tell
    exact: int  # ... and fitted exactly


def _read(conv: Convention, text: str, selections: list[tuple[int, int, str | None]]
          ) -> _Reading:
    reading = _Reading(conv, [], [], 0, 0)
    for k, (start, end, name) in enumerate(selections):
        span = conv.span(start, end, len(text))
        reading.spans.append(span)
        verdict = name_fits(name, text[span[0]:span[1]]) if span else 0
        reading.checked += verdict is not None
        reading.exact += verdict == EXACT
        if span is None or verdict == 0:
            reading.misfits.append(k)
    return reading


def choose(text: str, had_bom: bool, selections: list[tuple[int, int, str | None]]) -> Choice:
    """Pick the convention under which the selections' names fit the text at their offsets.

    ``selections`` are (start, end, name). Among the readings that explain every selection,
    the one whose names fit exactly most often wins (the standard one on a tie); with no names
    at all, the one reading that starts and ends every selection between words. Readings that
    tie but place some selection differently are ``ambiguous``; when no reading explains every
    selection, the best one is kept and the selections it cannot explain are ``misfits``."""
    readings = [_read(conv, text, selections) for conv in conventions(text, had_bom)]
    standard = readings[0]
    fit = [r for r in readings if not r.misfits]
    everyone = list(range(len(selections)))
    named = [r for r in fit if r.checked]
    if named:
        top = max(r.exact for r in named)
        best = [r for r in named if r.exact == top]
        if standard in best or all(r.spans == best[0].spans for r in best):
            chosen = standard if standard in best else best[0]
            return Choice(chosen.convention, [], [], chosen.checked)
        return Choice(None, everyone, [r.convention.name for r in best], best[0].checked)
    if fit:  # no names to check the offsets with
        if all(r.spans == standard.spans for r in readings):
            return Choice(standard.convention, [], [], 0)
        clean = [r for r in fit if all(_between_words(text, s) for s in r.spans)]
        if len(clean) == 1:
            return Choice(clean[0].convention, [], [], 0)
        return Choice(None, everyone, [r.convention.name for r in fit], 0)
    best_reading = min(readings, key=lambda r: len(r.misfits))  # the standard one on a tie
    return Choice(best_reading.convention, best_reading.misfits, [], best_reading.checked)
