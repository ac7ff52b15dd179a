"""Guards for output that other programs open: spreadsheets, XML (DOCX/XLSX/QDPX) and HTML.

* :func:`spreadsheet_text` stops a cell from running as a formula: a text that starts with
  ``= + - @``, tab or carriage return gets a leading apostrophe (the OWASP CSV-injection
  advice). XLSX cells are instead written as typed text with Excel's quote prefix, which keeps
  the characters exact.
* :func:`xml_text` drops characters that XML 1.0 forbids (PDF text carries stray control
  characters); a DOCX, XLSX or QDPX with one of them cannot be opened at all.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# vertical tab and form feed stand between words in PDF text: keep the gap as a space
_XML_AS_SPACE = str.maketrans({"\x0b": " ", "\x0c": " "})


_SURROGATE = re.compile("[\ud800-\udfff]")


def unicode_text(text: str) -> str:
    """``text`` encodable as UTF-8: a lone surrogate becomes U+FFFD (one character for one, so
    offsets into the text do not move)."""
    return _SURROGATE.sub("\ufffd", text) if text else text


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read ``text`` as a formula (or a DDE payload)."""
    return text.startswith(FORMULA_STARTS)


def spreadsheet_text(text: str) -> str:
    """``text`` made inert for CSV: an apostrophe before a formula-like start."""
    return "'" + text if is_formula_like(text) else text


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/F)."""
    if not text:
        return text
    return _XML_ILLEGAL.sub("", text.translate(_XML_AS_SPACE))


def has_xml_illegal(text: str) -> bool:
    return bool(_XML_ILLEGAL.search(text))
