"""Layout cues for the sentence splitter: where blank lines, headings and list items start a
new sentence whatever the punctuation says.

- A blank line (only spaces or tabs between two newlines) always ends a sentence. A line holding
  only a page break (form feed) does not: a sentence may run across pages.
- A list-item line (bullet, dash, "1.", "1)", "(a)", "a)", "(iv)") starts a new sentence when it
  follows a colon or semicolon, a finished sentence, a blank line or another item, or when the
  block holds a second item line of its kind ("- a" and "- b"; "1." and "2."), so that an item
  wrapped onto a second line without punctuation does not swallow the next; otherwise
  ("were either\n(a) nurses or (b) ...", "were either\n(a) nurses or\n(b) ...") the newline
  is just a space.
- A heading line ends a sentence: short (at most 12 words), starting with a capital or a digit,
  with no closing punctuation, not ending with a connective ("of", "and", "the"), at the start
  of a block (after a blank line, a finished sentence or another heading), followed by a
  capitalised line, and not shaped like the first line of a wrapped paragraph (it has at most
  four words, or is clearly shorter than the next line, or is in title case).
- Bullets ("•", "▪", "⁃", PDF symbol-font bullets) start a new sentence anywhere, and so do
  "2)", "b)" ... when they continue an inline "1) ... 2) ..." sequence.
"""

from __future__ import annotations

import re

SUPERSCRIPT_DIGITS = "\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
#: characters that may follow a full stop and still belong to its sentence
CLOSERS = "\"'\u2019\u201d\u00bb)]}" + SUPERSCRIPT_DIGITS
OPEN_QUOTES = "\"'\u201c\u2018\u00ab"
#: bullets, including the private-use code points PDFs map symbol-font bullets to
BULLETS = (
    "\u2022\u25e6\u25aa\u25ab\u2023\u2043\u25cf\u25cb\u25a0\u25a1\u27a2\u25ba\u2713\u2714"
    "\u2219\u25c6\u25c7\u27a4\u2756\uf0b7\uf0a7\uf0d8\uf076\uf0fc"
)
TERMINAL_CHARS = ".!?\u2026\u203d"

_BLANK_LINE = re.compile(r"\n[ \t\r\u00a0\u2000-\u200a\u202f\u3000]*\n")
_BULLET = re.compile("[" + BULLETS + "]")
#: ``has_bullet(text)`` is true when ``text`` holds a bullet character
has_bullet = _BULLET.search
# the end of an inline list marker "3)" or "b)"; the label before it is checked in Python (a
# regex that starts with the punctuation scans much faster than one that starts with the label)
_ITEM_END = re.compile(r"\)(?=\s+[A-Z0-9\"\u201c(])")
# a line that starts a list item: bullet, dash, "1.", "1)", "(a)", "a)", "(iv)"
_LIST_LINE = re.compile(
    r"(?:[" + BULLETS + r"*\-\u2013\u2014]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s|\([ivx]{1,5}\)\s)"
)
# words a heading cannot end with (a wrapped line of running text often does)
_CONNECTORS = frozenset(
    "a an and as at between by for from in into of on or than that the their these this those "
    "to which who whose with within without was were is are be been et al nor but".split()
)
_RUN_ON = _CONNECTORS | {"either", "neither", "both", "whether"}
_MAX_HEADING_WORDS = 12


def layout_cuts(text: str) -> list[int]:
    """Positions where layout alone starts a new sentence, sorted (see the module docstring)."""
    cuts: list[int] = []
    if "\n" in text:
        cuts.extend(m.start() for m in _BLANK_LINE.finditer(text))
        cuts.extend(_line_cuts(text))
    if not text.isascii():
        cuts.extend(m.start() for m in _BULLET.finditer(text) if m.start() > 0)
    # an inline "1) ... 2) ..." sequence needs its first item (the "1." style is found with
    # the full stops, in split_sentences)
    if "1) " in text or "a) " in text:
        cuts.extend(_inline_item_cuts(text))
    if len(cuts) > 1:
        cuts = sorted(set(cuts))
    return cuts


def _line_cuts(text: str) -> list[int]:
    """Cuts before list-item lines and after heading lines."""
    cuts: list[int] = []
    lines: list[tuple[int, int, str]] = []  # (offset, length, stripped content) of each line
    pos = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if line or "\f" not in raw:  # a line holding only a page break is no paragraph break
            lines.append((pos, len(raw), line))
        pos += len(raw) + 1
    listed = _listed_items(lines)
    in_list = False
    prev = ""  # the previous line's content ("" = blank or none)
    prev_heading = False
    for i, (off, length, line) in enumerate(lines):
        if not line:
            in_list = prev_heading = False
            prev = ""
            continue
        block_start = not prev or prev_heading or _ends_sentence(prev)
        is_item = _LIST_LINE.match(line) is not None
        if is_item:
            after_colon = prev.endswith((":", ";"))
            if off > 0 and (
                in_list or block_start or after_colon or (i in listed and not _runs_on(prev))
            ):
                cuts.append(off)
            in_list = in_list or block_start or after_colon
        heading = (
            (block_start or is_item)
            and i + 1 < len(lines)
            and _starts_capitalised(lines[i + 1][2])
            and _heading_like(line, lines[i + 1][2])
        )
        if heading:
            cuts.append(off + length)
        prev, prev_heading = line, heading
    return cuts


def _listed_items(lines: list[tuple[int, int, str]]) -> set[int]:
    """Indexes of item lines that belong to a list of at least two lines in the same block
    (no blank line between): "- a" + "- b", or numbered or lettered labels in sequence ("1."
    + "2.", "(a)" + "(b)"). Such a line starts an item whatever the line before it says
    ("Barriers" + "- staff turnover and" + "unclear roles" + "- lack of time")."""
    found: set[int] = set()
    block: dict[tuple[str, int], int] = {}  # (style, label) -> line index, in this block
    for i, (_, _, line) in enumerate(lines):
        if not line:
            block.clear()
            continue
        m = _LIST_LINE.match(line)
        if m is None:
            continue
        label = m.group().rstrip()
        if label[-1] in ".)" and label.strip("().").isalnum():  # "1.", "(2)", "b)", "(iv)"
            core = label.strip("().")
            style = label.replace(core, "#")
            value = int(core) if core.isdecimal() else ord(core) - 96 if len(core) == 1 else 0
        else:  # a bullet or dash: any two of the same kind make a list
            style, value = label, 0
        for other in ((style, value - 1), (style, value + 1)) if value else ((style, 0),):
            if other in block:
                found.update((block[other], i))
        block[(style, value)] = i
    return found


def _runs_on(line: str) -> bool:
    """Does the sentence plainly go on after ``line`` ("were either", "nurses or", "aged 65,")?"""
    return line[-1] == "," or line.rsplit(None, 1)[-1].lower() in _RUN_ON


def _ends_sentence(line: str) -> bool:
    return line.rstrip(CLOSERS)[-1:] in TERMINAL_CHARS or line[-1] == ":"


def _heading_like(line: str, following: str) -> bool:
    """A heading rather than the first line of a wrapped paragraph ("Patients were recruited
    from three" + "NHS trusts in the north of England.")."""
    first, last = line[0], line[-1]
    if not (first.isupper() or first.isdigit() or first in BULLETS):
        return False
    if last in TERMINAL_CHARS or last in ",;:-\u2013\u2014&/(" or len(line) > 120:
        return False
    words = line.split()
    if len(words) > _MAX_HEADING_WORDS or words[-1].lower() in _CONNECTORS:
        return False
    if len(words) <= 4 or len(line) < 0.8 * len(following):
        return True  # short, or clearly shorter than the text under it
    long_words = [w for w in words if len(w) > 3]
    capitals = sum(w[0].isupper() for w in long_words)
    return bool(long_words) and capitals >= 0.75 * len(long_words)  # "Data Sources And Methods"


def _starts_capitalised(line: str) -> bool:
    if not line:
        return False
    c = line[0]
    if c in OPEN_QUOTES:
        c = line[1:2] or "x"
    return c.isupper() or c.isdigit() or c in BULLETS


def _inline_item_cuts(text: str) -> list[int]:
    """Cuts before "2)", "b)" ... when they continue an inline sequence started by "1)", "a)"."""
    cuts: list[int] = []
    expect: dict[str, int] = {}  # "d" (digits) or "l" (letters) -> the next label expected
    for m in _ITEM_END.finditer(text):
        p = m.start()
        c = text[p - 1 : p]
        if c.isdecimal():
            q = p - 2 if p >= 2 and text[p - 2].isdecimal() else p - 1
            value, key = int(text[q:p]), "d"
        elif "a" <= c <= "z":
            q, value, key = p - 1, ord(c) - 96, "l"
        else:
            continue
        if q > 0 and not (text[q - 1].isspace() or text[q - 1] in BULLETS):
            continue
        if expect.get(key) == value:
            cuts.append(q)
            expect[key] = value + 1
        elif value == 1:
            before = text[q - 4 if q > 4 else 0 : q].rstrip()
            if before.endswith(":"):  # "two aims: 1) map 2) explain"
                cuts.append(q)
            elif before and before[-1] not in TERMINAL_CHARS + CLOSERS + BULLETS:
                continue  # "described 1) trust and 2) time": no list
            expect[key] = 2
    return cuts
