"""Repair PDF artefacts and misspellings, but only where they could hide a codebook term.

Fuzzy matching runs only on tokens that missed: alphabetic tokens of 5+ letters whose match key
is not a term word and which are not English words either (so "collaborative" is never "fixed"
into "collaboration"; the lemma handles that). Each such word is compared, once per process
(cached), with the term words of similar length using ``rapidfuzz.process.extractOne`` and a
score cutoff. Three artefacts are repaired:

* misspelt or OCR-damaged words: "colaboration" -> "collaboration" (similarity 96);
* words split by a PDF line or column break: "organisa tion", "organi- sation";
* words glued together: "improvedaccess" -> "improved" + "access" (both halves English words,
  at least one a term word).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from spacy.attrs import ORTH, SPACY
from spacy.tokens import Doc

from realistcoder.propose.nlp import Lexicon

MIN_FUZZY_LEN = 5
MIN_GLUED_LEN = 7
MAX_LEN_DIFF = 2
WINDOW = 3  # tokens either side of a suspicious word that a repair can involve
UNIT_CACHE_SIZE = 200_000


def fuzzy_cutoff(length: int) -> float:
    """Similarity (0-100) a word of ``length`` letters needs: stricter for short words."""
    return 90.0 if length < 7 else 85.0


@dataclass
class Unit:
    """A run of original tokens ``[start, end)`` and the words that replace it."""

    start: int
    end: int
    words: list[str]
    keys: list[str]
    how: str = ""  # "" (unchanged) | fuzzy | split | glued
    similarity: float = 100.0


class Repairer:
    """Repairs tokens against one codebook's term vocabulary."""

    def __init__(self, lexicon: Lexicon, term_words: dict[str, str]):
        """``term_words``: lower-cased surface form or match key of a term word -> match key."""
        self.lex = lexicon
        self.term_words = term_words
        self.term_keys = frozenset(term_words.values())
        by_len: dict[int, list[str]] = defaultdict(list)
        for word in term_words:
            if word.isalpha() and len(word) >= MIN_FUZZY_LEN - 1:
                by_len[len(word)].append(word)
        self._by_len = by_len
        self._fuzzy_cache: dict[str, tuple[str, float] | None] = {}
        self._suspicious_cache: dict[str, bool] = {}
        self._unit_cache: dict[tuple, Unit | None] = {}  # offsets relative to the word
        self._glued_cache: dict[str, tuple[str, str] | None] = {}
        self._joined_cache: dict[tuple[str, ...], tuple[str, float] | None] = {}

    def suspicious(self, lower: str) -> bool:
        """A word that is neither a term word nor English: a candidate for repair (cached)."""
        known = self._suspicious_cache.get(lower)
        if known is None:
            known = self._suspicious_cache[lower] = (
                lower.isalpha()
                and lower not in self.term_words
                and self.lex.key(lower) not in self.term_keys
                and not self.lex.is_word(lower)
            )
        return known

    def fuzzy(self, lower: str) -> tuple[str, float] | None:
        """(match key, similarity) of the closest term word, if close enough."""
        if lower in self._fuzzy_cache:
            return self._fuzzy_cache[lower]
        result = None
        if len(lower) >= MIN_FUZZY_LEN:
            choices = [
                w
                for n in range(len(lower) - MAX_LEN_DIFF, len(lower) + MAX_LEN_DIFF + 1)
                for w in self._by_len.get(n, ())
            ]
            best = process.extractOne(
                lower, choices, scorer=fuzz.ratio, score_cutoff=fuzzy_cutoff(len(lower))
            )
            if best is not None:
                result = (self.term_words[best[0]], float(best[1]))
        self._fuzzy_cache[lower] = result
        return result

    def glued(self, lower: str) -> tuple[str, str] | None:
        """Split a glued word into two English words, at least one of them a term word."""
        if lower in self._glued_cache:
            return self._glued_cache[lower]
        result = None
        if len(lower) >= MIN_GLUED_LEN:
            best = 0
            for i in range(2, len(lower) - 1):
                left, right = lower[:i], lower[i:]
                if not (self.lex.is_word(left) and self.lex.is_word(right)):
                    continue
                if not ({self.lex.key(left), self.lex.key(right)} & self.term_keys):
                    continue
                if min(len(left), len(right)) > best:
                    best, result = min(len(left), len(right)), (left, right)
        self._glued_cache[lower] = result
        return result

    def _joined(self, parts: list[str]) -> tuple[str, float] | None:
        """Re-join a split word: exactly a term word, or close to one if no part is English."""
        key = tuple(parts)
        if key not in self._joined_cache:
            self._joined_cache[key] = self._join(parts)
        return self._joined_cache[key]

    def _join(self, parts: list[str]) -> tuple[str, float] | None:
        joined = "".join(parts)
        if joined in self.term_words:
            return self.term_words[joined], 100.0
        key = self.lex.key(joined)
        if key in self.term_keys:
            return key, 100.0
        if all(self.suspicious(p) for p in parts) and len(joined) >= MIN_FUZZY_LEN + 2:
            return self.fuzzy(joined)
        return None

    def repair(self, doc: Doc) -> list[Unit] | None:
        """The doc's tokens as units, or None when nothing needed repair (the common case).

        Only the neighbourhood of suspicious tokens is examined; the pipeline lists the unknown
        words of each doc in ``doc.user_data["rc_unknown"]``.
        """
        unknown = doc.user_data.get("rc_unknown")
        if unknown is None:
            unknown = [t.i for t in doc if t.is_alpha and not self.lex.is_word(t.lower_)]
        if not unknown:
            return None
        fixes: dict[int, Unit] = {}
        taken: set[int] = set()
        array = doc.to_array([ORTH, SPACY]).tolist()
        n = len(array)
        for i in unknown:
            if i in taken:
                continue
            # the repair depends only on the words and spaces around token i: memoised
            a, b = max(0, i - WINDOW), min(n, i + WINDOW + 1)
            key = (i - a, i == 0, tuple(map(tuple, array[a:b])))
            if key in self._unit_cache:
                cached = self._unit_cache[key]
                if cached is None:
                    continue
                start, end = i + cached.start, i + cached.end
                if taken.isdisjoint(range(start, end)):
                    unit = Unit(start, end, cached.words, cached.keys, cached.how,
                                cached.similarity)
                    fixes[start] = unit
                    taken.update(range(start, end))
                    continue
            unit = self._repair_at(doc, i, taken)
            if not taken and len(self._unit_cache) < UNIT_CACHE_SIZE:
                self._unit_cache[key] = None if unit is None else Unit(
                    unit.start - i, unit.end - i, unit.words, unit.keys, unit.how,
                    unit.similarity)
            if unit is not None:
                fixes[unit.start] = unit
                taken.update(range(unit.start, unit.end))
        if not fixes:
            return None
        units, end = [], 0
        for token in doc:
            if token.i < end:
                continue
            unit = fixes.get(token.i) or Unit(token.i, token.i + 1, [token.text], [token.norm_])
            units.append(unit)
            end = unit.end
        return units

    def _repair_at(self, doc: Doc, i: int, taken: set[int]) -> Unit | None:
        token = doc[i]
        if token.is_upper or (token.is_title and i > 0):
            return None  # acronyms and proper names: not where terms hide
        lower = token.lower_
        if lower.endswith("-"):  # "organi- sation": the word was broken at a line end
            return self._rejoin_hyphen(doc, i, taken)
        if self.suspicious(lower):
            return self._fix(doc, i, taken)
        return None

    def _rejoin_hyphen(self, doc: Doc, i: int, taken: set[int]) -> Unit | None:
        if i + 1 >= len(doc) or i + 1 in taken or not doc[i].whitespace_:
            return None
        first, second = doc[i], doc[i + 1]
        if not second.is_alpha:
            return None
        head = first.lower_[:-1]
        if not (self.suspicious(head) or self.suspicious(second.lower_)):
            return None
        hit = self._joined([head, second.lower_])
        if hit is None:
            return None
        return Unit(i, i + 2, [first.text[:-1] + second.text], [hit[0]], "split", hit[1])

    def _fix(self, doc: Doc, i: int, taken: set[int]) -> Unit | None:
        """A repair around suspicious token ``i``: re-join a split word, else fuzzy, else unglue."""
        n = len(doc)
        # split word: "organisa tion" (i is either half) / "organi- sation"
        neighbours = ((i - 1, i, i + 1), (i, i + 1, i + 2), (i - 2, i, i + 1), (i, i + 2, i + 3))
        for a, b, end in neighbours:
            if a < 0 or end > n or a in taken or b in taken:
                continue
            first, second = doc[a], doc[b]
            if not (first.is_alpha and second.is_alpha):
                continue
            if b == a + 1:
                if not first.whitespace_:
                    continue
            elif not (doc[a + 1].text == "-" and doc[a + 1].whitespace_ and not first.whitespace_):
                continue
            hit = self._joined([first.lower_, second.lower_])
            if hit:
                return Unit(a, end, [first.text + second.text], [hit[0]], "split", hit[1])
        token = doc[i]
        hit = self.fuzzy(token.lower_)
        if hit:
            return Unit(i, i + 1, [token.text], [hit[0]], "fuzzy", hit[1])
        parts = self.glued(token.lower_)
        if parts:
            k = len(parts[0])
            keys = [self.lex.key(p) for p in parts]
            return Unit(i, i + 1, [token.text[:k], token.text[k:]], keys, "glued", 100.0)
        return None


def repaired_doc(doc: Doc, units: list[Unit]) -> tuple[Doc, list[Unit]]:
    """A new Doc of the repaired words (``NORM`` = match keys) and, per new token, its unit."""
    words, keys, spaces, owner = [], [], [], []
    ws = [bool(t.whitespace_) for t in doc]
    for unit in units:
        last_ws = ws[unit.end - 1]
        for j, (word, key) in enumerate(zip(unit.words, unit.keys, strict=True)):
            words.append(word)
            keys.append(key)
            spaces.append(last_ws if j == len(unit.words) - 1 else True)
            owner.append(unit)
    rdoc = Doc(doc.vocab, words=words, spaces=spaces)
    for token, key in zip(rdoc, keys, strict=True):
        token.norm_ = key
    return rdoc, owner
