"""Draw a :class:`~realistcoder.export.diagram.Diagram` with matplotlib (no display needed).

Columns and rows of the diagram's grid become inches; a box is as tall as its wrapped text.
SVG keeps its text as text (``svg.fonttype`` 'none'), so a report can search and restyle it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from realistcoder.export.diagram import FILLS, INK, Diagram, Node
from realistcoder.export.safe import xml_text

COLUMN = 2.75  # inches per grid column
GAP = 0.8  # inches between a box and the next column's box (room for an arrow's label)
LINE = 0.16  # inches per text line (8 pt)
PAD = 0.12
CHARS_PER_COLUMN = 30


def _lines(node: Node) -> list[str]:
    width = int(CHARS_PER_COLUMN * node.width)
    out: list[str] = []
    for para in xml_text(node.text).split("\n"):
        out += textwrap.wrap(para, width) or [""]
    return out


def _layout(diagram: Diagram) -> tuple[dict[str, tuple[float, float, float, float]], float,
                                      float]:
    """Node id -> (left, top, width, height) in inches; total width and height."""
    heights = {n.id: len(_lines(n)) * LINE + 2 * PAD for n in diagram.nodes}
    rows: dict[float, float] = {}
    for n in diagram.nodes:
        rows[n.y] = max(rows.get(n.y, 0.0), heights[n.id])
    top, y = {}, 0.95 if diagram.clusters else 0.65  # the title, a first frame's label
    for row in sorted(rows):
        top[row] = y
        y += rows[row] + 0.55  # room for a cluster label or an arrow label between rows
    boxes = {}
    for n in diagram.nodes:  # a row's boxes are as tall as its tallest: arrows run level
        width = COLUMN * n.width - GAP
        boxes[n.id] = (0.3 + n.x * COLUMN, top[n.y], width, rows[n.y])
    right = max((b[0] + b[2] for b in boxes.values()), default=3.0) + 0.3
    width = max(right, 4.0)
    return boxes, width, y + 0.2 + LINE * 1.05 * len(_notes(diagram, width))


def _notes(diagram: Diagram, width: float) -> list[str]:
    """The notes wrapped to the figure's width (7 pt: about 17 characters an inch)."""
    return [line for note in diagram.notes
            for line in textwrap.wrap(xml_text(note), max(40, int((width - 0.6) * 17)))]


def _border(box, toward) -> tuple[float, float]:
    """Where the line from the box's centre toward a point leaves the box."""
    left, top, w, h = box
    cx, cy = left + w / 2, top + h / 2
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(w / 2 / abs(dx) if dx else float("inf"), h / 2 / abs(dy) if dy else float("inf"))
    return cx + dx * scale, cy + dy * scale


def draw(diagram: Diagram, path: Path, fmt: str) -> None:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

    boxes, width, height = _layout(diagram)
    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 8}):
        fig = plt.figure(figsize=(width, max(height, 2.0)))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(max(height, 2.0), 0)
        ax.axis("off")
        ax.text(0.3, 0.35, xml_text(diagram.title), fontsize=11, fontweight="bold")
        for cluster in diagram.clusters:
            members = [boxes[n] for n in cluster.nodes if n in boxes]
            if not members:
                continue
            left = min(b[0] for b in members) - 0.08
            top = min(b[1] for b in members) - 0.3
            right = max(b[0] + b[2] for b in members) + 0.08
            bottom = max(b[1] + b[3] for b in members) + 0.08
            ax.add_patch(Rectangle((left, top), right - left, bottom - top, fill=False,
                                   edgecolor="#bbbbbb", linewidth=0.8, linestyle=":"))
            ax.text(left + 0.05, top + 0.17, xml_text(cluster.label)[:90], fontsize=8,
                    color="#333333", fontweight="bold")
        for node in diagram.nodes:
            left, top, w, h = boxes[node.id]
            ax.add_patch(FancyBboxPatch((left, top), w, h,
                                        boxstyle="round,pad=0,rounding_size=0.06",
                                        facecolor=FILLS.get(node.style, "#ffffff"),
                                        edgecolor="#666666", linewidth=0.8))
            ax.text(left + PAD, top + PAD, "\n".join(_lines(node)), va="top",
                    ha="left", linespacing=1.25, color="#111111")
        for edge in diagram.edges:
            a, b = boxes[edge.source], boxes[edge.target]
            start = _border(a, (b[0] + b[2] / 2, b[1] + b[3] / 2))
            end = _border(b, (a[0] + a[2] / 2, a[1] + a[3] / 2))
            bend = "arc3,rad=0.25" if end[1] < start[1] - 0.2 else "arc3,rad=0"  # back edges
            ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10,
                                         color=INK.get(edge.ink, INK["plain"]),
                                         linewidth=edge.width, connectionstyle=bend,
                                         linestyle="--" if edge.dashed else "-"))
            if edge.label:
                mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
                upright = abs(end[0] - start[0]) < abs(end[1] - start[1])
                # beside an upright arrow; above a level one, a part a line (" · " splits)
                text = xml_text(edge.label) if upright else "\n".join(
                    xml_text(edge.label).split(" \u00b7 "))
                ax.text(mid[0] + (0.08 if upright else 0), mid[1] - (0 if upright else 0.06),
                        text, ha="left" if upright else "center",
                        va="center" if upright else "bottom", fontsize=7, linespacing=1.1,
                        color=INK.get(edge.ink, INK["plain"]),
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                              "edgecolor": "none", "alpha": 0.9})
        notes = _notes(diagram, width)
        y = height - 0.2 - LINE * 1.05 * len(notes)
        for note in notes:
            ax.text(0.3, y, note, fontsize=7, color="#444444", va="top")
            y += LINE * 1.05
        metadata = {"Creator": "realistcoder"} if fmt == "svg" else {"Software": "realistcoder"}
        fig.savefig(path, format=fmt, dpi=200, metadata=metadata)
        plt.close(fig)
