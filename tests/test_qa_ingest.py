"""QA: text drawn twice at the same place (a block printed twice) comes out once."""

from __future__ import annotations

from collections import Counter

from realistcoder.ingest.pdf import read_pdf


def test_block_printed_twice_gives_each_line_once(shared):
    """B15 draws the opening block of page 1 twice, exactly on top of itself."""
    pdf = shared / "pdfs" / "robustness" / "B15_duplicate_chars_fake-bold_French_medical_text.pdf"
    lines = read_pdf(pdf).pages[0].lines
    seen = Counter((line.text, round(line.x0), round(line.top)) for line in lines)
    assert [key for key, n in seen.items() if n > 1] == []
    assert [line.text for line in lines].count("OBJECTIFS") == 1
