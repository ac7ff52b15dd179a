"""Section kinds of blocks: headings, captions, reference lists, front matter, tables, lists.

Kinds come from the block's look (bold or larger type, a short unpunctuated line), its opening
words ("Figure 2.", "Correspondence:", "©") and its place in the document (everything after a
"References" heading is a reference list until the next heading; the title block before the
first section heading of page 1 is front matter).
"""

from __future__ import annotations

import re

from realistcoder.ingest import sections as S
from realistcoder.ingest.layout import REFERENCE_ENTRY, Block, Style

SECTION_WORDS = {
    "abstract", "summary", "background", "introduction", "methods", "method", "methodology",
    "materials and methods", "methods and materials", "results", "findings", "discussion",
    "conclusion", "conclusions", "limitations", "strengths and limitations", "implications",
    "recommendations", "aims", "objectives", "design", "setting", "participants",
    "interventions", "main outcome measures", "key messages", "what is already known",
    "evidence before this study", "overview", "purpose", "scope", "context", "appendix",
    "executive summary", "key findings", "key points", "foreword", "preface", "glossary",
}
# what a reference-list entry nearly always has: a year, "et al", a DOI/URL, volume(issue)
REFERENCE_LIKE = re.compile(
    r"\b(1[89]|20)\d\d[a-z]?\b|et al|\bdoi\b|https?://|www\.|\d+\s*[:(]\s*\d+|\bpp?\.\s*\d|"
    r"\bvol\.|\bno\.|\beds?\.|\bIn:|^\[?\d{1,3}[\].]|"
    r"\b[A-Z][\w'’-]+,? (?:[A-Z]\.? ?){1,3}[,.:;]|\b[A-Z]\. ?(?:[A-Z]\. ?)?[A-Z][a-z]+"
)
REFERENCE_HEADING = re.compile(
    r"^(\d+\.?\s*)?(references?( and notes)?|bibliography|literature cited|works cited|"
    r"reference list|sources|notes and references|endnotes)\s*:?$",
    re.I,
)
ADMIN_HEADING = re.compile(
    r"^(\d+\.?\s*)?(competing interests?|conflicts? of interests?|declaration of interests?|"
    r"declarations|authors?['’]? contributions?|contributors|acknowledge?ments?|funding|"
    r"financial support|ethics approval.*|ethical approval|consent for publication|"
    r"availability of data.*|data availability.*|data sharing.*|author details|"
    r"author information|abbreviations|supplementary (information|material)s?|"
    r"additional files?|publisher['’]s note|transparency declaration|orcid|"
    r"provenance and peer review|patient consent.*|copyright)\s*:?$",
    re.I,
)
CAPTION = re.compile(
    r"^(?i:fig(?:ure)?s?|table|box|chart|exhibit|plate|scheme|panel|graph|appendix table)"
    r"\s*\.?\s*(?:[A-Z]?\d+[a-z]?|[IVX]{1,4})\b\s*(?:[.:|–—-]|\s+[A-Z(\[\"“‘'])",
)
ADMIN_START = re.compile(
    r"^(\*\s*)?(correspondence|©|\(c\) ?\d{4}|copyright|received[: ]|accepted[: ]|revised[: ]|"
    r"published( online)?[: ]|citation[: ]|keywords?[: ]|key ?words[: ]|open access\b|doi[: ]|"
    r"https?://\S+$|cite this|edited by|reviewed by|academic editor|full list of author|"
    r"this (is an|article is|work is licensed)|licen[cs]e[: ]|to cite|e-?mail[: ]|"
    r"article history|how to cite|submitted[: ]|handling editor|editor:|peer review history|"
    r"(funding|competing interests?|data availability( statement)?|conflicts? of interests?|"
    r"ethics statement|author contributions|acknowledge?ments?|financial disclosure)\s*:)",
    re.I,
)
# journal furniture left in a page margin: URLs, DOIs, licences, "2020;54:709-719", "Page 3 of 9"
FURNITURE = re.compile(
    r"(?i)https?://|www\.|\.(com|org|net)\b|©|\bdoi\b|\bissn\b|\bvol\.? ?\d|"
    r"\d{4}\s*[;,]\s*\d+\s*[:(]|\bpage \d+ of \d+"
)
MARGIN = 0.08
# labelled parts of an unheaded abstract stay body text ("Objective: ...", "Methods: ...")
ABSTRACT_PART = re.compile(
    r"^(abstract|summary|background|introduction|objectives?|aims?|purpose|context|design|"
    r"setting|participants|interventions?|methods?|methodology|results|findings|"
    r"interpretation|conclusions?|implications|main outcome measures)\s*[:.—–-]\s*\S",
    re.I,
)
NUMBERED_HEADING = re.compile(r"^(\d+(\.\d+)*\.?|[IVX]{1,4}\.|[A-H]\.)\s+[A-Z]")


def classify(blocks: list[Block], style: Style, heights: dict[int, float]) -> None:
    """Set ``block.kind`` on every block of a document, in reading order.

    ``heights`` maps page numbers to page heights (for furniture in the margins).
    """
    for block in blocks:
        if block.kind == S.TABLE:
            continue
        text = block.text.strip()
        if _in_margin(block, heights) and FURNITURE.search(text) and not _section_word(text):
            block.kind = S.FRONT_MATTER
        elif CAPTION.match(text):
            block.kind = S.CAPTION
        elif ADMIN_START.match(text):
            block.kind = S.FRONT_MATTER
        elif block.kind in (S.BODY, S.LIST_ITEM) and REFERENCE_ENTRY.match(text):
            block.kind = S.REFERENCES
        elif block.kind == S.BODY and _is_heading(block, text, style):
            block.kind = S.HEADING
        elif (block.kind == S.LIST_ITEM and len(block.lines) == 1 and len(text) < 80
              and NUMBERED_HEADING.match(text) and not text.endswith((".", ",", ";", ":"))
              and style.emphasised(block.lines[0])):
            block.kind = S.HEADING  # "1. Background" in bold is a heading, not a list item
    _front_matter(blocks)
    mode = None
    previous = None
    for block in blocks:
        text = block.text.strip()
        if (previous == S.REFERENCES and block.kind == S.BODY and len(text) < 300
                and REFERENCE_LIKE.search(text)):
            block.kind = S.REFERENCES  # the rest of an entry split off by a font change
        previous = block.kind
        if block.kind == S.HEADING:
            if REFERENCE_HEADING.match(text):
                mode = S.REFERENCES
            elif ADMIN_HEADING.match(text):
                mode = S.FRONT_MATTER
            elif mode == S.REFERENCES and not _section_word(text):
                block.kind = S.REFERENCES  # a bold name or number inside the list
                continue
            else:
                mode = None
        elif mode == S.REFERENCES and block.kind == S.BODY and _section_word(text):
            block.kind, mode = S.HEADING, None
        elif mode == S.REFERENCES and len(text) > 150 and not REFERENCE_LIKE.search(text):
            mode = None  # prose after the list: the reference list has ended
        elif mode and block.kind in (S.BODY, S.LIST_ITEM):
            block.kind = mode


def _in_margin(block: Block, heights: dict[int, float]) -> bool:
    height = heights.get(block.page)
    if not height:
        return False
    return all(line.bottom < MARGIN * height or line.top > (1 - MARGIN) * height
               for line in block.lines)


def _section_word(text: str) -> bool:
    bare = re.sub(r"^(\d+(\.\d+)*\.?|[IVX]+\.)\s*", "", text).strip(" :").lower()
    return bare in SECTION_WORDS or bool(ADMIN_HEADING.match(bare))


def _is_heading(block: Block, text: str, style: Style) -> bool:
    if len(block.lines) > 3 or len(text) > 160 or not text:
        return False
    if REFERENCE_HEADING.match(text) or ADMIN_HEADING.match(text) or _section_word(text):
        return True
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    if text.endswith((",", ";")) or (text.endswith(".") and not NUMBERED_HEADING.match(text)):
        return False
    if all(style.emphasised(line) for line in block.lines):
        return True
    if len(block.lines) == 1 and style.run_in_heading(block.lines[0]):
        return True
    return len(text) < 60 and bool(NUMBERED_HEADING.match(text))


def _front_matter(blocks: list[Block]) -> None:
    """Page-1 blocks before the first section heading (title, authors, affiliations)."""
    if not blocks:
        return
    first_page = blocks[0].page
    for i, block in enumerate(blocks):
        if block.page > first_page + 1:
            return
        if block.kind == S.HEADING and (
            _section_word(block.text.strip()) or NUMBERED_HEADING.match(block.text.strip())
        ):
            for earlier in blocks[:i]:
                if earlier.page == first_page and earlier.kind != S.CAPTION \
                        and not ABSTRACT_PART.match(earlier.text.strip()):
                    earlier.kind = S.FRONT_MATTER
            return
