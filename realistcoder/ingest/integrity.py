"""Text integrity: characters a PDF's fonts do not let us read, found per page and marked on
the sentences they touch.

Two kinds, both invisible in the extracted text unless someone looks:

* ``replacement``: U+FFFD, the replacement character, where a font maps a glyph to "unknown"
  (a "≥" or "–" that came out as "�");
* ``undecodable``: characters of a font without a usable Unicode map (pdfium's
  ``FPDFText_HasUnicodeMapError``): what comes out is glyph codes, gibberish such as
  "3HQČåQtSURVWĜHGN".

Ingest reports both per page (a warning on the document, shown by ``ingest`` and
``documents``), stores them on the pages, and flags each sentence that holds such characters,
so that exports can mark those quotes. Map errors are looked for character by character on
pages where one character in five shows some (see ``ingest.pdf``): a font without a map shows
on nearly all of its characters, but a lone odd symbol may go unnoticed.
"""

from __future__ import annotations

from realistcoder.ingest.text import Piece

REPLACEMENT = "replacement"
UNDECODABLE = "undecodable"


def sentence_flags(text: str, pieces: list[Piece], start: int, end: int) -> list[str]:
    """The marks on the document characters ``text[start:end]`` (``pieces`` map them to the
    printed lines they came from)."""
    flags = []
    if "\ufffd" in text[start:end]:
        flags.append(REPLACEMENT)
    for p in pieces:
        if not p.line.unmapped or p.doc_end <= start or p.doc_start >= end:
            continue
        a = p.index + max(start - p.doc_start, 0)
        b = p.index + min(end, p.doc_end) - p.doc_start
        if any(a <= k < b for k in p.line.unmapped):
            flags.append(UNDECODABLE)
            break
    return flags


def page_issues(n_replacement: int, n_unmapped: int) -> dict[str, int] | None:
    issues = {REPLACEMENT: n_replacement, UNDECODABLE: n_unmapped}
    issues = {k: v for k, v in issues.items() if v}
    return issues or None


def warnings(pages: list, sentences: list, ranges) -> list[str]:
    """One-line notes for the document: which pages hold which kind, how many sentences are
    flagged, and what to do. ``ranges`` formats page numbers ("2, 4, 6-7")."""
    out = []
    for kind, what, fix in (
        (REPLACEMENT, "could not be decoded (they read as U+FFFD, �)",
         "check the flagged quotes against the PDF"),
        (UNDECODABLE, "come from a font without a Unicode map and read as gibberish",
         "get a better copy of the PDF, or OCR it (e.g. `ocrmypdf --force-ocr in.pdf out.pdf`)"),
    ):
        hit = [p for p in pages if p.issues and p.issues.get(kind)]
        if not hit:
            continue
        chars = sum(p.issues[kind] for p in hit)
        flagged = sum(1 for s in sentences if kind in (s.flags or []))
        out.append(f"page(s) {ranges([p.page_no for p in hit])}: {chars} characters {what}; "
                   f"{flagged} sentence(s) flagged: {fix}")
    return out
