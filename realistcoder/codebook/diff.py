"""What changed between two versions of a codebook (for `codebook load` and reviewers)."""

from __future__ import annotations

from dataclasses import dataclass, field

from realistcoder.codebook.model import Codebook

# fields whose change alters what a code means or what it proposes
MEANING = ("label", "role", "mechanism_type", "theory", "level", "parent", "description",
           "inclusion", "exclusion")
MATCHING = ("terms", "patterns", "exclude")


@dataclass
class CodebookDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    meaning: list[str] = field(default_factory=list)   # codes whose definition changed
    matching: list[str] = field(default_factory=list)  # codes whose terms/patterns changed

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.meaning or self.matching)

    def summary(self, limit: int = 5) -> str:
        """One line, e.g. ``+1 code (x); 3 codes with changed terms (a, b, c)``."""
        def part(what: str, ids: list[str]) -> str:
            shown = ", ".join(ids[:limit]) + (", ..." if len(ids) > limit else "")
            return f"{what} ({shown})"

        parts = []
        if self.added:
            parts.append(part(f"+{len(self.added)} code{'s' * (len(self.added) > 1)}",
                              self.added))
        if self.removed:
            parts.append(part(f"-{len(self.removed)} code{'s' * (len(self.removed) > 1)}",
                              self.removed))
        if self.meaning:
            parts.append(part(f"{len(self.meaning)} with changed definitions", self.meaning))
        if self.matching:
            parts.append(part(f"{len(self.matching)} with changed terms", self.matching))
        return "; ".join(parts) or "no code changes (only codebook or theory details)"


def diff_codebooks(old: Codebook, new: Codebook) -> CodebookDiff:
    before = {c.id: c for c in old.codes}
    after = {c.id: c for c in new.codes}
    diff = CodebookDiff(
        added=[i for i in after if i not in before],
        removed=[i for i in before if i not in after],
    )
    for cid in (i for i in after if i in before):
        a, b = before[cid], after[cid]
        if any(getattr(a, f) != getattr(b, f) for f in MEANING):
            diff.meaning.append(cid)
        if any(getattr(a, f) != getattr(b, f) for f in MATCHING):
            diff.matching.append(cid)
    return diff
