"""Near matches: the content words of a multi-word term close together, in any order.

Evaluation reports rarely repeat a codebook phrase word for word: "shared data" appears as
"shared access to activity and spending data", "trust between professionals" as "professionals
came to trust each other". A multi-word term also matches *near* when all its content words
(match keys, stop words ignored) occur within a window of ``len(words) + SLACK`` tokens. Terms
are indexed by their rarest content word, so a sentence costs one set intersection plus a check
of the few terms whose rarest word it contains.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import product

from spacy.attrs import NORM
from spacy.tokens import Doc

SLACK = 4  # extra tokens allowed inside the window
MAX_COMBINATIONS = 64


class NearMatcher:
    """Finds near matches of many terms; each term is ``(match_id, content key hashes)``."""

    def __init__(self, terms: list[tuple[int, tuple[int, ...]]]):
        usable = [(mid, tuple(dict.fromkeys(keys))) for mid, keys in terms]
        usable = [(mid, keys) for mid, keys in usable if len(keys) >= 2]
        freq = Counter(k for _, keys in usable for k in keys)
        self.index: dict[int, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
        for mid, keys in usable:
            rarest = min(keys, key=lambda k: (freq[k], k))
            self.index[rarest].append((mid, keys))
        self.anchors = frozenset(self.index)

    def __call__(self, doc: Doc, skip: frozenset[int] | set[int] = frozenset()
                 ) -> list[tuple[int, list[int]]]:
        """(match_id, token positions of the words) for each term found near; terms in
        ``skip`` (already matched exactly) are not looked for."""
        if not self.anchors or not len(doc):
            return []
        norms, present, positions = _keys(doc)
        anchors = self.anchors.intersection(present)
        if not anchors:
            return []
        found = []
        index = self.index
        for anchor in anchors:
            for mid, keys in index[anchor]:
                if mid in skip or not present.issuperset(keys):
                    continue
                if not positions:  # every word's positions, in one pass (once per doc)
                    for i, x in enumerate(norms):
                        positions.setdefault(x, []).append(i)
                best = _tightest([positions[k] for k in keys])
                if best and best[-1] - best[0] + 1 <= len(keys) + SLACK:
                    found.append((mid, best))
        return found


def _keys(doc: Doc) -> tuple[list[int], set[int], dict[int, list[int]]]:
    """The doc's match keys, their set and (filled on demand) positions; made once per doc and
    shared by every codebook's matcher."""
    cached = doc.user_data.get("rc_near")
    if cached is None:
        norms = doc.to_array(NORM).tolist()
        cached = doc.user_data["rc_near"] = (norms, set(norms), {})
    return cached


def _tightest(choices: list[list[int]]) -> list[int] | None:
    """One position per word, as close together as possible (sorted)."""
    if all(len(c) == 1 for c in choices):  # the common case: each word once
        combo = sorted(c[0] for c in choices)
        return combo if len(set(combo)) == len(combo) else None
    n = 1
    for c in choices:
        n *= len(c)
    if n > MAX_COMBINATIONS:
        choices = [c[:4] for c in choices]
    best, width = None, None
    for combo in product(*choices):
        if len(set(combo)) < len(combo):
            continue
        w = max(combo) - min(combo)
        if width is None or w < width:
            best, width = sorted(combo), w
    return best
