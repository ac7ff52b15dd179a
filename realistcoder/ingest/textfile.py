"""Plain text and Markdown: blocks of (text, section kind), one paragraph per block.

Paragraphs are separated by blank lines; their lines are joined with spaces. Markdown headings
(``#``), list items (``-``, ``*``, ``1.``) and table rows (``| a | b |``) become their own blocks,
and a one-line paragraph without closing punctuation in a plain text file is a heading.
"""

from __future__ import annotations

import re

from realistcoder.ingest import sections as S

MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
MD_ITEM = re.compile(r"^\s*([-*+•]|\d{1,3}[.)])\s+\S")
MD_BULLET = re.compile(r"^\s*[-*+•]\s+")
MD_RULE = re.compile(r"^\s*([-*_]\s*){3,}$|^\s*\|?[\s:|-]+\|[\s:|-]*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def text_blocks(text: str) -> list[tuple[str, str]]:
    """The file's blocks in order as ``(clean text, section kind)``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    blocks: list[tuple[str, str]] = []
    para: list[str] = []
    item = [False]
    fenced = False

    def flush():
        if para:
            joined = " ".join(" ".join(line.split()) for line in para).strip()
            if joined:
                blocks.append((joined, S.LIST_ITEM if item[0] else _kind(para)))
            para.clear()
        item[0] = False

    for raw in text.split("\n"):
        if FENCE.match(raw):
            flush()
            fenced = not fenced
            continue
        if fenced:
            if raw.strip():
                blocks.append((" ".join(raw.split()), S.TABLE))
            continue
        line = raw.rstrip()
        if not line.strip() or MD_RULE.match(line):
            flush()
            continue
        heading = MD_HEADING.match(line)
        if heading:
            flush()
            if heading.group(1).strip():
                blocks.append((" ".join(heading.group(1).split()), S.HEADING))
            continue
        if line.lstrip().startswith("|"):
            flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            blocks.append((" | ".join(c for c in cells if c), S.TABLE))
            continue
        if MD_ITEM.match(line):
            flush()
            para.append(MD_BULLET.sub("", line, count=1))
            item[0] = True
            continue
        para.append(line)
    flush()
    return blocks


def _kind(lines: list[str]) -> str:
    if len(lines) == 1:
        line = lines[0].strip()
        if 0 < len(line) < 80 and not line.endswith((".", ",", ";", ":", "?", "!", '"', "”")) \
                and line[0].isupper():
            return S.HEADING
    return S.BODY

