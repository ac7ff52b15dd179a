"""Where two codes meet: co-occurrence of codes in the same sentences or paragraphs.

A *unit* is a sentence (two fragments meet when they cover a common sentence) or a paragraph
(when they touch the same paragraph). For each pair of codes (or of theories, with
``by="theory"``): the units where both occur, the units of each, their overlap (Jaccard: both /
either) and the documents. Pure counting over coding rows: no SQL here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

UNITS = ("sentence", "paragraph")


@dataclass
class Pair:
    a: str
    b: str
    units: list[tuple] = field(default_factory=list)  # (document id, unit index)
    n_a: int = 0
    n_b: int = 0

    @property
    def overlap(self) -> float:
        either = self.n_a + self.n_b - len(self.units)
        return len(self.units) / either if either else 0.0

    @property
    def documents(self) -> list[int]:
        return sorted({u[0] for u in self.units})


def unit_keys(coding: dict, positions: dict[int, tuple[int, int, int]], unit: str
              ) -> list[tuple[int, int]]:
    """The units a coding covers: ``positions`` maps sentence id -> (document, seq,
    paragraph)."""
    doc, first_seq, first_par = positions[coding["sentence_id"]]
    _, last_seq, last_par = positions[coding["end_sentence_id"]]
    if unit == "sentence":
        return [(doc, s) for s in range(first_seq, last_seq + 1)]
    return [(doc, p) for p in range(first_par, last_par + 1)]


def cooccurrence(codings: list[dict], positions: dict[int, tuple[int, int, int]], *,
                 unit: str = "sentence", key=lambda c: c["code_key"]) -> tuple[
                     dict[str, set], list[Pair]]:
    """(units per key, pairs of keys that meet at least once, most units first)."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")
    per_key: dict[str, set] = defaultdict(set)
    per_unit: dict[tuple, set[str]] = defaultdict(set)
    for c in codings:
        k = key(c)
        for u in unit_keys(c, positions, unit):
            per_key[k].add(u)
            per_unit[u].add(k)
    pairs: dict[tuple[str, str], Pair] = {}
    for u, keys in per_unit.items():
        for a, b in combinations(sorted(keys), 2):
            pair = pairs.setdefault((a, b), Pair(a, b, n_a=len(per_key[a]),
                                                 n_b=len(per_key[b])))
            pair.units.append(u)
    ordered = sorted(pairs.values(), key=lambda p: (-len(p.units), -p.overlap, p.a, p.b))
    for p in ordered:
        p.units.sort()
    return dict(per_key), ordered
