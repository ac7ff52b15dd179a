"""Skip spaCy's token Matcher on sentences none of a codebook's patterns can match.

The Matcher evaluates each token in Python when patterns use ``IN`` lists, and most sentences
hold none of the words the patterns need. Each pattern's *anchor* is its first required token
that names literal words (``NORM``, ``LOWER``, ``ORTH``/``TEXT``: a value or an ``IN`` list):
the pattern cannot match a sentence without one of them. A sentence is handed to the Matcher
when it holds some pattern's anchor word; a pattern without an anchor turns the gate off.
The result is exactly the Matcher's: only sentences it would find nothing in are skipped.
"""

from __future__ import annotations

from collections import defaultdict

from spacy.attrs import LOWER, NORM, ORTH
from spacy.tokens import Doc
from spacy.vocab import Vocab

ATTRS = {"NORM": NORM, "LOWER": LOWER, "ORTH": ORTH, "TEXT": ORTH}
OPTIONAL = {"?", "*", "!"}


def anchor(pattern: list[dict]) -> tuple[str, list[str]] | None:
    """(attribute, its possible values) of the pattern's first required literal token."""
    for spec in pattern:
        if spec.get("OP") in OPTIONAL:
            continue
        for attr in ATTRS:
            value = spec.get(attr)
            if isinstance(value, str):
                return attr, [value]
            if isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list):
                return attr, [str(v) for v in value["IN"]]
    return None


class PatternGate:
    """The anchor words of a set of patterns, by attribute."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab
        self.words: dict[int, set[int]] | None = defaultdict(set)

    def add(self, pattern: list[dict]) -> None:
        found = anchor(pattern)
        if found is None:
            self.words = None  # no literal word to look for: always run the Matcher
        elif self.words is not None:
            self.words[ATTRS[found[0]]].update(self.vocab.strings.add(v) for v in found[1])

    def may_match(self, doc: Doc) -> bool:
        if self.words is None:
            return True
        if not len(doc) or not self.words:
            return False
        attrs = list(self.words)
        table = doc.to_array(attrs)
        columns = table.T if table.ndim == 2 else [table]
        return any(not self.words[a].isdisjoint(col.tolist())
                   for a, col in zip(attrs, columns, strict=True))
