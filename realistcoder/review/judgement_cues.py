"""Propose a judgement for a fragment linked to a CMO configuration, from its wording.

* A **contrast or condition** cue ("in contrast", "whereas", "only when", "unless", "except
  where", "but not") says the configuration holds only in some circumstances: *refines*.
* A **negation** cue ("did not", "no change in", "failed to", "remained unchanged", "no
  evidence that") with no contrast says the expected result did not follow: *refutes*; so does
  a matcher proposal already flagged ``negated``.
* Otherwise the fragment *supports* the configuration.

These are suggestions: the reviewer confirms or changes them (``realistcoder cmoc judge``).
Pseudo-negations ("not only", "no longer waited", "no doubt") are not negations here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTRAST = [
    "in contrast", "by contrast", "whereas", "while in", "only when", "only where", "only if",
    "only after", "only once", "only for", "unless", "except where", "except when",
    "except in", "but not", "but only", "on the other hand", "conversely", "in some sites",
    "in other sites", "in sites without", "where there was no", "where there were no",
    "did not apply to", "provided that", "as long as",
]
NEGATION = [
    "did not", "didn't", "does not", "do not", "was not", "were not", "has not", "have not",
    "had not", "could not", "no change", "no changes", "no difference", "no effect",
    "no evidence", "no significant", "no improvement", "no reduction", "no increase",
    "not associated", "not significant", "not reduce", "not improve", "failed to",
    "remained unchanged", "unchanged", "did not change", "neither", "no impact",
    "not translate", "not lead", "not led", "there was no", "there were no", "without any",
]
PSEUDO = ["not only", "no longer", "no doubt", "not just", "nothing but"]


def _pattern(phrases: list[str]) -> re.Pattern:
    alternatives = sorted((re.escape(p).replace(r"\ ", r"\s+") for p in phrases), key=len,
                          reverse=True)
    return re.compile(r"(?<![\w'])(" + "|".join(alternatives) + r")(?![\w'])", re.IGNORECASE)


_CONTRAST, _NEGATION, _PSEUDO = _pattern(CONTRAST), _pattern(NEGATION), _pattern(PSEUDO)


@dataclass(frozen=True)
class Proposal:
    judgement: str  # supports | refutes | refines
    cue: str = ""  # the words that proposed it ("" for supports)


def propose_judgement(text: str, *, negated: bool = False) -> Proposal:
    """The judgement the wording of ``text`` suggests (``negated``: the matcher flagged the
    proposal behind the coding as negated)."""
    masked = _PSEUDO.sub(lambda m: " " * len(m.group(0)), text)
    contrast = _CONTRAST.search(masked)
    if contrast:
        return Proposal("refines", contrast.group(0).lower())
    negation = _NEGATION.search(masked)
    if negation:
        return Proposal("refutes", negation.group(0).lower())
    if negated:
        return Proposal("refutes", "negated in the proposal")
    return Proposal("supports")
