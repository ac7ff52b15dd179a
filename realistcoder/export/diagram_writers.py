"""Diagram formats: SVG and PNG (matplotlib) and Graphviz DOT (plain text: no Graphviz needed to
write it; ``dot -Tsvg theory.dot`` renders it where Graphviz is installed)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from realistcoder.export.diagram import FILLS, INK, Diagram
from realistcoder.export.registry import register
from realistcoder.export.safe import xml_text

DIAGRAM_KINDS = {"theory", "flow"}


def dot_string(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, line breaks as \\n."""
    text = xml_text(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\n").replace("\n", "\\n") + '"'


def to_dot(diagram: Diagram) -> str:
    lines = [f"digraph {diagram.kind} {{",
             f"  label={dot_string(diagram.title)}; labelloc=t; fontname=\"Helvetica\";",
             f"  rankdir={diagram.direction}; compound=true; newrank=true;",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];']
    in_cluster = {n for c in diagram.clusters for n in c.nodes}

    def node_line(node, indent: str) -> str:
        text = "\n".join(line for para in node.text.split("\n")
                         for line in textwrap.wrap(para, 34) or [""])
        return (f"{indent}{dot_string(node.id)} [label={dot_string(text)}, "
                f"fillcolor=\"{FILLS.get(node.style, '#ffffff')}\"];")

    nodes = {n.id: n for n in diagram.nodes}
    for cluster in diagram.clusters:
        lines.append(f"  subgraph {dot_string('cluster_' + cluster.id)} {{")
        lines.append(f"    label={dot_string(cluster.label)}; style=dashed; color=\"#999999\";")
        lines += [node_line(nodes[n], "    ") for n in cluster.nodes if n in nodes]
        lines.append("  }")
    lines += [node_line(n, "  ") for n in diagram.nodes if n.id not in in_cluster]
    if diagram.direction == "TB":  # boxes of one row side by side (a flow's exclusions)
        rows: dict[float, list[str]] = {}
        for n in diagram.nodes:
            rows.setdefault(n.y, []).append(dot_string(n.id))
        lines += [f"  {{rank=same; {'; '.join(ids)};}}" for ids in rows.values() if len(ids) > 1]
    for e in diagram.edges:
        attrs = [f"color=\"{INK.get(e.ink, INK['plain'])}\"", f"penwidth={e.width:.1f}"]
        if e.label:
            attrs.append(f"label={dot_string(e.label)}")
        if e.dashed:
            attrs.append("style=dashed")
        lines.append(f"  {dot_string(e.source)} -> {dot_string(e.target)} "
                     f"[{', '.join(attrs)}];")
    for note in diagram.notes:
        lines.append(f"  // {xml_text(note)}")
    lines.append("}")
    return "\n".join(lines) + "\n"


@register("dot", extensions=(".dot", ".gv"), kinds=DIAGRAM_KINDS,
          description="Graphviz DOT (text)")
def write_dot(diagram: Diagram, path: Path) -> None:
    path.write_text(to_dot(diagram), encoding="utf-8", newline="\n")


@register("svg", extensions=(".svg",), kinds=DIAGRAM_KINDS, description="vector diagram")
def write_svg(diagram: Diagram, path: Path) -> None:
    from realistcoder.export.diagram_draw import draw

    draw(diagram, path, "svg")


@register("png", extensions=(".png",), kinds=DIAGRAM_KINDS, description="diagram picture")
def write_png(diagram: Diagram, path: Path) -> None:
    from realistcoder.export.diagram_draw import draw

    draw(diagram, path, "png")
