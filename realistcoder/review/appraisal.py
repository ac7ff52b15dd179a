"""What a document's appraisal is, once one or more reviewers (or the team) have judged it.

The *settled* appraisal of a document, per dimension (relevance, rigour):

* the team's consensus, where one was recorded (``realistcoder appraise --consensus``);
* else the reviewers' judgement when they agree (or the only reviewer's);
* else the reviewers differ and the document is *disputed*: tables show every reviewer's
  judgement, and a minimum filter (``--min-rigour``) uses the lower one, so that evidence is
  never let in on the more generous reading before the team has agreed.

A document nobody appraised has no settled appraisal; minimum filters leave it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from realistcoder.store import appraisals as ap
from realistcoder.store.db import Store
from realistcoder.store.review_lookup import CONSENSUS

DIMENSIONS = ("relevance", "rigour")


@dataclass
class Appraisal:
    """One document's appraisal as the caller may see it."""

    document_id: int
    consensus: dict | None = None
    reviewers: list[dict] = field(default_factory=list)

    def basis(self, dim: str) -> str:
        """``consensus``, ``agreed`` (two or more reviewers gave the same), ``single`` (one
        reviewer), ``disputed`` (reviewers differ, no consensus) or ``none``."""
        if self.consensus:
            return "consensus"
        values = {r[dim] for r in self.reviewers}
        if not values:
            return "none"
        if len(values) > 1:
            return "disputed"
        return "agreed" if len(self.reviewers) > 1 else "single"

    def value(self, dim: str) -> str | None:
        """The level a filter uses: consensus, agreed or single value; for a dispute the lower
        judgement; None when nobody appraised the document."""
        if self.consensus:
            return self.consensus[dim]
        values = [r[dim] for r in self.reviewers]
        return min(values, key=ap.RANK.__getitem__) if values else None

    def text(self, dim: str) -> str:
        """For a table cell: ``moderate``, ``high (consensus)`` or ``high (alice); moderate
        (bob)`` while reviewers differ."""
        basis = self.basis(dim)
        if basis == "none":
            return ""
        if basis == "disputed":
            return "; ".join(f"{r[dim]} ({r['reviewer']})" for r in self.reviewers)
        return f"{self.value(dim)} (consensus)" if basis == "consensus" else self.value(dim)

    def notes(self) -> list[str]:
        rows = self.reviewers + ([self.consensus] if self.consensus else [])
        return [f"{r['reviewer']}: {r['note']}" for r in rows if r.get("note")]

    def short(self) -> str:
        """``relevance high, rigour moderate`` (with the basis when it is not plain)."""
        parts = []
        for dim in DIMENSIONS:
            text = self.text(dim)
            if text:
                parts.append(f"{dim} {text}")
        return ", ".join(parts) or "not appraised"


def settled_appraisals(store: Store, *, viewer: str | None = None,
                       unblinded: bool = False) -> dict[int, Appraisal]:
    """Document id -> its :class:`Appraisal` (only documents someone appraised). A viewer sees
    their own appraisals and the consensus unless unblinded."""
    out: dict[int, Appraisal] = {}
    for row in ap.current_appraisals(store, viewer=viewer, unblinded=unblinded):
        item = out.setdefault(row["document_id"], Appraisal(row["document_id"]))
        if row["reviewer"] == CONSENSUS:
            item.consensus = row
        else:
            item.reviewers.append(row)
    return out


def meets(appraisal: Appraisal | None, dim: str, minimum: str | None) -> bool:
    """Whether a document's appraisal reaches ``minimum`` on ``dim`` (always, without one)."""
    if minimum is None:
        return True
    value = appraisal.value(dim) if appraisal else None
    return value is not None and ap.RANK[value] >= ap.RANK[minimum]
