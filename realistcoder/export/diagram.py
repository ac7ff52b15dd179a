"""The neutral shape of a diagram (a programme theory, a document flow): boxes placed on a grid,
arrows between them, frames around groups of boxes, and notes.

Builders (``theory_graph``, ``flow``) place the boxes; writers only draw them: matplotlib for
SVG and PNG (``diagram_draw``), Graphviz DOT as plain text (``diagram_writers``; Graphviz lays
it out again in its own way).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# fill colours by node style (colour-blind safe, light enough for black text)
FILLS = {
    "context": "#dbe9f6", "mechanism": "#fde9c9", "outcome": "#d9f0d3", "flow": "#f2f2f2",
    "exclusion": "#fbe3e3", "included": "#d9f0d3", "note": "#ffffff",
}
INK = {"supported": "#333333", "contested": "#d95f02", "refuted": "#b2182b",
       "untested": "#9e9e9e", "chain": "#1f5fa8", "plain": "#555555"}


@dataclass
class Node:
    """A box: ``x`` is the column, ``y`` the row (rows grow downwards), ``text`` its lines."""

    id: str
    text: str
    x: float
    y: float
    style: str = "flow"
    width: float = 1.0  # in columns


@dataclass
class Edge:
    source: str
    target: str
    label: str = ""
    ink: str = "plain"  # a key of INK
    width: float = 1.2
    dashed: bool = False


@dataclass
class Cluster:
    """A frame around some boxes, with a label (a CMOC around its C, M and O)."""

    id: str
    label: str
    nodes: list[str] = field(default_factory=list)


@dataclass
class Diagram:
    kind: str  # theory | flow
    title: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    direction: str = "LR"  # how Graphviz should lay it out: LR or TB

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    @property
    def rows(self) -> list[Node]:  # so that `export` can say how much it wrote
        return self.nodes
