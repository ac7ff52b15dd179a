"""Codings survive re-ingest: when a coded document changes, its codings move to the new version.

Each active coding on an older version of the file is looked for in the new version: the run of
sentences that reads exactly the same (the nearest one to where it was, if the text repeats),
else one that reads the same but for case, spacing, punctuation, hyphens and quotes, or differs
by a few characters (near-exact: similarity of at least 95 in 100 on each sentence). A coding
found is carried (:mod:`realistcoder.store.carry`: a copy on the new sentences, the old one
ended, both through the decision log), with its CMOC links; a coding not found stays on the
older version, where audit and exports keep it under a label naming that version until a
reviewer resolves it (uncodes it, or codes the new text and uncodes it). Reviewers' appraisals
of the document move too.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from realistcoder.store import carry as db
from realistcoder.store import review
from realistcoder.store.db import Store

NEAR_MIN_SCORE = 95.0
NEAR_MIN_CHARS = 20
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "\u2013": "-", "\u2014": "-", "\u00ad": ""})


@dataclass
class CarryReport:
    """What moved to the new version: codings found exactly or near-exactly, and those left
    on an older version (coding id, reviewer, code, version)."""

    exact: int = 0
    near: int = 0
    left: list[dict] = field(default_factory=list)
    appraisals: int = 0
    cmoc_links: int = 0

    @property
    def carried(self) -> int:
        return self.exact + self.near


def normalise(text: str) -> str:
    """Text as a near-exact match compares it: letters and digits, case-folded, one space."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


class _Index:
    """The new version's sentences, looked up by exact and by normalised text."""

    def __init__(self, sentences: list[dict]):
        self.sentences = sentences
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.normal: dict[str, list[int]] = defaultdict(list)
        self.normalised = [normalise(s["text"]) for s in sentences]
        for i, s in enumerate(sentences):
            self.exact[s["text"]].append(i)
            self.normal[self.normalised[i]].append(i)

    def find(self, texts: list[str], where: float) -> tuple[int, int, str] | None:
        """(first index, last index, ``exact`` / ``near``) of the run reading ``texts``,
        nearest to the relative position ``where`` (0..1), or None."""
        n = len(texts)
        starts = [i for i in self.exact.get(texts[0], ()) if self._same(i, texts)]
        how = "exact"
        if not starts:
            how = "near"
            wanted = [normalise(t) for t in texts]
            starts = [i for i in self._near_starts(texts[0], wanted[0])
                      if all(self._near(i + k, texts[k], wanted[k]) for k in range(n))]
        if not starts:
            return None
        size = max(len(self.sentences), 1)
        best = min(starts, key=lambda i: (abs(i / size - where), i))
        return best, best + n - 1, how

    def _same(self, i: int, texts: list[str]) -> bool:
        return i + len(texts) <= len(self.sentences) and all(
            self.sentences[i + k]["text"] == t for k, t in enumerate(texts))

    def _near_starts(self, text: str, wanted: str) -> list[int]:
        found = list(self.normal.get(wanted, ()))
        if not found and len(wanted) >= NEAR_MIN_CHARS:
            found = [i for i, other in enumerate(self.normalised)
                     if abs(len(other) - len(wanted)) <= 0.1 * len(wanted)
                     and fuzz.ratio(other, wanted, score_cutoff=NEAR_MIN_SCORE)]
        return found

    def _near(self, i: int, text: str, wanted: str) -> bool:
        if i >= len(self.sentences):
            return False
        other = self.normalised[i]
        return other == wanted or (len(wanted) >= NEAR_MIN_CHARS and
                                   fuzz.ratio(other, wanted) >= NEAR_MIN_SCORE)


def carry_codings(store: Store, document_id: int) -> CarryReport:
    """Carry the active codings of the file's older versions to version ``document_id``.

    Run inside the transaction that stored the new version, so that the document and its
    carried codings are saved together."""
    report = CarryReport()
    target = db.document(store, document_id)
    older = db.other_versions(store, target)
    if not older:
        return report
    report.appraisals = db.copy_appraisals(store, older[0]["id"], document_id, target["sha256"])
    codings = db.active_codings(store, [d["id"] for d in older])
    if not codings:
        return report
    versions = {d["id"]: d for d in older}
    index = _Index(db.sentence_texts(store, document_id))
    texts_of: dict[int, list[dict]] = {}
    for coding in codings:
        old_doc = coding["document_id"]
        if old_doc not in texts_of:
            texts_of[old_doc] = db.sentence_texts(store, old_doc)
        old = texts_of[old_doc]
        texts = [s["text"] for s in old[coding["first_seq"]:coding["last_seq"] + 1]]
        where = coding["first_seq"] / max(len(old), 1)
        found = index.find(texts, where) if texts else None
        version = versions[old_doc]["version"]
        if found is None:
            report.left.append({"coding_id": coding["id"], "reviewer": coding["reviewer"],
                                "code": coding["code"], "version": version})
            continue
        first, last, how = found
        decision_uuid = db.carry_uuid("coding", coding["uuid"], target["sha256"])
        if db.already_carried(store, decision_uuid):
            continue
        new_id = db.copy_coding(
            store, coding, document_id=document_id, first_id=index.sentences[first]["id"],
            last_id=index.sentences[last]["id"], decision_uuid=decision_uuid)
        review.record_decision(
            store, reviewer=coding["reviewer"], action="uncode", target_uuid=coding["uuid"],
            note=f"carried to version {target['version']} as coding {new_id} ({how} match)",
            origin=db.CARRY, uuid=db.carry_uuid("ended", coding["uuid"], target["sha256"]))
        report.cmoc_links += db.move_cmoc_links(store, coding["id"], new_id)
        if how == "exact":
            report.exact += 1
        else:
            report.near += 1
    return report
