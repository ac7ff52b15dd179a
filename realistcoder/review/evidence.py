"""The evidence for and against a CMO configuration, source by source.

Each link of a CMOC carries a judgement: the coded fragment *supports* the configuration,
*refutes* it (the outcome did not follow, or the mechanism did not fire, where the
configuration says it should) or *refines* it (it holds only in some contexts, for some people,
or in another form). Weighing groups a CMOC's links by source document, with the document's
settled appraisal, and counts sources and fragments per judgement. The same fragment coded by
two reviewers counts once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from realistcoder.review.appraisal import Appraisal

JUDGEMENTS = ("supports", "refutes", "refines")
HEADINGS = {"supports": "for", "refutes": "against", "refines": "refines"}


@dataclass
class SourceEvidence:
    """One source's links to a CMOC."""

    document_id: int
    appraisal: Appraisal | None
    links: list[dict] = field(default_factory=list)

    def fragments(self, judgement: str) -> int:
        return len({(x["sentence_id"], x["end_sentence_id"]) for x in self.links
                    if x["judgement"] == judgement})

    @property
    def judgements(self) -> list[str]:
        return [j for j in JUDGEMENTS if self.fragments(j)]


@dataclass
class Weight:
    """A CMOC's evidence by source."""

    sources: list[SourceEvidence]

    def n_sources(self, judgement: str) -> int:
        return sum(1 for s in self.sources if s.fragments(judgement))

    def n_fragments(self, judgement: str) -> int:
        return sum(s.fragments(judgement) for s in self.sources)

    def summary(self) -> str:
        """``for 2 sources (3 fragments), against 1 (1), refines 0``."""
        parts = []
        for j in JUDGEMENTS:
            n, f = self.n_sources(j), self.n_fragments(j)
            noun = (" source" + ("s" if n != 1 else "")) if j == "supports" else ""
            parts.append(f"{HEADINGS[j]} {n}{noun}" + (f" ({f} fragment{'s' * (f != 1)})"
                                                       if f else ""))
        return ", ".join(parts)

    def balance(self) -> str:
        """``supported``, ``contested`` (sources both ways), ``refuted`` or ``untested``."""
        yes, no = self.n_sources("supports"), self.n_sources("refutes")
        if yes and no:
            return "contested"
        return "supported" if yes else "refuted" if no else "untested"


def weigh(links: list[dict], appraisals: dict[int, Appraisal]) -> Weight:
    """Group ``links`` (rows with document_id, sentence_id, end_sentence_id, judgement) by
    source document, in the order the links come."""
    by_doc: dict[int, SourceEvidence] = {}
    for link in links:
        source = by_doc.setdefault(link["document_id"], SourceEvidence(
            link["document_id"], appraisals.get(link["document_id"])))
        source.links.append(link)
    return Weight(list(by_doc.values()))
