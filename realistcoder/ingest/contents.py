"""Contents pages: lists of sections (and of tables and figures) with their page numbers.

They are not body text: a contents page read as prose became one 2,588-character "sentence"
that got proposals. A block is a contents block when most of its lines carry a dot leader
("Methods ........ 12", "…………", ". . . ."), or when it follows a "Contents" heading and reads
like entries (short lines, no sentence punctuation). Each entry (its lines up to the one that
ends in a leader or a page number) becomes a block of its own of kind ``contents``, so that
each is one unit, never proposed by default.
"""

from __future__ import annotations

import re

from realistcoder.ingest import sections as S
from realistcoder.ingest.layout import Block

# a leader (dots, "……", middle dots, rules; a mix too), then perhaps the page number, at the
# end of the line
LEADER = re.compile(r"(?:(?:[.·_]\s?){5,}|…(?:\s?[.…]){2,})[.…·_\s]*"
                    r"(?:\d{1,4}|[ivxlc]{1,6})?\s*$", re.I)
PAGE_AT_END = re.compile(r"(?:^|\D)\d{1,4}\s*$")
CONTENTS_HEADING = re.compile(r"^(table of )?contents( page)?\s*:?$|^in this (report|guide)$|"
                              r"^list of (tables|figures|boxes|illustrations)\s*:?$", re.I)
# headings inside a contents list ("Appendices" before the list of appendices)
LIST_HEADING = re.compile(r"^(appendices|annex(es)?|list of \w+|tables|figures)\s*:?$", re.I)
ENDS_SENTENCE = re.compile(r"[.?!]['’\"”)]?$")


def _leader_line(text: str) -> bool:
    return bool(LEADER.search(text))


def _entry_like(block: Block) -> bool:
    """Short lines without sentence ends: what a contents list without leaders looks like."""
    return all(len(line.text.strip()) < 100 and not ENDS_SENTENCE.search(line.text.strip())
               for line in block.lines)


def _entries(block: Block) -> list[Block]:
    """One block per entry: lines up to one ending in a leader or a page number (every line
    when no line has either)."""
    ends = [_leader_line(t) or bool(PAGE_AT_END.search(t))
            for t in (line.text.strip() for line in block.lines)]
    if not any(ends):
        return [Block([line], kind=S.CONTENTS) for line in block.lines]
    out: list[Block] = []
    current: list = []
    for line, end in zip(block.lines, ends, strict=True):
        current.append(line)
        if end or len(current) >= 3:
            out.append(Block(current, kind=S.CONTENTS))
            current = []
    if current:
        out.append(Block(current, kind=S.CONTENTS))
    return out


def mark_contents(blocks: list[Block]) -> list[Block]:
    """Blocks with contents lists marked (kind ``contents``) and split into entries.

    A list continues, on the same page, through blocks that read like entries (sub-entries
    without leaders, an "Appendices" list), until a block that reads otherwise."""
    out: list[Block] = []
    heading_page = None  # the page of a "Contents" heading whose list may follow
    list_page = None  # the page of the last contents block
    for block in blocks:
        texts = [line.text.strip() for line in block.lines]
        leaders = sum(_leader_line(t) for t in texts)
        if block.kind in (S.HEADING, S.FRONT_MATTER) and CONTENTS_HEADING.match(" ".join(texts)):
            heading_page = block.page
            out.append(block)
            continue
        contents = leaders * 2 >= len(texts) > 0 and block.kind != S.TABLE
        if not contents and block.kind in (S.BODY, S.LIST_ITEM, S.FRONT_MATTER):
            after_heading = (heading_page is not None and block.page <= heading_page + 1
                             and len(texts) >= 2)
            contents = (after_heading or block.page == list_page) and _entry_like(block)
        elif not contents and block.kind == S.HEADING and block.page == list_page:
            contents = bool(LIST_HEADING.match(" ".join(texts)))
        if contents:
            out.extend(_entries(block))
            list_page = block.page
            continue
        if block.kind in (S.HEADING, S.BODY, S.LIST_ITEM):
            heading_page = list_page = None  # the first block that reads otherwise ends it
        out.append(block)
    return out
