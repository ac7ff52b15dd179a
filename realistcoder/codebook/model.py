"""The codebook model: theories (or areas) and the codes reviewers apply.

A codebook is plain data. Readers and writers for YAML, CSV/XLSX, REFI-QDA ``.qdc`` and Markdown
live in their own modules (``yaml_format``, ``table_format``, ``qdc``, ``markdown``); ``build``
turns what a reader parsed into a :class:`Codebook`, ``validate`` finds every problem with
its line, and ``diff`` tells two versions apart.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

ROLES = ("context", "mechanism", "outcome", "other")
MECHANISM_TYPES = ("resource", "reasoning")
LEVELS = ("individual", "organisational", "system")


@dataclass
class Theory:
    """A programme theory or an evidence-map area, e.g. ``workforce``."""

    id: str
    label: str
    description: str = ""


@dataclass
class Code:
    """One code. ``terms`` are matched on lemmas; ``exclude`` terms veto a match."""

    id: str
    label: str
    role: str
    theory: str | None = None
    mechanism_type: str | None = None
    parent: str | None = None
    level: str | None = None  # individual | organisational | system (optional)
    description: str = ""
    inclusion: str = ""
    exclusion: str = ""
    examples: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    patterns: list[list[dict]] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    color: str | None = None  # "#RRGGBB" kept from another tool (else a colour per role)
    line: int | None = field(default=None, compare=False)
    # where each field was read (``"terms"``, ``"terms.2"``, ``"patterns.0"``): for messages only
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_cmo(self) -> bool:
        return self.role in ("context", "mechanism", "outcome")

    def line_of(self, key: str) -> int | None:
        """The line a field (or list item, ``"terms.2"``) was read from, else the code's line."""
        return self.lines.get(key) or self.lines.get(key.split(".")[0]) or self.line

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("line")
        data.pop("lines")
        return {k: v for k, v in data.items() if v not in (None, "", [])}


@dataclass
class Codebook:
    """A named, versioned set of codes (nested codes are flattened; ``Code.parent`` links them)."""

    name: str
    version: str
    description: str = ""
    theories: list[Theory] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    source: str | None = field(default=None, compare=False)

    def code(self, code_id: str) -> Code:
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def theory(self, theory_id: str) -> Theory | None:
        return next((t for t in self.theories if t.id == theory_id), None)

    def children(self, code_id: str) -> list[Code]:
        return [c for c in self.codes if c.parent == code_id]

    def roots(self) -> list[Code]:
        """Top-level codes (no parent, or a parent that is not in the codebook)."""
        ids = {c.id for c in self.codes}
        return [c for c in self.codes if c.parent is None or c.parent not in ids]

    def depth(self, code: Code) -> int:
        """0 for a top-level code, 1 for its children, ..."""
        by_id = {c.id: c for c in self.codes}
        depth, seen = 0, {code.id}
        while code.parent in by_id and code.parent not in seen:
            code = by_id[code.parent]
            seen.add(code.id)
            depth += 1
        return depth

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "theories": [asdict(t) for t in self.theories],
            "codes": [c.to_dict() for c in self.codes],
        }

    def sha256(self) -> str:
        """Content hash: the same codes and terms give the same hash, whatever the file format."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, data: dict, source: str | None = None) -> Codebook:
        """Rebuild from :meth:`to_dict` output (as stored in the ``codebooks`` table)."""
        return cls(
            name=data["name"],
            version=str(data["version"]),
            description=data.get("description", ""),
            theories=[Theory(**t) for t in data.get("theories", [])],
            codes=[Code(**c) for c in data.get("codes", [])],
            source=source,
        )
