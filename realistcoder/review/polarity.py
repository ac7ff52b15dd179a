"""Polarity of a coding: does the coded condition *enable* what follows, or *block* it?

Proposed from barrier and facilitator cues in the fragment's wording, for the reviewer to
confirm (``realistcoder polarity suggest``). A facilitator cue after a negation ("did not
help", "no support", "without training") counts as a barrier. When both kinds occur the one
with more cues wins; a tie proposes nothing. The cue lists are ours (kept apart from the
proposer's cues in ``propose``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from realistcoder.store import attributes as at
from realistcoder.store import review as rv
from realistcoder.store.db import Store

BARRIERS = [
    "barrier", "barriers", "obstacle", "obstacles", "hinder", "hindered", "hindering",
    "hampered", "impede", "impeded", "prevented", "prevent", "undermined", "undermine",
    "constrained", "constraint", "constraints", "limited", "lack of", "lacked", "lacking",
    "shortage", "shortages", "insufficient", "inadequate", "difficult", "difficulty",
    "difficulties", "challenge", "challenges", "challenging", "problem", "problems",
    "struggled", "reluctant", "reluctance", "resisted", "resistance", "tension", "tensions",
    "conflict", "delayed", "delays", "slowed", "threat", "threatened", "cuts", "poor",
    "fragmented", "unclear", "mistrust", "distrust", "burden", "frustrated", "frustration",
    "overstretched", "got in the way", "stood in the way", "worked against",
]
FACILITATORS = [
    "facilitated", "facilitator", "facilitators", "enabled", "enabler", "enablers",
    "enabling", "helped", "help", "supported", "support", "encouraged", "encourage",
    "allowed", "made it possible", "made it easier", "key to", "crucial", "essential",
    "success", "successful", "strong", "strengthened", "fostered", "promoted", "built",
    "eased", "smoothed", "trusted", "clear roles", "protected time", "in place", "necessary",
    "worked well", "benefited",
]
NEGATIONS = ["not", "no", "never", "without", "little", "few", "lack of", "did not",
             "didn't", "nor", "neither"]
NEGATION_REACH = 3  # words between a negation and the facilitator it turns


def _pattern(words: list[str]) -> re.Pattern:
    alternatives = sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len,
                          reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(alternatives) + r")(?![\w-])", re.IGNORECASE)


_BARRIER, _FACILITATOR, _NEGATION = _pattern(BARRIERS), _pattern(FACILITATORS), \
    _pattern(NEGATIONS)


@dataclass(frozen=True)
class PolarityProposal:
    polarity: str  # enabling | blocking
    cues: tuple[str, ...]


def propose_polarity(text: str) -> PolarityProposal | None:
    """The polarity the wording suggests, with the cues that suggest it, or None."""
    blocking = [m.group(0).lower() for m in _BARRIER.finditer(text)]
    enabling = []
    for m in _FACILITATOR.finditer(text):
        window = " ".join(re.split(r"[,;:.]", text[:m.start()])[-1].split()[-NEGATION_REACH:])
        if _NEGATION.search(window):
            blocking.append(f"{window} {m.group(0)}".lower())
        else:
            enabling.append(m.group(0).lower())
    if len(blocking) == len(enabling):
        return None
    if len(blocking) > len(enabling):
        return PolarityProposal("blocking", tuple(dict.fromkeys(blocking)))
    return PolarityProposal("enabling", tuple(dict.fromkeys(enabling)))


def polarity_suggestions(store: Store, reviewer: str, *, roles: tuple[str, ...] = (
        "context", "mechanism"), include_decided: bool = False
        ) -> list[tuple[dict, PolarityProposal]]:
    """The reviewer's current codings (of ``roles``) whose wording suggests a polarity and that
    nobody has marked or cleared yet (all of them with ``include_decided``)."""
    decided = set() if include_decided else at.polarity_decided(store)
    out = []
    for coding in rv.current_codings(store, viewer=reviewer):
        if coding["role"] not in roles or coding["uuid"] in decided:
            continue
        proposal = propose_polarity(coding["text"])
        if proposal is not None:
            out.append((coding, proposal))
    return out
