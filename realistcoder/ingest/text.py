"""Clean text from blocks: rejoin hyphenated words, merge paragraphs split by a column or page
break, and assemble the document's text while remembering where every character came from.

The document text is the blocks' texts joined by blank lines. Each :class:`Piece` maps a run of
document characters to a run of one printed line's characters, which gives sentences their
pages and bounding boxes.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from realistcoder.ingest import sections as S
from realistcoder.ingest.layout import BULLET, Block
from realistcoder.ingest.pdf import Line

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# first parts of compounds whose line-end hyphen is real ("self-\nreported" stays hyphenated)
COMPOUND_HEADS = {
    "self", "non", "well", "ill", "cross", "long", "short", "high", "low", "full", "part",
    "evidence", "community", "patient", "person", "family", "home", "hospital", "time", "cost",
    "decision", "user", "age", "sex", "gender", "mixed", "large", "small", "semi",
    "quasi", "multi", "inter", "intra", "mid", "open", "peer", "role", "team", "place",
    "practice", "primary", "secondary", "third", "first", "second", "one", "two", "three",
    "four", "five", "six", "ten", "up", "out", "all", "best", "co",
}
# heads whose hyphen stays even when the joined form is a word ("well-being", "self-service")
STRONG_HEADS = {"self", "well", "ill", "cross", "quasi", "semi", "non", "ex", "all"}
STRONG_TAILS = {"up", "ups", "based", "term", "related", "specific", "centred", "centered",
                "led", "making", "level", "reported", "sectional", "aged", "free", "like"}
# second parts that mark a compound ("evidence-\nbased", "long-\nterm")
COMPOUND_TAILS = {
    "based", "term", "up", "level", "related", "specific", "centred", "centered", "led",
    "making", "reported", "rated", "sectional", "wide", "year", "income", "quality", "risk",
    "care", "scale", "time", "day", "month", "week", "old", "like", "free", "aged",
    "dependent", "oriented", "focused", "driven", "informed", "ups",
}
ENDS_SENTENCE = (".", "?", "!", ":", ".”", ".’", '."', "?”", "!”", ".)", ".]")
UNICODE_FIXES = str.maketrans({
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ", "\u00ad": "",
    "\ufffe": "-", "\u2010": "-", "\u2011": "-",
})


@dataclass
class Piece:
    """``length`` document characters from ``doc_start`` are ``line.text[index:index+length]``."""

    doc_start: int
    line: Line
    index: int
    length: int

    @property
    def doc_end(self) -> int:
        return self.doc_start + self.length


def normalise_lines(blocks: list[Block]) -> None:
    """NFC-normalise line text in place, keeping per-character positions aligned."""
    for block in blocks:
        for line in block.lines:
            text = line.text.translate(UNICODE_FIXES)
            if not text.isascii():
                fixed = unicodedata.normalize("NFC", text)
                if len(fixed) == len(text):
                    text = fixed
            if len(text) == len(line.x0s):
                line.text = text


def vocabulary(blocks: list[Block]) -> set[str]:
    """Words printed inside lines (not at a line end), lower-cased, for hyphenation choices."""
    words: set[str] = set()
    for block in blocks:
        for line in block.lines:
            found = WORD.findall(line.text.lower())
            words.update(found[:-1] if line.text.endswith("-") else found)
    return words


def merge_continuations(blocks: list[Block]) -> list[Block]:
    """Join a paragraph cut by a column or page break with its continuation.

    A body block that does not end a sentence continues in the next body block when that one
    starts in another column or on another page with a lower-case letter (or the first ends
    mid-word or mid-clause). Captions, tables and front matter printed in between are moved
    before the paragraph if they are on its first page, else after it, so that page order of
    the text is kept.
    """
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        i += 1
        if block.kind not in (S.BODY, S.LIST_ITEM, S.REFERENCES):
            out.append(block)
            continue
        before: list[Block] = []
        after: list[Block] = []
        while True:
            j = i
            skipped: list[Block] = []
            while j < len(blocks) and blocks[j].kind in (S.CAPTION, S.TABLE, S.FRONT_MATTER) \
                    and len(skipped) < 8:
                skipped.append(blocks[j])
                j += 1
            if j >= len(blocks) or not _continues(block, blocks[j]):
                break
            # keep page order: what sat in between goes before the paragraph (same first page)
            # or after it (on or after its last page); anything else stops the merge
            last_page = blocks[j].lines[-1].page
            moved_before = [x for x in skipped if x.page == block.page]
            moved_after = [x for x in skipped if x.page != block.page]
            if any(x.page < last_page for x in after + moved_after):
                break
            before += moved_before
            after += moved_after
            block = Block(block.lines + blocks[j].lines, kind=block.kind)
            i = j + 1
        out.extend(before)
        out.append(block)
        out.extend(after)
    return out


def _continues(block: Block, nxt: Block) -> bool:
    if nxt.kind != block.kind and not (block.kind == S.LIST_ITEM and nxt.kind == S.BODY):
        return False
    last, first = block.lines[-1], nxt.lines[0]
    if last.font and first.font and last.font != first.font:
        return False  # a box or sidebar set in another font is not the paragraph's continuation
    if abs(last.size - first.size) > 0.08 * max(last.size, first.size):
        return False
    moved = first.page != last.page or first.top < last.top - 1 or first.x0 > last.x1
    if not moved:
        return False
    end = last.text.rstrip()
    start = first.text.lstrip()
    if not end or not start or end.endswith(ENDS_SENTENCE) or BULLET.match(start):
        return False
    return start[0].islower() or end[-1].islower() or end.endswith((",", "-", "(", "and", "or"))


def block_text(block: Block, vocab: set[str], start: int,
               dropped: list[tuple[int, int, str]] | None = None) -> tuple[str, list[Piece]]:
    """The block's clean text and its pieces (document offsets from ``start``).

    Raised reference numbers and footnote markers (``Line.marks``) are left out of the text;
    each is appended to ``dropped`` as ``(document offset, page, mark)``."""
    parts: list[str] = []
    pieces: list[Piece] = []
    pos = start
    if block.row:
        for k, cell in enumerate(block.lines):
            if k:
                parts.append(" | ")
                pos += 3
            text = cell.text.strip()
            lead = len(cell.text) - len(cell.text.lstrip())
            parts.append(text)
            pieces.append(Piece(pos, cell, lead, len(text)))
            pos += len(text)
        return "".join(parts), pieces
    lines = block.lines
    for k, line in enumerate(lines):
        text = line.text
        index = len(text) - len(text.lstrip())
        if k == 0 and block.kind == S.LIST_ITEM:
            bullet = BULLET.match(text[index:])
            if bullet and not bullet.group(0)[0].isalnum():
                index += len(bullet.group(0))
                index += len(text[index:]) - len(text[index:].lstrip())
        runs, marks = _runs(text, index, len(text.rstrip()), line.marks)
        end = runs[-1][1] if runs else index
        joiner = ""
        if k + 1 < len(lines):
            nxt = lines[k + 1].text.lstrip()
            body = text[:end]
            if body.endswith("-") and not body.endswith("--"):
                if end >= 2 and text[end - 2] == " ":
                    joiner = " "  # a dash: "care -" / "and"
                elif _drop_hyphen(text[index:end], nxt, vocab):
                    end -= 1
                    runs[-1] = (runs[-1][0], end)
                elif not nxt[:1].isalnum():
                    joiner = " "
            elif not body.endswith("/"):
                joiner = " "
        pending = list(marks)
        for a, b in runs:
            while pending and pending[0][1] <= a:  # a mark before this run: where it was
                m0, m1 = pending.pop(0)
                if dropped is not None:
                    dropped.append((pos, line.page, text[m0:m1]))
            if b > a:
                parts.append(text[a:b])
                pieces.append(Piece(pos, line, a, b - a))
                pos += b - a
        if dropped is not None:
            dropped.extend((pos, line.page, text[m0:m1]) for m0, m1 in pending)
        if joiner and parts:
            parts.append(joiner)
            pos += len(joiner)
    text = "".join(parts).rstrip()
    return text, pieces


def _runs(text: str, start: int, end: int, marks: list[tuple[int, int]]
          ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The runs of ``text[start:end]`` to keep around the marks, and the marks inside it. A
    space a dropped mark leaves out of place goes too ("process ¹⁵ Both" -> "process Both",
    "vulnerability¹ , are" -> "vulnerability, are")."""
    inside = [(a, b) for a, b in marks if start <= a and b <= end]
    runs, cur = [], start
    for a, b in inside:
        stop = a - 1 if a > cur and text[a - 1] == " " and (b >= end or text[b] == " ") else a
        if stop > cur:
            runs.append((cur, stop))
        cur = b
        if text[b:b + 1] == " " and text[b + 1:b + 2] in tuple(",.;:)") and text[b + 1:b + 2]:
            cur = b + 1
    tail = len(text[:end].rstrip())
    if tail > cur:
        runs.append((cur, tail))
    return runs or [(start, start)], inside


def _drop_hyphen(head_text: str, nxt: str, vocab: set[str]) -> bool:
    """Whether "exam-" + "ple" is a word broken across lines (drop the hyphen) or "self-report".

    The document's own words decide first ("self-confidence" printed elsewhere); then an
    English word list: when only the whole is a word ("ex-" + "pertise"), it joins, whatever
    the head; "presence" is a word, so "pres-ence" joins; "riskshare" is not while "risk"
    and "share" are, so "risk-share" keeps its hyphen. Unknown words fall back to usual
    compound heads and tails ("self-", "-based").
    """
    head = re.search(r"((?:[^\W\d_]+-)*)([^\W\d_]+)-$", head_text)
    tail = WORD.match(nxt)
    if head is None or tail is None or not nxt[0].islower():
        return False
    prefix, a = head.group(1), head.group(2)
    whole = tail.group(0)
    b = whole.split("-")[0]
    joined, hyphened = f"{prefix}{a}{b}".lower(), f"{prefix}{a}-{b}".lower()
    if joined in vocab:
        return True
    if hyphened in vocab:
        return False
    if len(b) > 2 and not _known(b.lower()) and _known(f"{a}{b}".lower()):
        return True  # "ex-" + "pertise", "infor-" + "mation-processing": only whole a word
    if "-" in whole:
        return False  # "end-" + "of-life": the compound goes on, so its hyphens are real
    if a.lower() in STRONG_HEADS or b.lower() in STRONG_TAILS:
        return False
    if _known(f"{a}{b}".lower()):
        return True
    if a.lower() in COMPOUND_HEADS or b.lower() in COMPOUND_TAILS:
        return False
    return not (len(a) > 2 and len(b) > 2 and _known(a.lower()) and _known(b.lower()))


def _known(word: str) -> bool:
    """An English word (or a regular inflection of one) in spaCy's lookup tables."""
    words = _english_words()
    if word in words:
        return True
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""),
                         ("ed", "e"), ("ing", ""), ("ing", "e"), ("ly", ""), ("er", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if word[: len(word) - len(suffix)] + repl in words:
                return True
    return False


def load_word_list() -> None:
    """Load the English word list now: before the extraction workers fork, so that each of
    them shares it instead of loading its own."""
    _english_words()


@functools.cache
def _english_words() -> frozenset[str]:
    """Base forms and inflections from spacy-lookups-data (about 120,000 words; 0.1 s)."""
    try:
        import spacy_lookups_data
    except ImportError:  # the word list is an optimisation, not a requirement
        return frozenset()
    folder = Path(spacy_lookups_data.__file__).parent / "data"
    words: set[str] = set()
    try:
        with gzip.open(folder / "en_lemma_index.json.gz") as fh:
            for forms in json.load(fh).values():
                words.update(forms)
        with gzip.open(folder / "en_lemma_lookup.json.gz") as fh:
            lookup = json.load(fh)
        words.update(lookup)
        words.update(lookup.values())
    except (OSError, ValueError):
        return frozenset()
    return frozenset(w.lower() for w in words)
