"""Term quality of the shipped codebooks on real third-party health PDFs (../shared).

A term that fires on a fair share of the sentences of several unrelated health papers and
reports is too generic to propose anything (the lemma traps of docs/codebook-format.md:
"valued" read as "value", "staffing" as "staff", "protocol" in every trial paper). A term that
fires often in one document on its own topic is fine.
Slow: extracts text with pdfplumber.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from realistcoder.codebook import load_codebook, shipped_codebooks

# article, RCT, screening, guidance, project report, qualitative study (never the documents
# reserved for independent evaluation)
PDFS = ("A01", "A06", "A07", "D01", "D06", "D07")
SHARE = 0.015  # a term matching more than 1.5% of a document's sentences ...
MAX_DOCUMENTS = 1  # ... in two or more of these unrelated documents is too generic


def _sentences(pdf: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        text = " ".join(page.extract_text() or "" for page in doc.pages)
    text = re.sub(r"-\s+(?=[a-z])", "", text)
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if len(s) > 20]


@pytest.mark.slow
def test_no_shipped_term_fires_on_a_large_share_of_real_sentences(shared):
    import spacy
    from spacy.matcher import PhraseMatcher

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    pdfs = [p for folder in ("health", "dev")
            for p in sorted((shared / "pdfs" / folder).glob("*.pdf")) if p.name[:3] in PDFS]
    documents = {pdf.name[:3]: [s.lower() for s in _sentences(pdf)] for pdf in pdfs}
    assert len(documents) == len(PDFS) and all(len(s) > 50 for s in documents.values())

    matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
    for path in shipped_codebooks():
        for code in load_codebook(path).codes:
            for term in code.terms:
                matcher.add(f"{path.stem}:{code.id}:{term}", [nlp(term.lower())])
    frequent: Counter[str] = Counter()  # term -> documents where it is frequent
    for sentences in documents.values():
        hits: Counter[str] = Counter()
        for doc in nlp.pipe(sentences, batch_size=256):
            hits.update({nlp.vocab.strings[match_id] for match_id, _, _ in matcher(doc)})
        frequent.update(k for k, n in hits.items() if n / len(sentences) > SHARE)
    too_generic = sorted(k for k, n in frequent.items() if n > MAX_DOCUMENTS)
    assert not too_generic, (f"terms matching > {SHARE:.1%} of the sentences of more than "
                             f"{MAX_DOCUMENTS} unrelated documents: {too_generic}")
